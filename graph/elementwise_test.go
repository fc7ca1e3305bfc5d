package graph

import (
	"testing"

	"bicycle-vk/graph/ref"
)

func TestUnaryOps(t *testing.T) {
	e := engine(t)
	shapes := [][]int{{1}, {7}, {2, 3, 5, 7}, {1, 64, 33, 31}, {3, 8}}
	const slope = 0.2
	type op struct {
		name string
		rec  func(r *Rec, y, x, dy *Tensor)
		want func(x, dy *ref.Tensor) *ref.Tensor
	}
	ops := []op{
		{"leaky_relu", func(r *Rec, y, x, _ *Tensor) { r.LeakyReLU(y, x, slope) },
			func(x, _ *ref.Tensor) *ref.Tensor { return ref.LeakyReLU(x, slope) }},
		{"relu", func(r *Rec, y, x, _ *Tensor) { r.ReLU(y, x) },
			func(x, _ *ref.Tensor) *ref.Tensor { return ref.ReLU(x) }},
		{"tanh", func(r *Rec, y, x, _ *Tensor) { r.Tanh(y, x) },
			func(x, _ *ref.Tensor) *ref.Tensor { return ref.Tanh(x) }},
		{"exp", func(r *Rec, y, x, _ *Tensor) { r.Exp(y, x) },
			func(x, _ *ref.Tensor) *ref.Tensor { return ref.Exp(x) }},
		{"scale", func(r *Rec, y, x, _ *Tensor) { r.Scale(y, x, -1.5, false) },
			func(x, _ *ref.Tensor) *ref.Tensor { return ref.Scale(x, -1.5) }},
		{"leaky_relu_backward", func(r *Rec, y, x, dy *Tensor) { r.LeakyReLUBackward(y, x, dy, slope, false) },
			func(x, dy *ref.Tensor) *ref.Tensor { return ref.LeakyReLUBackward(x, dy, slope) }},
		{"relu_backward", func(r *Rec, y, x, dy *Tensor) { r.ReLUBackward(y, x, dy, false) },
			func(x, dy *ref.Tensor) *ref.Tensor { return ref.ReLUBackward(x, dy) }},
		{"tanh_backward", func(r *Rec, y, x, dy *Tensor) { r.TanhBackward(y, x, dy, false) },
			func(x, dy *ref.Tensor) *ref.Tensor { return ref.TanhBackward(x, dy) }},
		{"exp_backward", func(r *Rec, y, x, dy *Tensor) { r.ExpBackward(y, x, dy, false) },
			func(x, dy *ref.Tensor) *ref.Tensor { return ref.ExpBackward(x, dy) }},
	}
	for _, o := range ops {
		for si, shape := range shapes {
			t.Run(o.name, func(t *testing.T) {
				g := rng(uint64(si))
				x := ref.Rand(g, shape...)
				for i := range x.Data {
					x.Data[i] *= 3 // reach tanh's and exp's curved parts
				}
				dy := ref.Rand(g, shape...)
				gx, gdy, gy := upload(t, e, x), upload(t, e, dy), empty(t, e, shape...)
				r := e.NewRec(false)
				o.rec(r, gy, gx, gdy)
				run(t, r)
				// Elementwise: one rounding per op, plus exp's and tanh's few ulps.
				expectClose(t, o.name, gy, o.want(x, dy), 1e-6)
			})
		}
	}
}

func TestAccumulate(t *testing.T) {
	e := engine(t)
	g := rng(9)
	x, dy, prev := ref.Rand(g, 2, 3, 5), ref.Rand(g, 2, 3, 5), ref.Rand(g, 2, 3, 5)
	gx, gdy, gy := upload(t, e, x), upload(t, e, dy), upload(t, e, prev)
	r := e.NewRec(false)
	r.LeakyReLUBackward(gy, gx, gdy, 0.2, true)
	run(t, r)
	expectClose(t, "accumulated", gy, ref.Add(prev, ref.LeakyReLUBackward(x, dy, 0.2)), 1e-6)
}

func TestFill(t *testing.T) {
	e := engine(t)
	y := empty(t, e, 3, 70001)
	r := e.NewRec(false)
	r.Fill(y, 2.5)
	run(t, r)
	want := ref.New(3, 70001)
	for i := range want.Data {
		want.Data[i] = 2.5
	}
	expectClose(t, "fill", y, want, 0)
}
