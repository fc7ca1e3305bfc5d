package graph

import (
	"fmt"
	"strings"
	"testing"

	"bicycle-vk/graph/ref"
)

// convCase is one convolution: input [N,Ci,H,W], Co output channels, a
// KHxKW kernel, stride and padding.
type convCase struct {
	name                    string
	N, Ci, H, W, Co, KH, KW int
	stride, pad             int
}

func (c convCase) String() string {
	return fmt.Sprintf("%s/%dx%dx%dx%d->%d/k%dx%d_s%d_p%d", c.name, c.N, c.Ci, c.H, c.W, c.Co, c.KH, c.KW, c.stride, c.pad)
}

// conv2dCases: the 128x128 generator's down path, the encoder's and the
// discriminators' layers (some at reduced width where the float64 reference
// would be slow), and awkward shapes: 1x1 and 2x2 maps, odd sizes, batch 3,
// channel counts that are not a multiple of any tile, non-square kernels.
var conv2dCases = []convCase{
	{"G.down_1", 1, 11, 128, 128, 64, 4, 4, 2, 1},
	{"G.down_2", 1, 64, 64, 64, 128, 4, 4, 2, 1},
	{"G.down_3", 1, 128, 32, 32, 256, 4, 4, 2, 1},
	{"G.down_4", 1, 256, 16, 16, 512, 4, 4, 2, 1},
	{"G.down_5", 1, 512, 8, 8, 512, 4, 4, 2, 1},
	{"G.down_6", 1, 512, 4, 4, 512, 4, 4, 2, 1},
	{"G.down_7", 1, 512, 2, 2, 512, 4, 4, 2, 1},
	{"E.res_conv3x3", 1, 64, 32, 32, 64, 3, 3, 1, 1},
	{"E.shortcut1x1", 1, 128, 16, 16, 192, 1, 1, 1, 0},
	{"D.layer3_narrow", 1, 32, 31, 31, 48, 4, 4, 1, 1},
	{"D.last", 1, 64, 15, 15, 1, 4, 4, 1, 1},
	{"batch3_odd", 3, 7, 9, 11, 5, 3, 3, 1, 1},
	{"odd_stride2", 2, 5, 7, 5, 13, 4, 4, 2, 1},
	{"map1x1", 3, 9, 1, 1, 6, 1, 1, 1, 0},
	{"map2x2_pad", 1, 3, 2, 2, 3, 3, 3, 1, 1},
	{"kernel3x2", 1, 3, 5, 7, 4, 3, 2, 2, 1},
	{"stride3", 2, 4, 11, 10, 9, 5, 5, 3, 2},
	{"few_vec4_oddCo", 2, 8, 3, 3, 13, 2, 2, 2, 0}, // 2 pixels, K = 32: vec4 weights, clamped channels
	{"small_grad_3x5", 2, 6, 3, 5, 11, 4, 4, 2, 1}, // input gradient 1x2 -> 3x5, one more than the transposed size
}

// convTCases: the generator's up path and awkward transposed convolutions.
var convTCases = []convCase{
	{"G.up_1", 1, 512, 1, 1, 512, 4, 4, 2, 1},
	{"G.up_2", 1, 1024, 2, 2, 512, 4, 4, 2, 1},
	{"G.up_3", 1, 1024, 4, 4, 512, 4, 4, 2, 1},
	{"G.up_4", 1, 1024, 8, 8, 256, 4, 4, 2, 1},
	{"G.up_5", 1, 512, 16, 16, 128, 4, 4, 2, 1},
	{"G.up_6", 1, 256, 32, 32, 64, 4, 4, 2, 1},
	{"G.up_7", 1, 128, 64, 64, 3, 4, 4, 2, 1},
	{"batch3_odd", 3, 5, 3, 7, 7, 4, 4, 2, 1},
	{"stride1_k3", 2, 3, 5, 4, 6, 3, 3, 1, 1},
	{"map1x1_k3", 1, 3, 1, 1, 2, 3, 3, 1, 0},
	{"stride3_k5", 1, 4, 3, 2, 5, 5, 5, 3, 2},
	{"kernel3x2", 2, 3, 4, 5, 3, 3, 2, 2, 0},
	// convt_small.comp: maps of at most 4 pixels into at most 16.
	{"small_batch3_1x3", 3, 13, 1, 3, 7, 4, 4, 2, 1},
	{"small_stride1_k2", 2, 9, 2, 2, 5, 2, 2, 1, 0},
	{"small_2x1_pad0", 1, 17, 2, 1, 20, 2, 2, 2, 0},
}

