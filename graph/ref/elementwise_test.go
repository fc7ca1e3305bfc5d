package ref

import (
	"math"
	"testing"
)

func TestAddGrad(t *testing.T) {
	rng := newRNG(900)
	a, b := Rand(rng, 2, 3, 4, 5), Rand(rng, 2, 3, 4, 5)
	r := Rand(rng, a.Shape...)
	// Add's backward is the identity for both inputs.
	gradCheck(t, rng, func() float64 { return project(Add(a, b), r) }, []param{{"a", a, r}, {"b", b, r}})
}

func TestReparamGrad(t *testing.T) {
	for i, shape := range [][]int{{1, 1}, {3, 8}} {
		rng := newRNG(uint64(910 + i))
		mu, logvar, eps := Rand(rng, shape...), Rand(rng, shape...), Randn(rng, shape...)
		r := Rand(rng, shape...)
		dmu, dlv := ReparamBackward(logvar, eps, r)
		gradCheck(t, rng, func() float64 { return project(Reparam(mu, logvar, eps), r) },
			[]param{{"mu", mu, dmu}, {"logvar", logvar, dlv}})
	}
}

func TestReparamForwardHand(t *testing.T) {
	// logvar = 2 ln 3 gives std 3.
	z := Reparam(FromData([]float64{1, -1}, 1, 2), FromData([]float64{2 * math.Log(3), 0}, 1, 2), FromData([]float64{2, 0.5}, 1, 2))
	assertClose(t, "Reparam", z, FromData([]float64{7, -0.5}, 1, 2), 1e-14)
}
