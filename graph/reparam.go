package graph

import "bicycle-vk/vk"

// Reparam is the VAE reparameterisation z = mu + eps*exp(logvar/2), eps a
// standard normal sample supplied by the caller; all four share one shape.
func (r *Rec) Reparam(z, mu, logvar, eps *Tensor) {
	const op = "reparam"
	if r.err != nil {
		return
	}
	if !SameShape(mu.Shape, z.Shape) || !SameShape(logvar.Shape, z.Shape) || !SameShape(eps.Shape, z.Shape) {
		r.fail(op, "shapes differ: z %v, mu %v, logvar %v, eps %v", z.Shape, mu.Shape, logvar.Shape, eps.Shape)
		return
	}
	n := z.Len()
	r.dispatch(op, "reparam", []uint32{0}, groups1D(n, 256), vk.Push(n, false),
		vk.In(logvar.Buf), vk.In(eps.Buf), vk.In(mu.Buf), vk.Out(z.Buf))
}

// ReparamBackward: dmu (+)= dz and dlogvar (+)= dz*eps*exp(logvar/2)/2,
// adding into dmu when accMu and into dlogvar when accLogvar is set (eps
// gets no gradient).
func (r *Rec) ReparamBackward(dmu, dlogvar, logvar, eps, dz *Tensor, accMu, accLogvar bool) {
	const op = "reparam_backward"
	if r.err != nil {
		return
	}
	if !SameShape(dlogvar.Shape, dmu.Shape) || !SameShape(logvar.Shape, dmu.Shape) ||
		!SameShape(eps.Shape, dmu.Shape) || !SameShape(dz.Shape, dmu.Shape) {
		r.fail(op, "shapes differ: dmu %v, dlogvar %v, logvar %v, eps %v, dz %v",
			dmu.Shape, dlogvar.Shape, logvar.Shape, eps.Shape, dz.Shape)
		return
	}
	if dmu.Buf == dlogvar.Buf {
		r.fail(op, "dmu and dlogvar are the same tensor")
		return
	}
	n := dmu.Len()
	r.dispatch(op, "reparam", []uint32{1}, groups1D(n, 256), vk.Push(n, accMu, accLogvar),
		vk.In(logvar.Buf), vk.In(eps.Buf), vk.In(dz.Buf), vk.Out(dmu.Buf), vk.Out(dlogvar.Buf))
}
