package graph

import (
	"math/rand/v2"
	"testing"

	"bicycle-vk/graph/ref"
)

// Channel copies move float32 values unchanged (or add two of them), so the
// tolerance is 0 for copies and one float32 rounding (6e-8, say 1e-7) when
// accumulating.

// randRounded32 is ref.Rand with every value rounded to float32, so that
// uploading it loses nothing and exact comparisons hold.
func randRounded32(g *rand.Rand, shape ...int) *ref.Tensor {
	x := ref.Rand(g, shape...)
	for i, v := range x.Data {
		x.Data[i] = float64(float32(v))
	}
	return x
}

// TestConcat checks the U-Net concatenation cat(up, skip) and its backward,
// plain and accumulating, against ref.Concat and ref.ConcatBackward.
func TestConcat(t *testing.T) {
	e := engine(t)
	cases := []struct {
		name   string
		shapes [][]int // the inputs' shapes
	}{
		{"bottleneck 1x1 512+512", [][]int{{1, 512, 1, 1}, {1, 512, 1, 1}}},
		{"2x2 batch 3", [][]int{{3, 7, 2, 2}, {3, 3, 2, 2}}},
		{"odd map 1+3", [][]int{{1, 1, 5, 7}, {1, 3, 5, 7}}},
		{"image and tiled z", [][]int{{3, 3, 17, 9}, {3, 8, 17, 9}}},
		{"three inputs", [][]int{{3, 1, 4, 6}, {3, 7, 4, 6}, {3, 3, 4, 6}}},
		{"feature vectors", [][]int{{3, 7}, {3, 1}, {3, 512}}},
	}
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := rng(uint64(100 + ci))
			xs := make([]*ref.Tensor, len(c.shapes))
			gxs := make([]*Tensor, len(c.shapes))
			channels := make([]int, len(c.shapes))
			for i, s := range c.shapes {
				xs[i] = randRounded32(g, s...)
				gxs[i] = upload(t, e, xs[i])
				channels[i] = s[1]
			}
			want := ref.Concat(xs...)
			gy := empty(t, e, want.Shape...)
			r := e.NewRec(false)
			r.Concat(gy, gxs...)
			// Each copy after the first waits on a barrier: they all bind the
			// whole of y (see CopyChannels).
			t.Logf("%d inputs: %d barriers", len(xs), r.Recorder().Barriers())
			run(t, r)
			expectClose(t, "concat", gy, want, 0)

			// Backward, overwriting NaN-filled gradients, then accumulating into
			// random ones.
			dy := randRounded32(g, want.Shape...)
			gdy := upload(t, e, dy)
			wantDx := ref.ConcatBackward(dy, channels)
			dxs := make([]*Tensor, len(xs))
			prevs := make([]*ref.Tensor, len(xs))
			accs := make([]*Tensor, len(xs))
			for i, s := range c.shapes {
				dxs[i] = empty(t, e, s...)
				prevs[i] = randRounded32(g, s...)
				accs[i] = upload(t, e, prevs[i])
			}
			r = e.NewRec(false)
			r.ConcatBackward(dxs, gdy, false)
			r.ConcatBackward(accs, gdy, true)
			run(t, r)
			for i := range xs {
				expectClose(t, "concat_backward", dxs[i], wantDx[i], 0)
				expectClose(t, "concat_backward acc", accs[i], ref.Add(prevs[i], wantDx[i]), 1e-7)
			}
		})
	}
}

// TestCopyChannels copies channel slices at nonzero offsets on both sides,
// leaving dst's other channels alone.
func TestCopyChannels(t *testing.T) {
	e := engine(t)
	cases := []struct {
		name                  string
		dst, src              []int
		dstOff, srcOff, count int
		acc                   bool
	}{
		{"middle slice", []int{3, 5, 2, 2}, []int{3, 7, 2, 2}, 1, 2, 3, false},
		{"middle slice acc", []int{3, 5, 2, 2}, []int{3, 7, 2, 2}, 1, 2, 3, true},
		{"one channel 1x1", []int{1, 3, 1, 1}, []int{1, 512, 1, 1}, 2, 511, 1, false},
		{"odd map acc", []int{1, 9, 13, 11}, []int{1, 4, 13, 11}, 5, 0, 4, true},
		{"vector into 1x1 map", []int{3, 10}, []int{3, 4, 1, 1}, 6, 1, 3, false},
		{"large batch", []int{3, 512, 2, 2}, []int{3, 300, 2, 2}, 100, 7, 293, true},
	}
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := rng(uint64(200 + ci))
			src, dst := randRounded32(g, c.src...), randRounded32(g, c.dst...)
			gsrc, gdst := upload(t, e, src), upload(t, e, dst)
			want := dst.Clone()
			n, inner := c.dst[0], len(dst.Data)/(c.dst[0]*c.dst[1])
			for b := range n {
				for k := range c.count {
					for i := range inner {
						v := src.Data[(b*c.src[1]+c.srcOff+k)*inner+i]
						j := (b*c.dst[1]+c.dstOff+k)*inner + i
						if c.acc {
							want.Data[j] += v
						} else {
							want.Data[j] = v
						}
					}
				}
			}
			r := e.NewRec(false)
			r.CopyChannels(gdst, c.dstOff, gsrc, c.srcOff, c.count, c.acc)
			run(t, r)
			tol := 0.0
			if c.acc {
				tol = 1e-7 // one float32 addition
			}
			expectClose(t, "copy_channels", gdst, want, tol)
		})
	}
}

// TestCopyChannelsShapeErrors: bad shapes or ranges fail the recording
// instead of panicking or dispatching.
func TestCopyChannelsShapeErrors(t *testing.T) {
	e := engine(t)
	a, b := empty(t, e, 2, 4, 3, 3), empty(t, e, 2, 4, 3, 2)
	c, d, v := empty(t, e, 1, 4, 3, 3), empty(t, e, 1, 2, 3, 3), empty(t, e, 4)
	cases := []struct {
		name string
		rec  func(r *Rec)
	}{
		{"spatial mismatch", func(r *Rec) { r.CopyChannels(a, 0, b, 0, 1, false) }},
		{"batch mismatch", func(r *Rec) { r.CopyChannels(a, 0, c, 0, 1, false) }},
		{"src range", func(r *Rec) { r.CopyChannels(a, 0, c, 2, 3, false) }},
		{"dst range", func(r *Rec) { r.CopyChannels(c, 3, d, 0, 2, false) }},
		{"zero count", func(r *Rec) { r.CopyChannels(a, 0, c, 0, 0, false) }},
		{"negative offset", func(r *Rec) { r.CopyChannels(a, -1, c, 0, 1, false) }},
		{"rank 1", func(r *Rec) { r.CopyChannels(v, 0, v, 0, 1, false) }},
		{"same tensor", func(r *Rec) { r.CopyChannels(a, 0, a, 2, 2, false) }},
		{"concat channel sum", func(r *Rec) { r.Concat(a, c, c) }},
		{"concat spatial", func(r *Rec) { r.Concat(a, b) }},
		{"concat_backward channel sum", func(r *Rec) { r.ConcatBackward([]*Tensor{a, a}, a, false) }},
		{"concat no inputs", func(r *Rec) { r.Concat(a) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.NewRec(false)
			defer r.Close()
			c.rec(r)
			if r.Err() == nil {
				t.Fatal("no error")
			}
			if r.Recorder().Len() != 0 {
				t.Errorf("%d dispatches recorded", r.Recorder().Len())
			}
			t.Log(r.Err())
		})
	}
}
