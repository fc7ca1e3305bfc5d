package graph

import (
	"testing"

	"bicycle-vk/graph/ref"
)

// TestBinary checks Add and Axpby, out of place and in place on either
// input. Tolerance 1e-6 (relative to max(|y|, 1)): the inputs' rounding to
// float32 and two or three float32 roundings, each about 6e-8 x (|alpha| + |beta|).
func TestBinary(t *testing.T) {
	e := engine(t)
	shapes := [][]int{{1}, {7}, {2, 3, 5, 7}, {3, 512, 2, 2}, {1, 3, 1, 1}, {3, 70001}}
	const alpha, beta = 1.5, -0.75
	type op struct {
		name string
		rec  func(r *Rec, y, a, b *Tensor)
		want func(a, b *ref.Tensor) *ref.Tensor
	}
	ops := []op{
		{"add", func(r *Rec, y, a, b *Tensor) { r.Add(y, a, b) }, ref.Add},
		{"axpby", func(r *Rec, y, a, b *Tensor) { r.Axpby(y, alpha, a, beta, b) },
			func(a, b *ref.Tensor) *ref.Tensor { return ref.Add(ref.Scale(a, alpha), ref.Scale(b, beta)) }},
	}
	for _, o := range ops {
		for si, shape := range shapes {
			for _, inPlace := range []string{"", "a", "b"} {
				t.Run(o.name+" "+inPlace, func(t *testing.T) {
					g := rng(uint64(400 + si))
					a, b := ref.Rand(g, shape...), ref.Rand(g, shape...)
					ga, gb := upload(t, e, a), upload(t, e, b)
					y := map[string]*Tensor{"": empty(t, e, shape...), "a": ga, "b": gb}[inPlace]
					r := e.NewRec(false)
					o.rec(r, y, ga, gb)
					run(t, r)
					expectClose(t, o.name, y, o.want(a, b), 1e-6)
				})
			}
		}
	}
}

func TestBinaryShapeErrors(t *testing.T) {
	e := engine(t)
	a, b := empty(t, e, 2, 3), empty(t, e, 3, 2)
	r := e.NewRec(false)
	defer r.Close()
	r.Add(a, a, b)
	if r.Err() == nil || r.Recorder().Len() != 0 {
		t.Errorf("add of %v and %v: err %v, %d dispatches", a.Shape, b.Shape, r.Err(), r.Recorder().Len())
	}
}
