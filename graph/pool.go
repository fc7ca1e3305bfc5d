package graph

import "bicycle-vk/vk"

// AvgPool2dOutSize is PyTorch's AvgPool2d output length for one dimension
// (ceil_mode=False).
func AvgPool2dOutSize(in, k, stride, pad int) int { return (in+2*pad-k)/stride + 1 }

// avgPool validates the geometry of x [N,C,H,W] pooled to y and records the
// shader in the given mode (0 forward into y, 1 backward into x; backwards
// whose windows tile rows of a multiple of 4 pixels run as the vec4 mode 2).
func (r *Rec) avgPool(op string, mode uint32, y, x *Tensor, k, stride, pad int, acc bool) {
	if r.err != nil {
		return
	}
	if k < 1 || stride < 1 || pad < 0 || pad > k/2 {
		r.fail(op, "need k >= 1, stride >= 1, 0 <= pad <= k/2; got k %d stride %d pad %d", k, stride, pad)
		return
	}
	if len(x.Shape) != 4 || len(y.Shape) != 4 {
		r.fail(op, "maps must be [N,C,H,W], got %v and %v", x.Shape, y.Shape)
		return
	}
	N, C, H, W := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	if H+2*pad < k || W+2*pad < k {
		r.fail(op, "kernel %d larger than the padded %dx%d map (pad %d)", k, H, W, pad)
		return
	}
	OH, OW := AvgPool2dOutSize(H, k, stride, pad), AvgPool2dOutSize(W, k, stride, pad)
	if !SameShape(y.Shape, []int{N, C, OH, OW}) {
		r.fail(op, "pooled shape %v, want %v for %v with k %d stride %d pad %d",
			y.Shape, []int{N, C, OH, OW}, x.Shape, k, stride, pad)
		return
	}
	out, in := y, x
	if mode == 1 {
		out, in = x, y
	}
	n := out.Len()
	groups := groups1D(n, 128)
	if mode == 1 && k == stride && pad == 0 && W%4 == 0 { // windows tile rows of 4n pixels: vec4 backward
		mode, groups = 2, groups2D(n/4, 128)
	}
	r.dispatch(op, "avg_pool", []uint32{mode}, groups,
		vk.Push(n, H, W, OH, OW, k, stride, pad, acc), vk.Out(out.Buf), vk.In(in.Buf))
}

// AvgPool2d is torch.nn.AvgPool2d(k, stride, pad, count_include_pad=False):
// each output of y [N,C,OH,OW] is the mean of the in-bounds pixels of its
// window in x [N,C,H,W].
func (r *Rec) AvgPool2d(y, x *Tensor, k, stride, pad int) {
	r.avgPool("avg_pool", 0, y, x, k, stride, pad, false)
}

// AvgPool2dBackward: dx (+)= AvgPool2d's input gradient for dy. Each input
// pixel gathers from the outputs whose windows cover it, so no atomics.
func (r *Rec) AvgPool2dBackward(dx, dy *Tensor, k, stride, pad int, acc bool) {
	r.avgPool("avg_pool_backward", 1, dy, dx, k, stride, pad, acc)
}