// big reports whether the float64 reference of a case takes long enough to
// leave it out of -short runs.
func (c convCase) big() bool { return c.N*c.Ci*c.Co*c.H*c.W*c.KH*c.KW > 64<<20 }

// convFamily is one of the two layer kinds under test: its output size, weight
// layout, the recorded passes and the float64 reference.
type convFamily struct {
	outSize func(in, k, s, p int) int
	wShape  func(c convCase) []int
	record  func(r *Rec, y, dx, dw, x, w, b, dy *Tensor, s, p int)
	forward func(x, w, b *ref.Tensor, s, p int) *ref.Tensor
	grads   func(x, w, dy *ref.Tensor, s, p int) (dx, dw, db *ref.Tensor)
	// dwTerms is the number of positions the kernel visits: the terms of
	// each weight-gradient sum.
	dwTerms func(c convCase, oh, ow int) int
}

var conv2dFamily = convFamily{
	outSize: Conv2dOutSize,
	wShape:  func(c convCase) []int { return []int{c.Co, c.Ci, c.KH, c.KW} },
	record: func(r *Rec, y, dx, dw, x, w, b, dy *Tensor, s, p int) {
		r.Conv2d(y, x, w, b, s, p)
		r.Conv2dBackwardData(dx, w, dy, s, p, false)
		r.Conv2dBackwardWeight(dw, x, dy, s, p, false)
	},
	forward: ref.Conv2d, grads: ref.Conv2dBackward,
	dwTerms: func(c convCase, oh, ow int) int { return c.N * oh * ow },
}

var convTranspose2dFamily = convFamily{
	outSize: ConvTranspose2dOutSize,
	wShape:  func(c convCase) []int { return []int{c.Ci, c.Co, c.KH, c.KW} },
	record: func(r *Rec, y, dx, dw, x, w, b, dy *Tensor, s, p int) {
		r.ConvTranspose2d(y, x, w, b, s, p)
		r.ConvTranspose2dBackwardData(dx, w, dy, s, p, false)
		r.ConvTranspose2dBackwardWeight(dw, x, dy, s, p, false)
	},
	forward: ref.ConvTranspose2d, grads: ref.ConvTranspose2dBackward,
	dwTerms: func(c convCase, _, _ int) int { return c.N * c.H * c.W },
}

// convEngine is one set of convolution kernels under test.
type convEngine struct {
	name string
	e    *Engine
}

// convEngines: the engine as tuned for this device and, where that runs
// conv_gemm.comp (lavapipe), the same device with it off, so that the
// descriptor-only kernels other devices use stay tested here too.
func convEngines(t *testing.T) []convEngine {
	e := engine(t)
	tu := e.Tune
	if tu.GemmConv.WG == 0 && tu.GemmConvT.WG == 0 && tu.GemmWGrad.WG == 0 && tu.GemmFew.WG == 0 && tu.GemmSmallT.WG == 0 {
		return []convEngine{{"tuned", e}}
	}
	off := *e
	off.Tune.GemmConv, off.Tune.GemmConvT, off.Tune.GemmWGrad, off.Tune.GemmFew, off.Tune.GemmRows, off.Tune.GemmRowsT, off.Tune.GemmSmallT =
		ConvTile{}, ConvTile{}, ConvTile{}, ConvTile{}, ConvTile{}, ConvTile{}, ConvTile{}
	sets := []convEngine{{"gemm", e}, {"descriptors", &off}}
	if tu.GemmRows.WG != 0 || tu.GemmRowsT.WG != 0 || tu.GemmSmallT.WG != 0 {
		// conv_gemm.comp and conv_gemm_few.comp still take what the
		// specialised kernels decline.
		plain := *e
		plain.Tune.GemmRows, plain.Tune.GemmRowsT, plain.Tune.GemmSmallT = ConvTile{}, ConvTile{}, ConvTile{}
		sets = append(sets, convEngine{"gemm without rows", &plain})
	}
	return sets
}

// testConvFamily checks the forward and both backward passes of every case
// against the float64 reference, with each kernel set.
func testConvFamily(t *testing.T, f convFamily, cases []convCase, seed uint64) {
	for _, ce := range convEngines(t) {
		t.Run(ce.name, func(t *testing.T) { testConvCases(t, ce.e, f, cases, seed) })
	}
}

