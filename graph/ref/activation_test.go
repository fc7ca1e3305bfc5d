package ref

import (
	"fmt"
	"math"
	"testing"
)

// kinkMargin keeps inputs far enough from 0 that a +-fdStep perturbation
// never crosses the kink of ReLU-like functions.
const kinkMargin = 1e-3

func TestActivationGrad(t *testing.T) {
	shapes := [][]int{{1, 1, 1, 1}, {3, 2, 5, 7}, {2, 16}}
	type act struct {
		name     string
		kink     bool
		forward  func(x *Tensor) *Tensor
		backward func(x, y, dy *Tensor) *Tensor
	}
	acts := []act{
		{"ReLU", true, ReLU, func(x, _, dy *Tensor) *Tensor { return ReLUBackward(x, dy) }},
		{"LeakyReLU0.2", true, func(x *Tensor) *Tensor { return LeakyReLU(x, 0.2) },
			func(x, _, dy *Tensor) *Tensor { return LeakyReLUBackward(x, dy, 0.2) }},
		{"Tanh", false, Tanh, func(_, y, dy *Tensor) *Tensor { return TanhBackward(y, dy) }},
		{"Exp", false, Exp, func(_, y, dy *Tensor) *Tensor { return ExpBackward(y, dy) }},
		{"Scale-1.5", false, func(x *Tensor) *Tensor { return Scale(x, -1.5) },
			func(_, _, dy *Tensor) *Tensor { return Scale(dy, -1.5) }},
	}
	for ai, a := range acts {
		for si, s := range shapes {
			t.Run(fmt.Sprintf("%s_%v", a.name, s), func(t *testing.T) {
				rng := newRNG(uint64(500 + 10*ai + si))
				x := Scale(Rand(rng, s...), 3) // cover tanh saturation too
				if a.kink {
					avoidKink(x, 0, kinkMargin)
				}
				r := Rand(rng, s...)
				dx := a.backward(x, a.forward(x), r)
				gradCheck(t, rng, func() float64 { return project(a.forward(x), r) }, []param{{"x", x, dx}})
			})
		}
	}
}

func TestActivationForwardHand(t *testing.T) {
	x := FromData([]float64{-2, -0.0, 0, 3}, 4, 1)
	dy := FromData([]float64{1, 1, 1, 1}, 4, 1)
	assertClose(t, "ReLU", ReLU(x), FromData([]float64{0, 0, 0, 3}, 4, 1), 0)
	assertClose(t, "LeakyReLU", LeakyReLU(x, 0.2), FromData([]float64{-0.4, 0, 0, 3}, 4, 1), 0)
	// At exactly 0 PyTorch uses the negative-side slope.
	assertClose(t, "ReLUBackward", ReLUBackward(x, dy), FromData([]float64{0, 0, 0, 1}, 4, 1), 0)
	assertClose(t, "LeakyReLUBackward", LeakyReLUBackward(x, dy, 0.2), FromData([]float64{0.2, 0.2, 0.2, 1}, 4, 1), 0)
	assertClose(t, "Tanh", Tanh(x), FromData([]float64{math.Tanh(-2), 0, 0, math.Tanh(3)}, 4, 1), 0)
}
