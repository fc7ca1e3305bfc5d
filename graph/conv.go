package graph

import "bicycle-vk/vk"

// Conv2dOutSize is PyTorch's Conv2d output length for one dimension.
func Conv2dOutSize(in, k, stride, pad int) int { return (in+2*pad-k)/stride + 1 }

// ConvTranspose2dOutSize is PyTorch's ConvTranspose2d output length for one
// dimension (output_padding 0).
func ConvTranspose2dOutSize(in, k, stride, pad int) int { return (in-1)*stride - 2*pad + k }

// Conv2dFLOPs counts a conv2d forward with output [n,co,oh,ow] as multiply-adds
// times 2; each of its two backward passes costs the same.
func Conv2dFLOPs(n, ci, co, oh, ow, kh, kw int) float64 {
	return 2 * float64(n) * float64(co) * float64(oh*ow) * float64(ci*kh*kw)
}

// ConvTranspose2dFLOPs counts a conv_transpose2d forward with input
// [n,ci,h,w]: every input pixel meets kh*kw weights per output channel.
func ConvTranspose2dFLOPs(n, ci, co, h, w, kh, kw int) float64 {
	return 2 * float64(n) * float64(ci) * float64(h*w) * float64(co*kh*kw)
}

// convGeom is the geometry shared by the conv family's shaders: an "input"
// map [N,Ci,H,W] and an "output" map [N,Co,OH,OW] related by oy = iy... as the
// shader defines it.
type convGeom struct{ N, Ci, H, W, Co, OH, OW, KH, KW, stride, pad int }

func nextPow2(n int) int {
	p := 1
	for p < n {
		p *= 2
	}
	return p
}

// fit shrinks a tile for a small problem: no more channels per invocation
// than there are channels, no more pixels per workgroup than there are
// pixels, so small layers do not spend most lanes on padding. A Mode 1 tile
// (lanes over channels) shrinks the other way round.
func (t ConvTile) fit(channels, pixels int) ConvTile {
	if t.Mode == 1 {
		t.TN = min(t.TN, pixels)
		t.WG = min(t.WG, max(8, nextPow2(channels)))
		t.TM = max(1, min(t.TM, ceilDiv(channels, t.WG)))
		return t
	}
	t.TM = min(t.TM, nextPow2(channels))
	for t.WG*t.TN > nextPow2(pixels) && t.TN > 1 {
		t.TN /= 2
	}
	for t.WG*t.TN > nextPow2(pixels) && t.WG > 1 {
		t.WG /= 2
	}
	return t
}

// groups is the grid of a conv tile over channels x pixels.
func (t ConvTile) groups(channels, pixels int) (gx, gy int) {
	if t.Mode == 1 {
		return ceilDiv(pixels, t.TN), ceilDiv(channels, t.WG*t.TM)
	}
	return ceilDiv(pixels, t.WG*t.TN), ceilDiv(channels, t.TM)
}

