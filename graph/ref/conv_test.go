package ref

import (
	"fmt"
	"testing"
)

// convCase covers the shape corners that layout and border bugs hide in.
type convCase struct {
	n, ci, co, h, w, kh, kw, stride, pad int
	bias                                 bool
}

func (c convCase) String() string {
	return fmt.Sprintf("n%d_ci%d_co%d_%dx%d_k%dx%d_s%d_p%d_bias%v", c.n, c.ci, c.co, c.h, c.w, c.kh, c.kw, c.stride, c.pad, c.bias)
}

var conv2dCases = []convCase{
	{1, 1, 1, 1, 1, 1, 1, 1, 0, true},  // 1x1 map, 1x1 kernel
	{1, 2, 3, 1, 1, 3, 3, 1, 1, true},  // 1x1 map, all taps but centre in padding
	{1, 2, 1, 2, 2, 4, 4, 2, 1, true},  // pix2pix down block at the bottleneck
	{3, 2, 3, 5, 7, 3, 3, 1, 1, false}, // batch 3, odd sizes, no bias
	{1, 3, 2, 5, 7, 3, 2, 2, 1, true},  // non-square kernel, stride 2
	{2, 2, 2, 8, 8, 4, 4, 2, 1, true},  // 4x4/s2/p1 as in the U-Net encoder
	{1, 2, 2, 5, 7, 1, 1, 2, 0, true},  // 1x1 kernel, stride 2
	{3, 1, 2, 6, 5, 4, 4, 1, 0, false}, // 4x4 kernel, no padding
}

var convT2dCases = []convCase{
	{1, 1, 1, 1, 1, 1, 1, 1, 0, true},  // 1x1 map, 1x1 kernel
	{1, 2, 1, 1, 1, 4, 4, 2, 1, true},  // U-Net decoder first block: 1x1 -> 2x2
	{1, 2, 3, 2, 2, 4, 4, 2, 1, true},  // 2x2 -> 4x4
	{3, 2, 2, 5, 7, 3, 3, 1, 1, false}, // batch 3, odd sizes, no bias
	{1, 3, 2, 5, 7, 3, 2, 2, 1, true},  // non-square kernel, stride 2
	{2, 2, 2, 4, 4, 4, 4, 2, 1, true},  // 4x4/s2/p1 upsampling
	{1, 2, 2, 3, 3, 1, 1, 2, 0, true},  // 1x1 kernel, stride 2 (holes in output)
	{3, 1, 2, 3, 2, 4, 4, 1, 0, false}, // 4x4 kernel, no padding
}

func TestConv2dGrad(t *testing.T) {
	for i, c := range conv2dCases {
		t.Run(c.String(), func(t *testing.T) {
			rng := newRNG(uint64(100 + i))
			x := Rand(rng, c.n, c.ci, c.h, c.w)
			w := Rand(rng, c.co, c.ci, c.kh, c.kw)
			var b *Tensor
			if c.bias {
				b = Rand(rng, c.co)
			}
			y := Conv2d(x, w, b, c.stride, c.pad)
			oh, ow := (c.h+2*c.pad-c.kh)/c.stride+1, (c.w+2*c.pad-c.kw)/c.stride+1
			if want := []int{c.n, c.co, oh, ow}; !y.sameShapeAs(&Tensor{Shape: want}) {
				t.Fatalf("output shape %v, want %v", y.Shape, want)
			}
			r := Rand(rng, y.Shape...)
			dx, dw, db := Conv2dBackward(x, w, r, c.stride, c.pad)
			loss := func() float64 { return project(Conv2d(x, w, b, c.stride, c.pad), r) }
			ps := []param{{"x", x, dx}, {"w", w, dw}}
			if b != nil {
				ps = append(ps, param{"b", b, db})
			}
			gradCheck(t, rng, loss, ps)
		})
	}
}

