package graph

import "bicycle-vk/vk"

// channelSplit views a tensor of rank >= 2 as [N, C, inner], inner being the
// product of the spatial dimensions, so that channel copies work the same on
// [N,C,H,W] maps and [N,F] feature vectors.
func channelSplit(t *Tensor) (n, c, inner int) {
	inner = 1
	for _, d := range t.Shape[2:] {
		inner *= d
	}
	return t.Shape[0], t.Shape[1], inner
}

// sameSpatial reports whether a and b agree on every dimension past the
// channel one, reading missing trailing dimensions as 1 (see Tensor.Dim), so
// that [N,C] and [N,C,1,1] match.
func sameSpatial(a, b *Tensor) bool {
	r := max(len(a.Shape), len(b.Shape))
	for i := 2; i < r; i++ {
		if a.Dim(i) != b.Dim(i) {
			return false
		}
	}
	return true
}

// CopyChannels copies count channels of src, starting at channel srcOff,
// into dst starting at channel dstOff: for every batch item n, channel
// c < count and spatial position i,
//
//	dst[n, dstOff+c, i] (+)= src[n, srcOff+c, i]
//
// adding instead of overwriting when acc is set. dst and src must be
// different tensors of rank >= 2 with equal batch and spatial sizes. It is
// the forward of channel concatenation (writing each input into its slice of
// the output) and its backward (reading the slices out).
//
// Two copies into disjoint channel slices of the same dst are ordered by a
// barrier: the dispatch binds the whole of dst, and the recorder's hazard
// tracking works on buffer ranges, so it sees a write after write.
func (r *Rec) CopyChannels(dst *Tensor, dstOff int, src *Tensor, srcOff, count int, acc bool) {
	const op = "copy_channels"
	if r.err != nil {
		return
	}
	if len(dst.Shape) < 2 || len(src.Shape) < 2 {
		r.fail(op, "need rank >= 2, got dst %v, src %v", dst.Shape, src.Shape)
		return
	}
	if dst.Buf == src.Buf {
		r.fail(op, "dst and src are the same tensor (%v)", dst.Shape)
		return
	}
	n, dstC, inner := channelSplit(dst)
	sn, srcC, _ := channelSplit(src)
	if n != sn || !sameSpatial(dst, src) {
		r.fail(op, "dst %v and src %v differ in batch or spatial size", dst.Shape, src.Shape)
		return
	}
	if count < 1 || srcOff < 0 || dstOff < 0 || srcOff+count > srcC || dstOff+count > dstC {
		r.fail(op, "channels [%d, %d) of src %v into [%d, %d) of dst %v out of range",
			srcOff, srcOff+count, src.Shape, dstOff, dstOff+count, dst.Shape)
		return
	}
	span := count * inner
	vec4 := inner%4 == 0
	per := 256
	if vec4 {
		per *= 4
	}
	groups := groups1D(span, per)
	groups[1] = uint32(min(n, maxGroups))
	r.dispatch(op, "channel_copy", []uint32{boolSpec(vec4)}, groups,
		vk.Push(n, span, srcC*inner, srcOff*inner, dstC*inner, dstOff*inner, acc),
		vk.In(src.Buf), vk.Out(dst.Buf))
}

// Concat is torch.cat(xs, dim=1) into y, whose channel count must be the sum
// of the inputs'; it records one CopyChannels per input.
func (r *Rec) Concat(y *Tensor, xs ...*Tensor) {
	if r.err != nil {
		return
	}
	if !r.concatChannels("concat", y, xs) {
		return
	}
	off := 0
	for _, x := range xs {
		r.CopyChannels(y, off, x, 0, x.Shape[1], false)
		off += x.Shape[1]
	}
}

// ConcatBackward splits dy, the gradient of Concat's output, into the
// inputs' gradients dxs (adding into them when acc is set); their channel
// counts must add up to dy's.
func (r *Rec) ConcatBackward(dxs []*Tensor, dy *Tensor, acc bool) {
	if r.err != nil {
		return
	}
	if !r.concatChannels("concat_backward", dy, dxs) {
		return
	}
	off := 0
	for _, dx := range dxs {
		r.CopyChannels(dx, 0, dy, off, dx.Shape[1], acc)
		off += dx.Shape[1]
	}
}

// concatChannels checks that the parts' channel counts add up to whole's
// (CopyChannels checks the other dimensions).
func (r *Rec) concatChannels(op string, whole *Tensor, parts []*Tensor) bool {
	if len(parts) == 0 {
		r.fail(op, "no inputs")
		return false
	}
	if len(whole.Shape) < 2 {
		r.fail(op, "need rank >= 2, got %v", whole.Shape)
		return false
	}
	sum := 0
	for i, x := range parts {
		if x == nil || len(x.Shape) < 2 {
			r.fail(op, "input %d is nil or of rank < 2", i)
			return false
		}
		sum += x.Shape[1]
	}
	if sum != whole.Shape[1] {
		r.fail(op, "inputs have %d channels in all, the concatenation %v has %d", sum, whole.Shape, whole.Shape[1])
		return false
	}
	return true
}
