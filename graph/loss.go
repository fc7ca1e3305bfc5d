package graph

import "bicycle-vk/vk"

// loss.comp and loss_backward.comp modes.
const (
	lossMSEConst uint32 = iota
	lossL1
	lossKL
)

// lossForward records a scalar loss into y (one element) over n terms.
func (r *Rec) lossForward(op string, mode uint32, y, a, b *Tensor, target, scale float32) {
	if r.err != nil {
		return
	}
	if y.Len() != 1 {
		r.fail(op, "y must have one element, got shape %v", y.Shape)
		return
	}
	if !SameShape(a.Shape, b.Shape) {
		r.fail(op, "input shapes differ: %v and %v", a.Shape, b.Shape)
		return
	}
	r.dispatch(op, "loss", []uint32{mode}, [3]uint32{1, 1, 1}, vk.Push(a.Len(), target, scale),
		vk.Out(y.Buf), vk.In(a.Buf), vk.In(b.Buf))
}

// lossBackward records the elementwise gradient d0 (and d1 for KL), added
// to with acc0 (acc1).
func (r *Rec) lossBackward(op string, mode uint32, d0, d1, a, b *Tensor, target, k float32, acc0, acc1 bool) {
	if r.err != nil {
		return
	}
	for _, t := range []*Tensor{d0, d1, b} {
		if !SameShape(t.Shape, a.Shape) {
			r.fail(op, "shape %v differs from the input's %v", t.Shape, a.Shape)
			return
		}
	}
	n := a.Len()
	d1acc := vk.In(a.Buf) // unused binding unless KL
	if mode == lossKL {
		d1acc = vk.Out(d1.Buf)
	}
	r.dispatch(op, "loss_backward", []uint32{mode}, groups1D(n, 256), vk.Push(n, target, k, acc0, acc1),
		vk.Out(d0.Buf), vk.In(a.Buf), vk.In(b.Buf), d1acc)
}

// MSEConst: y[0] = mean((x - target)^2), the least-squares GAN loss against
// a constant label.
func (r *Rec) MSEConst(y, x *Tensor, target float32) {
	r.lossForward("mse_const", lossMSEConst, y, x, x, target, 1/float32(x.Len()))
}

// MSEConstBackward: dx (+)= g*2*(x - target)/n for upstream gradient g.
func (r *Rec) MSEConstBackward(dx, x *Tensor, target, g float32, acc bool) {
	r.lossBackward("mse_const_backward", lossMSEConst, dx, dx, x, x, target, 2*g/float32(x.Len()), acc, false)
}

// L1Mean: y[0] = mean(|a - b|).
func (r *Rec) L1Mean(y, a, b *Tensor) {
	r.lossForward("l1_mean", lossL1, y, a, b, 0, 1/float32(a.Len()))
}

// L1MeanBackward: da (+)= g*sign(a - b)/n with sign(0) = 0. The gradient of
// b is -da (Scale it).
func (r *Rec) L1MeanBackward(da, a, b *Tensor, g float32, acc bool) {
	r.lossBackward("l1_mean_backward", lossL1, da, da, a, b, 0, g/float32(a.Len()), acc, false)
}

// KL: y[0] = sum(0.5*(mu^2 + exp(logvar) - logvar - 1)), the KL divergence
// of N(mu, exp(logvar)) to N(0,1) summed over all elements.
func (r *Rec) KL(y, mu, logvar *Tensor) {
	r.lossForward("kl", lossKL, y, mu, logvar, 0, 1)
}

// KLBackward: dmu (+)= g*mu (adding with accMu), dlogvar (+)=
// g*0.5*(exp(logvar) - 1) (adding with accLogvar).
func (r *Rec) KLBackward(dmu, dlogvar, mu, logvar *Tensor, g float32, accMu, accLogvar bool) {
	r.lossBackward("kl_backward", lossKL, dmu, dlogvar, mu, logvar, 0, g, accMu, accLogvar)
}
