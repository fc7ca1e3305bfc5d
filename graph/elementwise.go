package graph

import "bicycle-vk/vk"

// unary shader op codes (shaders/unary.comp).
const (
	opLeakyReLU uint32 = iota
	opReLU
	opTanh
	opExp
	opScale
	opLeakyReLUBwd
	opReLUBwd
	opTanhBwd
	opExpBwd
)

func (r *Rec) unary(name string, op uint32, y, x, dy *Tensor, alpha float32, acc bool) {
	if r.err != nil {
		return
	}
	if !SameShape(x.Shape, y.Shape) || (dy != nil && !SameShape(dy.Shape, y.Shape)) {
		r.fail(name, "shapes differ: x %v, y %v", x.Shape, y.Shape)
		return
	}
	if dy == nil {
		dy = x // unused binding; x keeps the descriptor valid
	}
	n := y.Len()
	r.dispatch(name, "unary", []uint32{op}, groups2D(vec4Items(n), 64), vk.Push(n, alpha, acc),
		vk.In(x.Buf), vk.In(dy.Buf), vk.Out(y.Buf))
}

// Fill sets every element of y to v.
func (r *Rec) Fill(y *Tensor, v float32) {
	n := y.Len()
	r.dispatch("fill", "fill", nil, groups1D(n, 256), vk.Push(n, v), vk.Out(y.Buf))
}

// LeakyReLU: y = x > 0 ? x : slope*x.
func (r *Rec) LeakyReLU(y, x *Tensor, slope float32) {
	r.unary("leaky_relu", opLeakyReLU, y, x, nil, slope, false)
}

// ReLU: y = max(x, 0).
func (r *Rec) ReLU(y, x *Tensor) { r.unary("relu", opReLU, y, x, nil, 0, false) }

// Tanh: y = tanh(x).
func (r *Rec) Tanh(y, x *Tensor) { r.unary("tanh", opTanh, y, x, nil, 0, false) }

// Exp: y = exp(x).
func (r *Rec) Exp(y, x *Tensor) { r.unary("exp", opExp, y, x, nil, 0, false) }

// Scale: y = s*x (y may be x). With acc, y += s*x, which also serves as
// gradient accumulation.
func (r *Rec) Scale(y, x *Tensor, s float32, acc bool) { r.unary("scale", opScale, y, x, nil, s, acc) }

// LeakyReLUBackward: dx (+)= dy * (x > 0 ? 1 : slope), x the forward input.
func (r *Rec) LeakyReLUBackward(dx, x, dy *Tensor, slope float32, acc bool) {
	r.unary("leaky_relu_backward", opLeakyReLUBwd, dx, x, dy, slope, acc)
}

// ReLUBackward: dx (+)= x > 0 ? dy : 0, x the forward input.
func (r *Rec) ReLUBackward(dx, x, dy *Tensor, acc bool) {
	r.unary("relu_backward", opReLUBwd, dx, x, dy, 0, acc)
}

// TanhBackward: dx (+)= dy * (1 - y^2), y the forward output.
func (r *Rec) TanhBackward(dx, y, dy *Tensor, acc bool) {
	r.unary("tanh_backward", opTanhBwd, dx, y, dy, 0, acc)
}

// ExpBackward: dx (+)= dy * y, y the forward output.
func (r *Rec) ExpBackward(dx, y, dy *Tensor, acc bool) {
	r.unary("exp_backward", opExpBwd, dx, y, dy, 0, acc)
}
