package ref

import (
	"fmt"
	"testing"
)

func TestConcatGrad(t *testing.T) {
	cases := []struct {
		name     string
		channels []int
		tail     []int // dims after the channel dim
		n        int
	}{
		{"nchw", []int{1, 3, 2}, []int{5, 7}, 3},
		{"1x1", []int{2, 2}, []int{1, 1}, 1},
		{"flat", []int{4, 1}, nil, 2},
		{"single", []int{3}, []int{2, 2}, 2},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := newRNG(uint64(800 + i))
			xs := make([]*Tensor, len(c.channels))
			for k, ch := range c.channels {
				xs[k] = Rand(rng, append([]int{c.n, ch}, c.tail...)...)
			}
			y := Concat(xs...)
			r := Rand(rng, y.Shape...)
			grads := ConcatBackward(r, c.channels)
			ps := make([]param, len(xs))
			for k := range xs {
				ps[k] = param{fmt.Sprintf("x%d", k), xs[k], grads[k]}
			}
			gradCheck(t, rng, func() float64 { return project(Concat(xs...), r) }, ps)
			// Splitting the concatenation must give the inputs back exactly.
			for k, part := range ConcatBackward(y, c.channels) {
				assertClose(t, fmt.Sprintf("round trip %d", k), part, xs[k], 0)
			}
		})
	}
}

func TestConcatForwardHand(t *testing.T) {
	a := FromData([]float64{1, 2, 3, 4}, 2, 1, 1, 2)
	b := FromData([]float64{5, 6, 7, 8, 9, 10, 11, 12}, 2, 2, 1, 2)
	want := FromData([]float64{1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12}, 2, 3, 1, 2)
	assertClose(t, "Concat", Concat(a, b), want, 0)
}

func TestTileZGrad(t *testing.T) {
	cases := []struct{ n, z, h, w int }{{1, 1, 1, 1}, {3, 8, 5, 7}, {2, 4, 2, 2}}
	for i, c := range cases {
		t.Run(fmt.Sprintf("n%d_z%d_%dx%d", c.n, c.z, c.h, c.w), func(t *testing.T) {
			rng := newRNG(uint64(850 + i))
			z := Rand(rng, c.n, c.z)
			r := Rand(rng, c.n, c.z, c.h, c.w)
			dz := TileZBackward(r)
			gradCheck(t, rng, func() float64 { return project(TileZ(z, c.h, c.w), r) }, []param{{"z", z, dz}})
		})
	}
	z := FromData([]float64{1, 2}, 1, 2)
	assertClose(t, "TileZ hand", TileZ(z, 1, 2), FromData([]float64{1, 1, 2, 2}, 1, 2, 1, 2), 0)
}

func TestShapePanics(t *testing.T) {
	tests := []struct {
		name string
		f    func()
	}{
		{"concat spatial mismatch", func() { Concat(New(1, 1, 2, 2), New(1, 1, 2, 3)) }},
		{"concat batch mismatch", func() { Concat(New(1, 1, 2, 2), New(2, 1, 2, 2)) }},
		{"concat rank mismatch", func() { Concat(New(1, 4), New(1, 1, 2, 2)) }},
		{"split sum", func() { ConcatBackward(New(1, 3, 2, 2), []int{1, 1}) }},
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
