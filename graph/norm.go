package graph

import "bicycle-vk/vk"

// checkInstanceNorm validates the shapes shared by InstanceNorm2d and its
// backward and returns N, C and H*W.
func (r *Rec) checkInstanceNorm(op string, x, gamma, stats *Tensor, same ...*Tensor) (N, C, HW int, ok bool) {
	if len(x.Shape) != 4 {
		r.fail(op, "x must be [N,C,H,W], got %v", x.Shape)
		return 0, 0, 0, false
	}
	N, C, HW = x.Shape[0], x.Shape[1], x.Shape[2]*x.Shape[3]
	for _, t := range same {
		if !SameShape(t.Shape, x.Shape) {
			r.fail(op, "shape %v differs from x %v", t.Shape, x.Shape)
			return 0, 0, 0, false
		}
	}
	if !SameShape(gamma.Shape, []int{C}) {
		r.fail(op, "gamma shape %v, want [%d]", gamma.Shape, C)
		return 0, 0, 0, false
	}
	if stats.Len() != 2*N*C {
		r.fail(op, "stats has %d elements (shape %v), want N*C*2 = %d", stats.Len(), stats.Shape, 2*N*C)
		return 0, 0, 0, false
	}
	return N, C, HW, true
}

// InstanceNorm2d is torch.nn.InstanceNorm2d(affine=True) in training mode:
// y = (x - mean)/sqrt(var + eps)*gamma[c] + beta[c] with the biased variance
// of each (n,c) plane of x [N,C,H,W]. It writes stats [N*C*2] (mean, 1/std
// per plane) for InstanceNorm2dBackward.
func (r *Rec) InstanceNorm2d(y, x, gamma, beta, stats *Tensor, eps float32) {
	const op = "instance_norm"
	if r.err != nil {
		return
	}
	N, C, HW, ok := r.checkInstanceNorm(op, x, gamma, stats, y)
	if !ok {
		return
	}
	if !SameShape(beta.Shape, []int{C}) {
		r.fail(op, "beta shape %v, want [%d]", beta.Shape, C)
		return
	}
	spec, groups := r.reducePlan(N*C, HW)
	spec = append(spec, boolSpec(HW%4 == 0)) // VEC4
	r.dispatch(op, "instance_norm", spec, groups,
		vk.Push(N*C, C, HW, eps),
		vk.Out(y.Buf), vk.Out(stats.Buf), vk.In(x.Buf), vk.In(gamma.Buf), vk.In(beta.Buf))
}

// InstanceNorm2dBackward computes the gradients of InstanceNorm2d's x, gamma
// and beta from the forward's input x and stats. With accX dx is added to,
// with accParams dgamma and dbeta are (pass one flag twice to treat all three
// alike). One workgroup (or invocation) per channel walks the batch, so
// dgamma and dbeta need no atomics.
func (r *Rec) InstanceNorm2dBackward(dx, dgamma, dbeta, x, gamma, stats, dy *Tensor, accX, accParams bool) {
	const op = "instance_norm_backward"
	if r.err != nil {
		return
	}
	N, C, HW, ok := r.checkInstanceNorm(op, x, gamma, stats, dx, dy)
	if !ok {
		return
	}
	if !SameShape(dgamma.Shape, []int{C}) || !SameShape(dbeta.Shape, []int{C}) {
		r.fail(op, "dgamma %v and dbeta %v must be [%d]", dgamma.Shape, dbeta.Shape, C)
		return
	}
	spec, groups := r.reducePlan(C, HW)
	spec = append(spec, boolSpec(HW%4 == 0)) // VEC4
	r.dispatch(op, "instance_norm_backward", spec, groups,
		vk.Push(N, C, HW, accX, accParams),
		vk.Out(dx.Buf), vk.Out(dgamma.Buf), vk.Out(dbeta.Buf),
		vk.In(x.Buf), vk.In(gamma.Buf), vk.In(stats.Buf), vk.In(dy.Buf))
}
