package graph

import "bicycle-vk/vk"

// LinearFLOPs counts a linear layer's forward on [n,in] -> [n,out] as
// multiply-adds times 2; each of its two backward passes costs the same.
func LinearFLOPs(n, in, out int) float64 { return 2 * float64(n) * float64(in) * float64(out) }

// linear records one mode of shaders/linear.comp after checking x [N,I],
// w [O,I] and y [N,O] (the forward-pass names; backward passes gradients in
// their places).
func (r *Rec) linear(op string, mode uint32, out, a, b, bias, x, w, y *Tensor, acc bool) {
	if r.err != nil {
		return
	}
	if len(x.Shape) != 2 || len(w.Shape) != 2 || len(y.Shape) != 2 {
		r.fail(op, "x %v, w %v and y %v must be 2-D", x.Shape, w.Shape, y.Shape)
		return
	}
	N, I, O := x.Shape[0], x.Shape[1], w.Shape[0]
	if w.Shape[1] != I || !SameShape(y.Shape, []int{N, O}) {
		r.fail(op, "x %v, w %v, y %v: want x [N,I], w [O,I], y [N,O]", x.Shape, w.Shape, y.Shape)
		return
	}
	if bias != nil && !SameShape(bias.Shape, []int{O}) {
		r.fail(op, "bias shape %v, want [%d]", bias.Shape, O)
		return
	}
	if bias == nil {
		bias = a // unused binding; a keeps the descriptor valid
	}
	r.dispatch(op, "linear", []uint32{mode}, groups1D(out.Len(), 64), vk.Push(N, I, O, acc),
		vk.Out(out.Buf), vk.In(a.Buf), vk.In(b.Buf), vk.In(bias.Buf))
}

// Linear is torch.nn.functional.linear: y = x w^T + b for x [N,I], w [O,I]
// (PyTorch's layout), b [O], y [N,O].
func (r *Rec) Linear(y, x, w, b *Tensor) {
	if r.err != nil {
		return
	}
	if b == nil {
		r.fail("linear", "bias is required")
		return
	}
	r.linear("linear", 0, y, x, w, b, x, w, y, false)
}

// LinearBackwardData: dx (+)= dy w, dx [N,I], w [O,I], dy [N,O].
func (r *Rec) LinearBackwardData(dx, w, dy *Tensor, acc bool) {
	r.linear("linear_backward_data", 1, dx, dy, w, nil, dx, w, dy, acc)
}

// LinearBackwardWeight: dw (+)= dy^T x, dw [O,I], x [N,I], dy [N,O]. The
// bias gradient is ChannelSum(db, dy).
func (r *Rec) LinearBackwardWeight(dw, x, dy *Tensor, acc bool) {
	r.linear("linear_backward_weight", 2, dw, dy, x, nil, x, dw, dy, acc)
}
