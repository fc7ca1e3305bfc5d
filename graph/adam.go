package graph

import (
	"math"

	"bicycle-vk/vk"
)

// AdamHyperLen is the length of the hyper-parameter tensor Adam reads.
const AdamHyperLen = 8

// AdamHyper returns the values of Adam's hyper-parameter tensor (shape
// [AdamHyperLen]) for step t >= 1 (the step number after incrementing, as in
// PyTorch): [lr/bc1, b1, 1-b1, b2, 1-b2, sqrt(bc2), eps, 0] with
// bc1 = 1-b1^t and bc2 = 1-b2^t computed in float64. Upload them before
// each Run of a recorded step; the recording itself never changes.
func AdamHyper(lr, b1, b2, eps float64, t int) []float32 {
	bc1 := 1 - math.Pow(b1, float64(t))
	bc2 := 1 - math.Pow(b2, float64(t))
	return []float32{
		float32(lr / bc1),
		float32(b1), float32(1 - b1),
		float32(b2), float32(1 - b2),
		float32(math.Sqrt(bc2)),
		float32(eps),
		0,
	}
}

// Adam records one torch.optim.Adam step (no weight decay, no amsgrad) on
// parameter p with gradient g, updating p and the moments m and v in place:
//
//	m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2
//	p -= (lr/bc1) * (m / (sqrt(v)/sqrt(bc2) + eps))
//
// The hyper-parameters come from the device tensor hyper, filled from
// AdamHyper, so that one recording serves every step. m and v start at zero.
func (r *Rec) Adam(p, g, m, v, hyper *Tensor) {
	const op = "adam"
	if r.err != nil {
		return
	}
	if !SameShape(g.Shape, p.Shape) || !SameShape(m.Shape, p.Shape) || !SameShape(v.Shape, p.Shape) {
		r.fail(op, "shapes differ: p %v, g %v, m %v, v %v", p.Shape, g.Shape, m.Shape, v.Shape)
		return
	}
	if hyper.Len() != AdamHyperLen {
		r.fail(op, "hyper has shape %v, want [%d] (see AdamHyper)", hyper.Shape, AdamHyperLen)
		return
	}
	if p.Buf == m.Buf || p.Buf == v.Buf || m.Buf == v.Buf {
		r.fail(op, "p, m and v must be distinct tensors")
		return
	}
	n := p.Len()
	r.dispatch(op, "adam", nil, groups2D(vec4Items(n), 64), vk.Push(n),
		vk.Out(p.Buf), vk.In(g.Buf), vk.Out(m.Buf), vk.Out(v.Buf), vk.In(hyper.Buf))
}
