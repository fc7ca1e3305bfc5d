package graph

import (
	"fmt"
	"testing"

	"bicycle-vk/graph/ref"
)

func TestAvgPool2d(t *testing.T) {
	e := engine(t)
	cases := []struct {
		shape          []int
		k, stride, pad int
		acc            bool
	}{
		{[]int{1, 3, 8, 8}, 2, 2, 0, false}, // ResBlock shortcuts
		{[]int{3, 7, 7, 9}, 2, 2, 0, true},  // odd sizes drop the last row/column
		{[]int{1, 1, 2, 2}, 2, 2, 0, false},
		{[]int{1, 3, 128, 128}, 3, 2, 1, false}, // the 128 -> 64 downsample
		{[]int{3, 7, 9, 7}, 3, 2, 1, true},
		{[]int{1, 2, 1, 1}, 3, 2, 1, false}, // only the centre tap in bounds
		{[]int{1, 2, 2, 2}, 3, 2, 1, false},
		{[]int{3, 64, 8, 8}, 8, 8, 0, true}, // global pooling
		{[]int{1, 7, 4, 4}, 4, 4, 0, false},
		{[]int{3, 5, 2, 2}, 2, 2, 0, false},
		{[]int{2, 3, 10, 11}, 4, 3, 2, true}, // overlapping windows, stride not dividing k
		// Windows that tile rows of 4n pixels: the vec4 backward (MODE 2).
		{[]int{2, 3, 7, 12}, 2, 2, 0, true},  // last row outside every window
		{[]int{1, 2, 9, 16}, 3, 3, 0, true},  // last column too; divisor 9
		{[]int{1, 4, 5, 20}, 5, 5, 0, false}, // 4 pixels straddle two windows
	}
	for ci, c := range cases {
		t.Run(fmt.Sprintf("%s_k%ds%dp%d", shapeName(c.shape), c.k, c.stride, c.pad), func(t *testing.T) {
			g := rng(uint64(300 + ci))
			N, C, H, W := c.shape[0], c.shape[1], c.shape[2], c.shape[3]
			OH, OW := AvgPool2dOutSize(H, c.k, c.stride, c.pad), AvgPool2dOutSize(W, c.k, c.stride, c.pad)
			x, dy := rand32(g, 0, c.shape...), rand32(g, 0, N, C, OH, OW)
			wantDx := ref.AvgPool2dBackward(x, dy, c.k, c.stride, c.pad)
			var dx *Tensor
			if c.acc {
				prev := rand32(g, 0, c.shape...)
				dx = upload(t, e, prev)
				wantDx = ref.Add(prev, wantDx)
			} else {
				dx = empty(t, e, c.shape...)
			}
			y := empty(t, e, N, C, OH, OW)
			r := e.NewRec(false)
			r.AvgPool2d(y, upload(t, e, x), c.k, c.stride, c.pad)
			r.AvgPool2dBackward(dx, upload(t, e, dy), c.k, c.stride, c.pad, c.acc)
			run(t, r)
			// y sums at most k*k taps; dx at most ceil(k/stride)^2 terms
			// (plus the previous value when accumulating).
			check(t, "y", y, ref.AvgPool2d(x, c.k, c.stride, c.pad), tolFor(c.k*c.k))
			over := (c.k + c.stride - 1) / c.stride
			check(t, "dx", dx, wantDx, tolFor(over*over+1))
		})
	}
}

// TestAvgPoolTiledBackwardChosen checks which backward runs: the vec4 one
// only where windows tile rows of a multiple of 4 pixels.
func TestAvgPoolTiledBackwardChosen(t *testing.T) {
	e := engine(t)
	cases := []struct {
		shape          []int
		k, stride, pad int
		want           string
	}{
		{[]int{1, 3, 8, 8}, 2, 2, 0, "avg_pool<2>"},
		{[]int{1, 3, 8, 6}, 2, 2, 0, "avg_pool<1>"},
		{[]int{1, 3, 8, 8}, 3, 2, 1, "avg_pool<1>"},
		{[]int{1, 3, 8, 8}, 2, 1, 0, "avg_pool<1>"},
	}
	for _, c := range cases {
		N, C, H, W := c.shape[0], c.shape[1], c.shape[2], c.shape[3]
		dx := empty(t, e, c.shape...)
		dy := empty(t, e, N, C, AvgPool2dOutSize(H, c.k, c.stride, c.pad), AvgPool2dOutSize(W, c.k, c.stride, c.pad))
		r := e.NewRec(true)
		r.AvgPool2dBackward(dx, dy, c.k, c.stride, c.pad, false)
		ts := runTimed(t, r)
		if len(ts) != 1 || ts[0].Kernel != c.want {
			t.Errorf("%v k%d s%d p%d: ran %v, want %s", c.shape, c.k, c.stride, c.pad, ts, c.want)
		}
	}
}
