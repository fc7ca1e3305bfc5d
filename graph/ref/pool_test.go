package ref

import (
	"fmt"
	"testing"
)

func TestAvgPool2dGrad(t *testing.T) {
	cases := []struct{ n, c, h, w, k, stride, pad int }{
		{1, 1, 2, 2, 2, 2, 0},
		{3, 2, 8, 8, 2, 2, 0},
		{2, 2, 5, 7, 2, 2, 0}, // odd sizes: last row/col dropped (ceil_mode=False)
		{1, 2, 5, 7, 3, 2, 1}, // border windows have fewer taps
		{3, 1, 8, 8, 3, 2, 1},
		{1, 1, 1, 1, 3, 2, 1}, // 1x1 map, window mostly padding
		{2, 3, 8, 8, 8, 8, 0}, // global pooling
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("n%d_c%d_%dx%d_k%d_s%d_p%d", c.n, c.c, c.h, c.w, c.k, c.stride, c.pad), func(t *testing.T) {
			rng := newRNG(uint64(600 + i))
			x := Rand(rng, c.n, c.c, c.h, c.w)
			y := AvgPool2d(x, c.k, c.stride, c.pad)
			oh, ow := (c.h+2*c.pad-c.k)/c.stride+1, (c.w+2*c.pad-c.k)/c.stride+1
			if want := []int{c.n, c.c, oh, ow}; !y.sameShapeAs(&Tensor{Shape: want}) {
				t.Fatalf("output shape %v, want %v", y.Shape, want)
			}
			r := Rand(rng, y.Shape...)
			dx := AvgPool2dBackward(x, r, c.k, c.stride, c.pad)
			gradCheck(t, rng, func() float64 { return project(AvgPool2d(x, c.k, c.stride, c.pad), r) }, []param{{"x", x, dx}})
		})
	}
}

func TestAvgPool2dForwardHand(t *testing.T) {
	x := FromData([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3)
	// k3 s2 p1: every window covers a 2x2 in-bounds corner, divisor 4
	// (count_include_pad=True would divide by 9).
	assertClose(t, "k3s2p1", AvgPool2d(x, 3, 2, 1), FromData([]float64{3, 4, 6, 7}, 1, 1, 2, 2), 1e-15)
	// k3 s1 p1 on 3x3: corners /4, edges /6, centre /9.
	want := FromData([]float64{
		12.0 / 4, 21.0 / 6, 16.0 / 4,
		27.0 / 6, 45.0 / 9, 33.0 / 6,
		24.0 / 4, 39.0 / 6, 28.0 / 4,
	}, 1, 1, 3, 3)
	assertClose(t, "k3s1p1", AvgPool2d(x, 3, 1, 1), want, 1e-15)
	x4 := FromData([]float64{
		1, 2, 3, 4,
		5, 6, 7, 8,
		9, 10, 11, 12,
		13, 14, 15, 16,
	}, 1, 1, 4, 4)
	assertClose(t, "k2s2p0", AvgPool2d(x4, 2, 2, 0), FromData([]float64{3.5, 5.5, 11.5, 13.5}, 1, 1, 2, 2), 1e-15)
	assertClose(t, "global", AvgPool2d(x4, 4, 4, 0), FromData([]float64{8.5}, 1, 1, 1, 1), 1e-15)
	// Backward of the padded case spreads dy/4 from each window.
	dx := AvgPool2dBackward(x, FromData([]float64{4, 8, 12, 16}, 1, 1, 2, 2), 3, 2, 1)
	assertClose(t, "k3s2p1 backward", dx, FromData([]float64{1, 3, 2, 4, 10, 6, 3, 7, 4}, 1, 1, 3, 3), 1e-15)
}

func TestAvgPool2dPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("pad > k/2 did not panic")
		}
	}()
	AvgPool2d(New(1, 1, 4, 4), 2, 2, 2)
}
