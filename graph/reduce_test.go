package graph

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"bicycle-vk/graph/ref"
)

// exact32 rounds a reference tensor's data to float32 in place, so that the
// device sees exactly the reference's input and only the op's own rounding
// is measured.
func exact32(x *ref.Tensor) *ref.Tensor {
	for i, v := range x.Data {
		x.Data[i] = float64(float32(v))
	}
	return x
}

// rand32 is ref.Rand rounded to float32, plus offset.
func rand32(g *rand.Rand, offset float64, shape ...int) *ref.Tensor {
	x := ref.Rand(g, shape...)
	for i := range x.Data {
		x.Data[i] += offset
	}
	return exact32(x)
}

// channelSumRef sums x [N,C,...] over everything but dimension 1.
func channelSumRef(x *ref.Tensor) *ref.Tensor {
	N, C := x.Shape[0], x.Shape[1]
	inner := x.Len() / (N * C)
	y := ref.New(C)
	for n := range N {
		for c := range C {
			for _, v := range x.Data[(n*C+c)*inner:][:inner] {
				y.Data[c] += v
			}
		}
	}
	return y
}

// check is expectClose that also logs the error as a fraction of the
// tolerance (go test -v), to show how much headroom a tolerance has.
func check(t *testing.T, name string, got *Tensor, want *ref.Tensor, tol float64) {
	t.Helper()
	expectClose(t, name, got, want, tol)
	if SameShape(got.Shape, want.Shape) {
		scale := max(ref.MaxAbs(want.Data), 1)
		d := ref.MaxAbsDiff(download(t, got), want.Data)
		t.Logf("%s: err %.3g = %.3f of tol %.3g", name, d/scale, d/scale/tol, tol)
	}
}

func shapeName(s []int) string { return strings.Trim(fmt.Sprint(s), "[]") }

func TestReduce(t *testing.T) {
	e := engine(t)
	type op struct {
		name   string
		shapes [][]int
		rec    func(r *Rec, y, x *Tensor, acc bool)
		want   func(x *ref.Tensor) *ref.Tensor
		ylen   func(x []int) []int
	}
	one := func([]int) []int { return []int{1} }
	ops := []op{
		{"sum", [][]int{{1}, {7}, {2, 5, 7}, {1, 1, 30, 30}, {3, 3, 128, 128}},
			func(r *Rec, y, x *Tensor, acc bool) { r.Sum(y, x, acc) }, ref.Sum, one},
		{"mean", [][]int{{1}, {3, 8}, {3, 1, 14, 14}, {3, 3, 128, 128}},
			func(r *Rec, y, x *Tensor, acc bool) { r.Mean(y, x, acc) }, ref.Mean, one},
		{"channel_sum", [][]int{{1, 1, 1, 1}, {3, 7, 2, 2}, {3, 8}, {1, 512}, {9, 5, 3, 3}, {100, 3}, {2, 3, 33, 31}, {3, 64, 9, 11}, {3, 3, 128, 128}},
			func(r *Rec, y, x *Tensor, acc bool) { r.ChannelSum(y, x, acc) }, channelSumRef,
			func(x []int) []int { return []int{x[1]} }},
		{"spatial_sum", [][]int{{1, 7, 1, 1}, {3, 8, 5, 3}, {3, 64, 2, 2}, {2, 3, 64, 64}, {3, 8, 128, 128}},
			func(r *Rec, y, x *Tensor, acc bool) { r.SpatialSum(y, x, acc) }, ref.TileZBackward,
			func(x []int) []int { return x[:2] }},
	}
	for oi, o := range ops {
		for si, shape := range o.shapes {
			t.Run(o.name+"/"+shapeName(shape), func(t *testing.T) {
				g := rng(uint64(100*oi + si))
				x := rand32(g, 0.25, shape...) // a nonzero mean, as biases' gradients have
				want := o.want(x)
				acc := si%2 == 1 // every other case accumulates onto prev
				var gy *Tensor
				if acc {
					prev := rand32(g, 0, o.ylen(shape)...)
					gy = upload(t, e, prev)
					want = ref.Add(prev, want)
				} else {
					gy = empty(t, e, o.ylen(shape)...)
				}
				r := e.NewRec(false)
				o.rec(r, gy, upload(t, e, x), acc)
				run(t, r)
				// Each output sums k = x.Len()/segments terms (a strided
				// sequential run per invocation, then a tree): tolFor(k).
				k := x.Len() / want.Len()
				check(t, o.name, gy, want, tolFor(k))
			})
		}
	}
}