// pick chooses the tile of a conv-like pass with the given output channels
// and output pixels (per parity class).
func (tu Tuning) pick(many, few ConvTile, kh, kw, channels, pixels int) ConvTile {
	t := many
	if pixels <= tu.FewPixels || kh*kw > 32 && many.Mode == 0 {
		t = few
		if t.WG == 0 { // no few-pixel tile on this device: lanes over channels, plain
			t = ConvTile{WG: 64, TM: 1, TN: 1, Mode: 1}
		}
	}
	return t.fit(channels, pixels)
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// checkConv validates a conv's tensors: x [N,Ci,H,W], w with shape
// wshape, y [N,Co,OH,OW] with the sizes the stride and padding imply.
func (r *Rec) checkConv(op string, stride, pad int, x, w, b, y *Tensor, wshape []int) bool {
	if r.err != nil {
		return false
	}
	if len(x.Shape) != 4 || len(y.Shape) != 4 || len(w.Shape) != 4 {
		r.fail(op, "want 4-D x, w, y; got %v, %v, %v", x.Shape, w.Shape, y.Shape)
		return false
	}
	if stride < 1 || pad < 0 {
		r.fail(op, "stride %d, padding %d", stride, pad)
		return false
	}
	if !SameShape(w.Shape, wshape) {
		r.fail(op, "weight shape %v, want %v (x %v, y %v)", w.Shape, wshape, x.Shape, y.Shape)
		return false
	}
	if b != nil && (len(b.Shape) != 1 || b.Shape[0] != y.Shape[1]) {
		r.fail(op, "bias shape %v, want [%d]", b.Shape, y.Shape[1])
		return false
	}
	return true
}

// gather records conv2d.comp: y = conv(x, w) (+ bias), w read as [Co,Ci,KH,KW].
func (r *Rec) gather(op string, y, x, w, b *Tensor, stride, pad int, acc bool) {
	g := convGeom{N: x.Dim(0), Ci: x.Dim(1), H: x.Dim(2), W: x.Dim(3), Co: y.Dim(1), OH: y.Dim(2), OW: y.Dim(3),
		KH: w.Dim(2), KW: w.Dim(3), stride: stride, pad: pad}
	if r.err != nil {
		return
	}
	if y.Dim(0) != g.N || g.OH != Conv2dOutSize(g.H, g.KH, stride, pad) || g.OW != Conv2dOutSize(g.W, g.KW, stride, pad) {
		r.fail(op, "output %v does not match input %v with kernel %dx%d, stride %d, padding %d",
			y.Shape, x.Shape, g.KH, g.KW, stride, pad)
		return
	}
	tu := r.e.Tune
	if r.gemm(op, 0, tu.GemmConv, g, x, w, b, y, acc) {
		return
	}
	if tu.rows(g) {
		r.rows(op, g, false, x, w, b, y, acc)
		return
	}
	t := tu.pick(tu.Conv, tu.ConvFew, g.KH, g.KW, g.Co, g.N*g.OH*g.OW)
	gx, gy := t.groups(g.Co, g.N*g.OH*g.OW)
	groups := [3]uint32{uint32(gx), uint32(gy), 1}
	r.dispatchConv(op, "conv2d", t, g, groups, x, w, b, y, acc)
}

// rows says whether conv2d.comp's row-window mode takes a conv of geometry
// g: on lavapipe it wins only at stride 1 with 4-wide kernels (vec4 weight
// rows); at stride 2 and with 3x3 kernels it measured slower than Mode 0.
func (tu Tuning) rows(g convGeom) bool {
	return tu.Rows.WG != 0 && g.stride == 1 && g.KW == 4 && g.N*g.OH*g.OW > tu.FewPixels
}

// rows records conv2d.comp's row-window mode (Mode 2). With wt, w has a
// transposed conv's layout [Ci,Co,KH,KW] and g is a stride-1 transposed conv
// with padding g.pad, run as a conv with the flipped kernel and padding KH-1-pad.
func (r *Rec) rows(op string, g convGeom, wt bool, x, w, b, y *Tensor, acc bool) {
	t := r.e.Tune.Rows
	t.TM = min(t.TM, nextPow2(g.Co))
	t.TN = min(t.TN, nextPow2(g.OW))
	ng := g.N * g.OH * ceilDiv(g.OW, t.TN)
	for t.WG > 1 && t.WG > nextPow2(ng) {
		t.WG /= 2
	}
	groups := [3]uint32{uint32(ceilDiv(ng, t.WG)), uint32(ceilDiv(g.Co, t.TM)), 1}
	wtv := 0
	if wt {
		wtv = 1
		g.pad = g.KH - 1 - g.pad
	}
	hasBias := b != nil
	if b == nil {
		b = w
	}
	r.dispatch(op, "conv2d", []uint32{uint32(t.WG), uint32(t.TM), uint32(t.TN), uint32(g.KH), uint32(g.KW), 2, uint32(g.stride), uint32(wtv)},
		groups, vk.Push(g.N, g.Ci, g.H, g.W, g.Co, g.OH, g.OW, g.stride, g.pad, hasBias, acc),
		vk.In(x.Buf), vk.In(w.Buf), vk.In(b.Buf), vk.Out(y.Buf))
}

// scatter records conv_transpose2d.comp: y = conv_transpose(x, w) (+ bias),
// w read as [Ci,Co,KH,KW].
func (r *Rec) scatter(op string, y, x, w, b *Tensor, stride, pad int, acc bool) {
	g := convGeom{N: x.Dim(0), Ci: x.Dim(1), H: x.Dim(2), W: x.Dim(3), Co: y.Dim(1), OH: y.Dim(2), OW: y.Dim(3),
		KH: w.Dim(2), KW: w.Dim(3), stride: stride, pad: pad}
	if r.err != nil {
		return
	}
	// The output may be up to stride-1 larger than the transposed size: that
	// is conv2d's input gradient when (H+2p-K) is not a multiple of the stride.
	if y.Dim(0) != g.N || Conv2dOutSize(g.OH, g.KH, stride, pad) != g.H || Conv2dOutSize(g.OW, g.KW, stride, pad) != g.W {
		r.fail(op, "output %v does not match input %v with kernel %dx%d, stride %d, padding %d",
			y.Shape, x.Shape, g.KH, g.KW, stride, pad)
		return
	}
	tu := r.e.Tune
	if r.convtSmall(op, g, x, w, b, y, acc) || r.gemm(op, 1, tu.GemmConvT, g, x, w, b, y, acc) {
		return
	}
	if tu.rows(g) && g.KH == g.KW && pad <= g.KH-1 {
		r.rows(op, g, true, x, w, b, y, acc)
		return
	}
	// Pixels per parity class.
	qh, qw := ceilDiv(g.OH, stride), ceilDiv(g.OW, stride)
	if t := tu.ConvTRows; t.WG != 0 && stride == 2 && g.N*qh*qw > tu.FewPixels {
		t.TM = min(t.TM, nextPow2(g.Co))
		t.TN = min(t.TN, nextPow2(qw))
		ng := g.N * qh * ceilDiv(qw, t.TN)
		for t.WG > 1 && t.WG > nextPow2(ng) {
			t.WG /= 2
		}
		groups := [3]uint32{uint32(ceilDiv(ng, t.WG)), uint32(ceilDiv(g.Co, t.TM)), uint32(stride * stride)}
		r.dispatchConv(op, "conv_transpose2d", t, g, groups, x, w, b, y, acc)
		return
	}
	t := tu.pick(tu.ConvT, tu.ConvTFew, g.KH, g.KW, g.Co, g.N*qh*qw)
	gx, gy := t.groups(g.Co, g.N*qh*qw)
	groups := [3]uint32{uint32(gx), uint32(gy), uint32(stride * stride)}
	r.dispatchConv(op, "conv_transpose2d", t, g, groups, x, w, b, y, acc)
}

// gemm records conv_gemm.comp's op (0 conv2d, 1 conv_transpose2d, 2 conv2d
// weight gradient; see the shader) if tile t is on and the pass has enough
// columns to fill its lanes, and says whether it did. For op 2, w is the
// output gradient and y the weight gradient.
func (r *Rec) gemm(op string, kind int, t ConvTile, g convGeom, x, w, b, y *Tensor, acc bool) bool {
	if t.WG == 0 || !r.e.Dev.Addresses() {
		return false
	}
	var cols, classes int
	switch kind {
	case 0:
		cols, classes = g.N*g.OH*g.OW, 1
	case 1:
		cols, classes = g.N*ceilDiv(g.OH, g.stride)*ceilDiv(g.OW, g.stride), g.stride*g.stride
	default:
		cols, classes = g.Ci*g.KH*g.KW, 1
	}
	if kind != 2 && cols < r.e.Tune.GemmMinCols {
		return r.gemmFew(op, kind, cols, classes, g, x, w, b, y, acc)
	}
	if r.gemmRows(op, kind, classes, g, x, w, b, y, acc) {
		return true
	}
	t.TM = min(t.TM, nextPow2(g.Co))
	t.TN = max(1, min(t.TN, ceilDiv(cols, 8)))
	groups := [3]uint32{uint32(ceilDiv(cols, 8*t.TN)), uint32(ceilDiv(g.Co, t.TM)), uint32(classes)}
	if groups[0] > maxGroups || groups[1] > maxGroups {
		return false
	}
	// t.Mode: 8-step groups per chunk, for passes whose K has 256+ steps and
	// with 16+ rows (D's last layer, 1 row, measured 3.7 against 5.4 GFLOP/s).
	chs, k := 1, g.N*g.OH*g.OW
	if kind == 0 {
		k = g.Ci * g.KH * g.KW
	} else if kind == 1 {
		k = g.Ci * ceilDiv(g.KH, g.stride) * ceilDiv(g.KW, g.stride)
	}
	if t.Mode > 1 && k >= 256 && t.TM >= 16 {
		chs = t.Mode
	}
	r.dispatchGather(op, "conv_gemm", []uint32{uint32(t.TM), uint32(t.TN), uint32(g.KH), uint32(g.KW), uint32(kind), uint32(g.stride), uint32(chs)},
		groups, g, x, w, b, y, acc)
	return true
}

// gemmRows records conv_gemm_rows.comp (lanes over runs of neighbouring
// output columns) for a conv (kind 0) or transposed conv (kind 1) if its
// tile is on and the kernel rows fit it, and says whether it did.
func (r *Rec) gemmRows(op string, kind, classes int, g convGeom, x, w, b, y *Tensor, acc bool) bool {
	t := r.e.Tune.GemmRows
	if kind == 1 {
		t = r.e.Tune.GemmRowsT
	}
	// Transposed convs at stride 2 used to stay on conv_gemm.comp (0.91-0.95x
	// its speed here); since both kernels gather a chunk's inputs before the
	// multiply-adds, rows runs them 1.2-1.6x faster (in-process A/B, best of
	// 6: G.up_6 36.6 -> 47.8 GFLOP/s, G.down_3's input gradient 50 -> 64).
	if t.WG == 0 || kind == 2 {
		return false
	}
	rw, rows, cols := g.KW, g.OH, g.OW // taps per kernel row; output rows and columns per pass
	if kind == 1 {
		rw, rows, cols = ceilDiv(g.KW, g.stride), ceilDiv(g.OH, g.stride), ceilDiv(g.OW, g.stride)
	}
	t.TM = min(t.TM, nextPow2(g.Co))
	t.TN = max(1, min(t.TN, cols))
	sw := g.stride
	if kind == 1 {
		sw = 1
	}
	if rw > 8 || (t.TN-1)*sw+rw > 32 {
		return false
	}
	// Shorter runs on small maps, so that the runs fill the 8 lanes.
	for t.TN > 1 && g.N*rows*ceilDiv(cols, t.TN) < 8 {
		t.TN = ceilDiv(t.TN, 2)
	}
	runs := g.N * rows * ceilDiv(cols, t.TN)
	if runs < 8 { // fewer runs than lanes: conv_gemm.comp keeps every lane busy
		return false
	}
	groups := [3]uint32{uint32(ceilDiv(runs, 8)), uint32(ceilDiv(g.Co, t.TM)), uint32(classes)}
	if groups[0] > maxGroups || groups[1] > maxGroups {
		return false
	}
	r.dispatchGather(op, "conv_gemm_rows", []uint32{uint32(t.TM), uint32(t.TN), uint32(g.KH), uint32(g.KW), uint32(g.stride), uint32(kind)},
		groups, g, x, w, b, y, acc)
	return true
}

// convtSmall records convt_small.comp (the whole transposed conv of a map
// of at most 4 pixels, weights read as vec4s) if its tile is on and the
// geometry fits it, and says whether it did.
func (r *Rec) convtSmall(op string, g convGeom, x, w, b, y *Tensor, acc bool) bool {
	t := r.e.Tune.GemmSmallT
	// A 1-pixel input uses only the taps that land inside the output (4 of
	// 16 for G.up_1), so reading all of them as vec4s lost there: 9.0 ->
	// 12.5 ms per iteration against the few-pixel tiles.
	if t.WG == 0 || !r.e.Dev.Addresses() || g.H*g.W < 2 || g.H*g.W > 4 || g.OH*g.OW > 16 || g.KH*g.KW%4 != 0 {
		return false
	}
	tc := max(1, min(t.TM, ceilDiv(g.Co, 8)))
	groups := [3]uint32{uint32(ceilDiv(g.Co, 8*tc)), 1, uint32(g.N)}
	if groups[0] > maxGroups || groups[2] > maxGroups {
		return false
	}
	r.dispatchGather(op, "convt_small", []uint32{uint32(tc), uint32(g.H), uint32(g.W), uint32(g.OH), uint32(g.OW),
		uint32(g.KH), uint32(g.KW), uint32(g.stride), uint32(g.pad)}, groups, g, x, w, b, y, acc)
	return true
}

// dispatchGather records one of the gather kernels, which share their push
// constants: the addresses of x, w, the bias (0 if none) and y, then the
// geometry. The tensors stay bound as well, for the barriers.
func (r *Rec) dispatchGather(op, shader string, spec []uint32, groups [3]uint32, g convGeom, x, w, b, y *Tensor, acc bool) {
	hasBias := b != nil
	var baddr uint64
	bias := w // unused binding; any valid buffer keeps the descriptor legal
	if hasBias {
		bias, baddr = b, b.Buf.Address()
	}
	r.dispatch(op, shader, spec, groups, vk.Push(x.Buf.Address(), w.Buf.Address(), baddr, y.Buf.Address(),
		g.N, g.Ci, g.H, g.W, g.Co, g.OH, g.OW, g.pad, hasBias, acc),
		vk.In(x.Buf), vk.In(w.Buf), vk.In(bias.Buf), vk.Access{Buf: y.Buf, Write: true})
}

// gemmFew records conv_gemm_few.comp (lanes over output channels) for a
// conv or transposed conv with fewer output pixels than conv_gemm.comp's
// lanes but more than one, if its tile is on, and says whether it did.
func (r *Rec) gemmFew(op string, kind, pixels, classes int, g convGeom, x, w, b, y *Tensor, acc bool) bool {
	t := r.e.Tune.GemmFew
	if t.WG == 0 || pixels < 2 || !r.e.Dev.Addresses() {
		return false
	}
	tp := min(t.TN, pixels)
	tc := max(1, min(t.TM, ceilDiv(g.Co, t.WG)))
	groups := [3]uint32{uint32(ceilDiv(pixels, tp)), uint32(ceilDiv(g.Co, t.WG*tc)), uint32(classes)}
	if groups[0] > maxGroups || groups[1] > maxGroups {
		return false
	}
	vw := kind == 0 && g.Ci*g.KH*g.KW%8 == 0 // whole chunks of 16-byte-aligned weights
	r.dispatchGather(op, "conv_gemm_few", []uint32{uint32(tp), uint32(tc), uint32(g.KH), uint32(g.KW), uint32(kind), uint32(g.stride), boolSpec(vw)},
		groups, g, x, w, b, y, acc)
	return true
}

func (r *Rec) dispatchConv(op, shader string, t ConvTile, g convGeom, groups [3]uint32, x, w, b, y *Tensor, acc bool) {
	hasBias := b != nil
	if b == nil {
		b = w // unused binding; any valid buffer keeps the descriptor legal
	}
	spec := []uint32{uint32(t.WG), uint32(t.TM), uint32(t.TN), uint32(g.KH), uint32(g.KW), uint32(t.Mode)}
	if shader == "conv2d" {
		spec = append(spec, 1, 0) // STRIDE, WT: unused outside Mode 2
	} else {
		spec = append(spec, uint32(g.stride)) // STRIDE: used by Mode 2 only
	}
	r.dispatch(op, shader, spec,
		groups, vk.Push(g.N, g.Ci, g.H, g.W, g.Co, g.OH, g.OW, g.stride, g.pad, hasBias, acc),
		vk.In(x.Buf), vk.In(w.Buf), vk.In(b.Buf), vk.Out(y.Buf))
}

// wgrad records conv2d_weight_grad.comp: dw[co,ci,ky,kx] (+)= sum over pixels
// of g[n,co,oy,ox] * x[n,ci,oy*s-p+ky,ox*s-p+kx].
func (r *Rec) wgrad(op string, dw, x, gr *Tensor, stride, pad int, acc bool) {
	g := convGeom{N: x.Dim(0), Ci: x.Dim(1), H: x.Dim(2), W: x.Dim(3), Co: gr.Dim(1), OH: gr.Dim(2), OW: gr.Dim(3),
		KH: dw.Dim(2), KW: dw.Dim(3), stride: stride, pad: pad}
	if r.err != nil {
		return
	}
	if gr.Dim(0) != g.N || g.OH != Conv2dOutSize(g.H, g.KH, stride, pad) || g.OW != Conv2dOutSize(g.W, g.KW, stride, pad) ||
		!SameShape(dw.Shape, []int{g.Co, g.Ci, g.KH, g.KW}) {
		r.fail(op, "gradient %v, input %v and weight %v do not fit stride %d, padding %d",
			gr.Shape, x.Shape, dw.Shape, stride, pad)
		return
	}
	if r.gemm(op, 2, r.e.Tune.GemmWGrad, g, x, gr, nil, dw, acc) {
		return
	}
	t := r.e.Tune.WGrad
	t.TM = min(t.TM, nextPow2(g.Co))
	q := g.Ci * g.KH * g.KW
	var groups [3]uint32
	spec := []uint32{0, 0, 0, uint32(g.KH), uint32(g.KW), 0, 1}
	if rt := r.e.Tune.WGradRows; rt.WG != 0 && g.KW >= 3 && stride == 1 && g.Ci*g.KH >= rt.WG {
		t = rt
		t.TM = min(t.TM, nextPow2(g.Co))
		spec[6] = uint32(stride)
		groups = [3]uint32{uint32(ceilDiv(g.Ci*g.KH, t.WG)), uint32(ceilDiv(g.Co, t.TM)), 1}
	} else if t.Mode == 1 { // lanes over weight entries, each walks every pixel
		t.TN = max(1, min(t.TN, ceilDiv(q, t.WG)))
		groups = [3]uint32{uint32(ceilDiv(q, t.WG*t.TN)), uint32(ceilDiv(g.Co, t.TM)), 1}
	} else { // split-K: lanes over pixels, TN entries per workgroup
		t.WG = min(t.WG, nextPow2(g.N*g.OH*g.OW))
		groups = [3]uint32{uint32(ceilDiv(q, t.TN)), uint32(ceilDiv(g.Co, t.TM)), 1}
	}
	spec[0], spec[1], spec[2], spec[5] = uint32(t.WG), uint32(t.TM), uint32(t.TN), uint32(t.Mode)
	r.dispatch(op, "conv2d_weight_grad", spec,
		groups, vk.Push(g.N, g.Ci, g.H, g.W, g.Co, g.OH, g.OW, g.stride, g.pad, acc),
		vk.In(x.Buf), vk.In(gr.Buf), vk.Out(dw.Buf))
}

// Conv2d: y = conv2d(x, w) + b as PyTorch's Conv2d (cross-correlation):
// x [N,Ci,H,W], w [Co,Ci,KH,KW], b [Co] or nil, y [N,Co,OH,OW].
func (r *Rec) Conv2d(y, x, w, b *Tensor, stride, pad int) {
	if r.checkConv("conv2d", stride, pad, x, w, b, y, []int{y.Dim(1), x.Dim(1), w.Dim(2), w.Dim(3)}) {
		r.gather("conv2d", y, x, w, b, stride, pad, false)
	}
}

// Conv2dBackwardData: dx (+)= the input gradient of Conv2d for output
// gradient dy.
func (r *Rec) Conv2dBackwardData(dx, w, dy *Tensor, stride, pad int, acc bool) {
	if r.checkConv("conv2d_backward_data", stride, pad, dy, w, nil, dx, []int{dy.Dim(1), dx.Dim(1), w.Dim(2), w.Dim(3)}) {
		r.scatter("conv2d_backward_data", dx, dy, w, nil, stride, pad, acc)
	}
}

// Conv2dBackwardWeight: dw (+)= the weight gradient of Conv2d with input x
// and output gradient dy. The bias gradient is ChannelSum(dy).
func (r *Rec) Conv2dBackwardWeight(dw, x, dy *Tensor, stride, pad int, acc bool) {
	if r.checkConv("conv2d_backward_weight", stride, pad, x, dw, nil, dy, []int{dy.Dim(1), x.Dim(1), dw.Dim(2), dw.Dim(3)}) {
		r.wgrad("conv2d_backward_weight", dw, x, dy, stride, pad, acc)
	}
}

// ConvTranspose2d: y = conv_transpose2d(x, w) + b as PyTorch's
// ConvTranspose2d with output_padding 0: x [N,Ci,H,W], w [Ci,Co,KH,KW], b [Co]
// or nil, y [N,Co,(H-1)s-2p+KH,(W-1)s-2p+KW].
func (r *Rec) ConvTranspose2d(y, x, w, b *Tensor, stride, pad int) {
	if !r.checkConv("conv_transpose2d", stride, pad, x, w, b, y, []int{x.Dim(1), y.Dim(1), w.Dim(2), w.Dim(3)}) {
		return
	}
	if y.Dim(2) != ConvTranspose2dOutSize(x.Dim(2), w.Dim(2), stride, pad) ||
		y.Dim(3) != ConvTranspose2dOutSize(x.Dim(3), w.Dim(3), stride, pad) {
		r.fail("conv_transpose2d", "output %v, want spatial %dx%d", y.Shape,
			ConvTranspose2dOutSize(x.Dim(2), w.Dim(2), stride, pad), ConvTranspose2dOutSize(x.Dim(3), w.Dim(3), stride, pad))
		return
	}
	r.scatter("conv_transpose2d", y, x, w, b, stride, pad, false)
}

// ConvTranspose2dBackwardData: dx (+)= the input gradient of
// ConvTranspose2d, which is conv2d of dy with the same weight.
func (r *Rec) ConvTranspose2dBackwardData(dx, w, dy *Tensor, stride, pad int, acc bool) {
	if r.checkConv("conv_transpose2d_backward_data", stride, pad, dy, w, nil, dx, []int{dx.Dim(1), dy.Dim(1), w.Dim(2), w.Dim(3)}) {
		r.gather("conv_transpose2d_backward_data", dx, dy, w, nil, stride, pad, acc)
	}
}

// ConvTranspose2dBackwardWeight: dw (+)= the weight gradient of
// ConvTranspose2d with input x and output gradient dy; dw is [Ci,Co,KH,KW].
// It is conv2d's weight gradient with the roles of the maps swapped.
func (r *Rec) ConvTranspose2dBackwardWeight(dw, x, dy *Tensor, stride, pad int, acc bool) {
	if r.checkConv("conv_transpose2d_backward_weight", stride, pad, x, dw, nil, dy, []int{x.Dim(1), dy.Dim(1), dw.Dim(2), dw.Dim(3)}) {
		r.wgrad("conv_transpose2d_backward_weight", dw, dy, x, stride, pad, acc)
	}
}