func TestConvTranspose2dGrad(t *testing.T) {
	for i, c := range convT2dCases {
		t.Run(c.String(), func(t *testing.T) {
			rng := newRNG(uint64(200 + i))
			x := Rand(rng, c.n, c.ci, c.h, c.w)
			w := Rand(rng, c.ci, c.co, c.kh, c.kw)
			var b *Tensor
			if c.bias {
				b = Rand(rng, c.co)
			}
			y := ConvTranspose2d(x, w, b, c.stride, c.pad)
			oh, ow := (c.h-1)*c.stride-2*c.pad+c.kh, (c.w-1)*c.stride-2*c.pad+c.kw
			if want := []int{c.n, c.co, oh, ow}; !y.sameShapeAs(&Tensor{Shape: want}) {
				t.Fatalf("output shape %v, want %v", y.Shape, want)
			}
			r := Rand(rng, y.Shape...)
			dx, dw, db := ConvTranspose2dBackward(x, w, r, c.stride, c.pad)
			loss := func() float64 { return project(ConvTranspose2d(x, w, b, c.stride, c.pad), r) }
			ps := []param{{"x", x, dx}, {"w", w, dw}}
			if b != nil {
				ps = append(ps, param{"b", b, db})
			}
			gradCheck(t, rng, loss, ps)
		})
	}
}

// TestConvTransposeIsConvAdjoint checks that ConvTranspose2d with weight w
// is exactly the input gradient of Conv2d with the same w. A transposed or
// flipped kernel, or swapped channel axes, breaks this identity.
func TestConvTransposeIsConvAdjoint(t *testing.T) {
	for i, c := range conv2dCases {
		if (c.h+2*c.pad-c.kh)%c.stride != 0 || (c.w+2*c.pad-c.kw)%c.stride != 0 {
			continue // would need output_padding to line up
		}
		t.Run(c.String(), func(t *testing.T) {
			rng := newRNG(uint64(300 + i))
			x := Rand(rng, c.n, c.ci, c.h, c.w)
			w := Rand(rng, c.co, c.ci, c.kh, c.kw)
			yp := Rand(rng, Conv2d(x, w, nil, c.stride, c.pad).Shape...)
			dx, _, _ := Conv2dBackward(x, w, yp, c.stride, c.pad)
			xt := ConvTranspose2d(yp, w, nil, c.stride, c.pad)
			assertClose(t, "ConvTranspose2d vs Conv2d dx", xt, dx, 1e-12)
			// And the other way round: ConvTranspose2d's input gradient is
			// Conv2d with the same weight.
			dyp, _, _ := ConvTranspose2dBackward(yp, w, x, c.stride, c.pad)
			assertClose(t, "ConvTranspose2d dx vs Conv2d", dyp, Conv2d(x, w, nil, c.stride, c.pad), 1e-12)
		})
	}
	// Guard against table edits silently leaving nothing aligned to test.
	n := 0
	for _, c := range conv2dCases {
		if (c.h+2*c.pad-c.kh)%c.stride == 0 && (c.w+2*c.pad-c.kw)%c.stride == 0 {
			n++
		}
	}
	if n < 4 {
		t.Fatalf("only %d aligned conv cases; add more", n)
	}
}

