package ref

import (
	"math"
	"testing"
)

// TestLossGrad checks each scalar loss scaled by a random upstream g, which
// catches a backward that ignores g.
func TestLossGrad(t *testing.T) {
	shapes := [][]int{{1}, {3, 1, 5, 7}, {2, 8}}
	for si, shape := range shapes {
		rng := newRNG(uint64(1000 + si))
		g := 2*rng.Float64() - 1
		scalar := func(x *Tensor) float64 {
			if len(x.Shape) != 1 || x.Shape[0] != 1 {
				t.Fatalf("loss shape %v, want [1]", x.Shape)
			}
			return g * x.Data[0]
		}
		x := Rand(rng, shape...)
		t.Run("MSEConst", func(t *testing.T) {
			const target = 0.7
			gradCheck(t, rng, func() float64 { return scalar(MSEConst(x, target)) },
				[]param{{"x", x, MSEConstBackward(x, target, g)}})
		})
		t.Run("L1Mean", func(t *testing.T) {
			a := Rand(rng, shape...)
			diff := Rand(rng, shape...)
			avoidKink(diff, 0, 1e-3) // keep a-b away from the |.| kink
			b := Add(a, diff)
			da, db := L1MeanBackward(a, b, g)
			gradCheck(t, rng, func() float64 { return scalar(L1Mean(a, b)) }, []param{{"a", a, da}, {"b", b, db}})
		})
		t.Run("KL", func(t *testing.T) {
			mu, logvar := Rand(rng, shape...), Scale(Rand(rng, shape...), 2)
			dmu, dlv := KLBackward(mu, logvar, g)
			gradCheck(t, rng, func() float64 { return scalar(KL(mu, logvar)) }, []param{{"mu", mu, dmu}, {"logvar", logvar, dlv}})
		})
		t.Run("Sum", func(t *testing.T) {
			gradCheck(t, rng, func() float64 { return scalar(Sum(x)) }, []param{{"x", x, SumBackward(x, g)}})
		})
		t.Run("Mean", func(t *testing.T) {
			gradCheck(t, rng, func() float64 { return scalar(Mean(x)) }, []param{{"x", x, MeanBackward(x, g)}})
		})
	}
}

func TestLossForwardHand(t *testing.T) {
	x := FromData([]float64{1, 2, 3, 6}, 1, 1, 2, 2)
	y := FromData([]float64{1, 4, 2, 6}, 1, 1, 2, 2)
	tests := []struct {
		name string
		got  *Tensor
		want float64
	}{
		{"MSEConst", MSEConst(x, 1), (0 + 1 + 4 + 25) / 4.0},
		{"L1Mean", L1Mean(x, y), (0 + 2 + 1 + 0) / 4.0},
		{"Sum", Sum(x), 12},
		{"Mean", Mean(x), 3},
		// mu 0, logvar 0 is N(0,1) itself: zero; mu 2 adds 2; logvar ln2 adds (2-ln2-1)/2.
		{"KL", KL(FromData([]float64{0, 2, 0}, 1, 3), FromData([]float64{0, 0, math.Ln2}, 1, 3)), 2 + (1-math.Ln2)/2},
	}
	for _, tc := range tests {
		assertClose(t, tc.name, tc.got, Scalar(tc.want), 1e-15)
	}
	// sign(0) = 0: equal elements get no gradient.
	da, db := L1MeanBackward(x, y, 1)
	assertClose(t, "L1 da", da, FromData([]float64{0, -0.25, 0.25, 0}, 1, 1, 2, 2), 0)
	assertClose(t, "L1 db", db, FromData([]float64{0, 0.25, -0.25, 0}, 1, 1, 2, 2), 0)
}
