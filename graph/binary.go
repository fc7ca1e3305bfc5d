package graph

import "bicycle-vk/vk"

// Axpby: y = alpha*a + beta*b, all of one shape; y may be a or b (in place).
func (r *Rec) Axpby(y *Tensor, alpha float32, a *Tensor, beta float32, b *Tensor) {
	r.binary("axpby", y, alpha, a, beta, b)
}

// Add: y = a + b, all of one shape; y may be a or b (in place).
func (r *Rec) Add(y, a, b *Tensor) { r.binary("add", y, 1, a, 1, b) }

func (r *Rec) binary(op string, y *Tensor, alpha float32, a *Tensor, beta float32, b *Tensor) {
	if r.err != nil {
		return
	}
	if !SameShape(a.Shape, y.Shape) || !SameShape(b.Shape, y.Shape) {
		r.fail(op, "shapes differ: y %v, a %v, b %v", y.Shape, a.Shape, b.Shape)
		return
	}
	n := y.Len()
	r.dispatch(op, "binary", nil, groups1D(n, 256), vk.Push(n, alpha, beta),
		vk.In(a.Buf), vk.In(b.Buf), vk.Out(y.Buf))
}