func testConvCases(t *testing.T, e *Engine, f convFamily, cases []convCase, seed uint64) {
	for i, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			if testing.Short() && c.big() {
				t.Skip("large reference in -short mode")
			}
			g := rng(seed + uint64(i))
			oh, ow := f.outSize(c.H, c.KH, c.stride, c.pad), f.outSize(c.W, c.KW, c.stride, c.pad)
			x := ref.Rand(g, c.N, c.Ci, c.H, c.W)
			w := ref.Rand(g, f.wShape(c)...)
			b := ref.Rand(g, c.Co)
			dy := ref.Rand(g, c.N, c.Co, oh, ow)
			gx, gw, gb, gdy := upload(t, e, x), upload(t, e, w), upload(t, e, b), upload(t, e, dy)
			gy, gdx, gdw := empty(t, e, c.N, c.Co, oh, ow), empty(t, e, c.N, c.Ci, c.H, c.W), empty(t, e, f.wShape(c)...)
			r := e.NewRec(false)
			f.record(r, gy, gdx, gdw, gx, gw, gb, gdy, c.stride, c.pad)
			run(t, r)
			dx, dw, _ := f.grads(x, w, dy, c.stride, c.pad)
			// Each result is a sum of products of uniform [-1,1) values: at most
			// Ci*KH*KW terms for the forward, Co*KH*KW for dx, dwTerms for dw.
			expectClose(t, "y", gy, f.forward(x, w, b, c.stride, c.pad), tolFor(c.Ci*c.KH*c.KW))
			expectClose(t, "dx", gdx, dx, tolFor(c.Co*c.KH*c.KW))
			expectClose(t, "dw", gdw, dw, tolFor(f.dwTerms(c, oh, ow)))
		})
	}
}

func TestConv2d(t *testing.T) { testConvFamily(t, conv2dFamily, conv2dCases, 100) }

func TestConvTranspose2d(t *testing.T) { testConvFamily(t, convTranspose2dFamily, convTCases, 200) }

// TestConvAccumulate checks that the backward passes add into existing
// gradients when asked (a parameter used twice in one step).
func TestConvAccumulate(t *testing.T) {
	for _, ce := range convEngines(t) {
		t.Run(ce.name, func(t *testing.T) { testConvAccumulate(t, ce.e) })
	}
}

func testConvAccumulate(t *testing.T, e *Engine) {
	c := convCase{"acc", 2, 3, 6, 5, 4, 4, 4, 2, 1}
	g := rng(7)
	oh, ow := Conv2dOutSize(c.H, c.KH, c.stride, c.pad), Conv2dOutSize(c.W, c.KW, c.stride, c.pad)
	x, w, dy := ref.Rand(g, c.N, c.Ci, c.H, c.W), ref.Rand(g, c.Co, c.Ci, c.KH, c.KW), ref.Rand(g, c.N, c.Co, oh, ow)
	dx0, dw0 := ref.Rand(g, c.N, c.Ci, c.H, c.W), ref.Rand(g, c.Co, c.Ci, c.KH, c.KW)
	gx, gw, gdy, gdx, gdw := upload(t, e, x), upload(t, e, w), upload(t, e, dy), upload(t, e, dx0), upload(t, e, dw0)
	r := e.NewRec(false)
	r.Conv2dBackwardData(gdx, gw, gdy, c.stride, c.pad, true)
	r.Conv2dBackwardWeight(gdw, gx, gdy, c.stride, c.pad, true)
	run(t, r)
	dx, dw, _ := ref.Conv2dBackward(x, w, dy, c.stride, c.pad)
	expectClose(t, "dx", gdx, ref.Add(dx0, dx), tolFor(64))
	expectClose(t, "dw", gdw, ref.Add(dw0, dw), tolFor(64))
}

// TestConvBadShapes checks that shape errors come back as errors naming the op.
func TestConvBadShapes(t *testing.T) {
	e := engine(t)
	x := empty(t, e, 1, 3, 8, 8)
	w := empty(t, e, 4, 3, 4, 4)
	cases := []struct {
		name string
		rec  func(r *Rec)
	}{
		{"wrong output size", func(r *Rec) { r.Conv2d(empty(t, e, 1, 4, 5, 5), x, w, nil, 2, 1) }},
		{"wrong in channels", func(r *Rec) { r.Conv2d(empty(t, e, 1, 4, 4, 4), empty(t, e, 1, 2, 8, 8), w, nil, 2, 1) }},
		{"wrong bias", func(r *Rec) { r.Conv2d(empty(t, e, 1, 4, 4, 4), x, w, empty(t, e, 3), 2, 1) }},
		{"zero stride", func(r *Rec) { r.Conv2d(empty(t, e, 1, 4, 4, 4), x, w, nil, 0, 1) }},
		{"transposed size", func(r *Rec) {
			r.ConvTranspose2d(empty(t, e, 1, 4, 9, 9), empty(t, e, 1, 3, 4, 4), empty(t, e, 3, 4, 4, 4), nil, 2, 1)
		}},
		{"freed input", func(r *Rec) { // an error, not a crash, with the gather kernels too
			freed := empty(t, e, 1, 3, 8, 8)
			freed.Free()
			r.Conv2d(empty(t, e, 1, 4, 4, 4), freed, w, nil, 2, 1)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.NewRec(false)
			defer r.Close()
			c.rec(r)
			if r.Run() == nil {
				t.Fatal("bad shapes accepted")
			}
		})
	}
}