func TestConv2dForwardHand(t *testing.T) {
	x := FromData([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3)
	w := FromData([]float64{1, 0, 0, 1}, 1, 1, 2, 2) // top-left + bottom-right tap
	tests := []struct {
		name        string
		b           *Tensor
		stride, pad int
		want        *Tensor
	}{
		{"s1p0_bias", Scalar(10), 1, 0, FromData([]float64{16, 18, 22, 24}, 1, 1, 2, 2)},
		// Windows start at -1: taps in the padding contribute nothing.
		{"s2p1", nil, 2, 1, FromData([]float64{1, 3, 7, 14}, 1, 1, 2, 2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertClose(t, "Conv2d", Conv2d(x, w, tc.b, tc.stride, tc.pad), tc.want, 0)
		})
	}
	// Two input channels and two output channels: check the [Co,Ci] order.
	x2 := FromData([]float64{1, 2}, 1, 2, 1, 1)
	w2 := FromData([]float64{1, 10, 100, 1000}, 2, 2, 1, 1) // w[co][ci]
	assertClose(t, "Conv2d channels", Conv2d(x2, w2, nil, 1, 0), FromData([]float64{21, 2100}, 1, 2, 1, 1), 0)
}

func TestConvTranspose2dForwardHand(t *testing.T) {
	x := FromData([]float64{1, 2, 3, 4}, 1, 1, 2, 2)
	w := FromData([]float64{1, 2, 3, 4}, 1, 1, 2, 2)
	// Stride 2 with a 2x2 kernel: each input pixel stamps x*w into its own block.
	want := FromData([]float64{
		1, 2, 2, 4,
		3, 4, 6, 8,
		3, 6, 4, 8,
		9, 12, 12, 16,
	}, 1, 1, 4, 4)
	assertClose(t, "stride 2", ConvTranspose2d(x, w, nil, 2, 0), want, 0)
	// Padding crops the border of the full output.
	assertClose(t, "stride 2 pad 1 bias", ConvTranspose2d(x, w, Scalar(1), 2, 1),
		FromData([]float64{5, 7, 7, 5}, 1, 1, 2, 2), 0)
	// Stride 1: stamps overlap and add.
	x1 := FromData([]float64{1, 2}, 1, 1, 1, 2)
	w1 := FromData([]float64{1, 1}, 1, 1, 1, 2)
	assertClose(t, "stride 1 overlap", ConvTranspose2d(x1, w1, nil, 1, 0), FromData([]float64{1, 3, 2}, 1, 1, 1, 3), 0)
	// Two input and two output channels: w is [Ci,Co].
	x2 := FromData([]float64{1, 2}, 1, 2, 1, 1)
	w2 := FromData([]float64{1, 10, 100, 1000}, 2, 2, 1, 1) // w[ci][co]
	assertClose(t, "channels", ConvTranspose2d(x2, w2, nil, 1, 0), FromData([]float64{201, 2010}, 1, 2, 1, 1), 0)
}

func TestConvPanics(t *testing.T) {
	rng := newRNG(1)
	tests := []struct {
		name string
		f    func()
	}{
		{"channel mismatch", func() { Conv2d(New(1, 2, 4, 4), New(1, 3, 3, 3), nil, 1, 0) }},
		{"bias length", func() { Conv2d(New(1, 2, 4, 4), New(3, 2, 3, 3), New(2), 1, 0) }},
		{"kernel too big", func() { Conv2d(New(1, 1, 2, 2), New(1, 1, 4, 4), nil, 2, 0) }},
		{"rank", func() { Conv2d(New(2, 4, 4), New(1, 2, 3, 3), nil, 1, 0) }},
		{"dy shape", func() { Conv2dBackward(Rand(rng, 1, 1, 4, 4), New(1, 1, 3, 3), New(1, 1, 3, 3), 1, 0) }},
		{"transpose channel mismatch", func() { ConvTranspose2d(New(1, 2, 4, 4), New(3, 2, 3, 3), nil, 1, 0) }},
		{"transpose empty output", func() { ConvTranspose2d(New(1, 1, 1, 1), New(1, 1, 2, 2), nil, 1, 1) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tc.f()
		})
	}
}

// Benchmarks at the largest shapes the GPU tests use (512 channels, 8x8,
// 4x4 kernels), to keep the references cheap enough to run in tests.
func BenchmarkConv2dLarge(b *testing.B) {
	rng := newRNG(1)
	x, w := Rand(rng, 1, 512, 8, 8), Rand(rng, 512, 512, 4, 4)
	for b.Loop() {
		Conv2d(x, w, nil, 2, 1)
	}
}

func BenchmarkConv2dBackwardLarge(b *testing.B) {
	rng := newRNG(1)
	x, w, dy := Rand(rng, 1, 512, 8, 8), Rand(rng, 512, 512, 4, 4), Rand(rng, 1, 512, 4, 4)
	for b.Loop() {
		Conv2dBackward(x, w, dy, 2, 1)
	}
}

func BenchmarkConvTranspose2dLarge(b *testing.B) {
	rng := newRNG(1)
	x, w := Rand(rng, 1, 512, 4, 4), Rand(rng, 512, 512, 4, 4)
	for b.Loop() {
		ConvTranspose2d(x, w, nil, 2, 1)
	}
}

func BenchmarkConvTranspose2dBackwardLarge(b *testing.B) {
	rng := newRNG(1)
	x, w, dy := Rand(rng, 1, 512, 4, 4), Rand(rng, 512, 512, 4, 4), Rand(rng, 1, 512, 8, 8)
	for b.Loop() {
		ConvTranspose2dBackward(x, w, dy, 2, 1)
	}
}