// TestConvGemmChosen checks that where the gather kernels are tuned in, each
// pass runs on the one meant for it (conv_gemm_rows.comp for convs and
// transposed convs with 8 or more output pixels, conv_gemm.comp for every
// weight gradient, conv_gemm_few.comp
// for 2 to 7 pixels, conv2d.comp's few-pixel tile for 1, convt_small.comp for
// transposed convs of at most 4 input pixels),
// and that with them off none does: the two halves of convEngines really
// test different kernels.
func TestConvGemmChosen(t *testing.T) {
	engines := convEngines(t)
	if len(engines) == 1 {
		t.Skip("this device does not run the gather kernels")
	}
	for _, ce := range engines {
		e := ce.e
		x, w, y := empty(t, e, 1, 8, 12, 12), empty(t, e, 16, 8, 4, 4), empty(t, e, 1, 16, 6, 6)
		wt, yt := empty(t, e, 8, 16, 4, 4), empty(t, e, 1, 16, 24, 24)
		xs, ys := empty(t, e, 1, 8, 4, 4), empty(t, e, 1, 16, 2, 2)  // 2x2 output: 4 pixels
		xt, yt2 := empty(t, e, 1, 8, 2, 3), empty(t, e, 1, 16, 4, 6) // 6 pixels per parity class
		xq, yq := empty(t, e, 1, 8, 2, 2), empty(t, e, 1, 16, 4, 4)  // 4 pixels in: convt_small
		x1, y1 := empty(t, e, 1, 8, 2, 2), empty(t, e, 1, 16, 1, 1)  // 1 pixel: few-pixel tile
		r := e.NewRec(true)
		want := []string{}
		r.Conv2d(y, x, w, nil, 2, 1)
		r.Conv2dBackwardData(x, w, y, 2, 1, false)
		r.Conv2dBackwardWeight(w, x, y, 2, 1, false)
		r.ConvTranspose2d(yt, x, wt, nil, 2, 1)
		want = append(want, "conv_gemm_rows<", "conv_gemm_rows<", "conv_gemm<", "conv_gemm_rows<")
		x1s, y1s := empty(t, e, 1, 8, 9, 9), empty(t, e, 1, 16, 8, 8) // stride 1: rows both ways
		r.Conv2d(y1s, x1s, w, nil, 1, 1)
		r.Conv2dBackwardData(x1s, w, y1s, 1, 1, false)
		want = append(want, "conv_gemm_rows<", "conv_gemm_rows<")
		r.Conv2d(ys, xs, w, nil, 2, 1)
		r.ConvTranspose2d(yt2, xt, wt, nil, 2, 1)
		r.Conv2dBackwardWeight(w, xs, ys, 2, 1, false)
		r.Conv2d(y1, x1, w, nil, 2, 1)
		r.ConvTranspose2d(yq, xq, wt, nil, 2, 1)
		want = append(want, "conv_gemm_few<", "conv_gemm_few<", "conv_gemm<", "conv2d<", "convt_small<")
		ts := runTimed(t, r)
		if len(ts) != len(want) {
			t.Fatalf("%s engine: %d dispatches, want %d", ce.name, len(ts), len(want))
		}
		for i, tm := range ts {
			gather := strings.HasPrefix(tm.Kernel, "conv_gemm") || strings.HasPrefix(tm.Kernel, "convt_small")
			if ce.name == "gemm" && !strings.HasPrefix(tm.Kernel, want[i]) ||
				ce.name == "descriptors" && gather ||
				ce.name == "gemm without rows" && (strings.HasPrefix(tm.Kernel, "conv_gemm_rows") || strings.HasPrefix(tm.Kernel, "convt_small")) {
				t.Errorf("%s engine: %s ran on %s", ce.name, tm.Label, tm.Kernel)
			}
		}
	}
}
