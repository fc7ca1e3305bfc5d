package graph

import (
	"testing"

	"bicycle-vk/graph/ref"
)

// TestReparam checks z = mu + eps*exp(logvar/2) and its gradients, with
// acc off (into NaN-filled outputs) and on (into random ones). Tolerance
// 1e-6 (relative to max(|result|, 1)): the inputs' rounding to float32, a
// few ulps of exp, and two or three float32 roundings.
func TestReparam(t *testing.T) {
	e := engine(t)
	shapes := [][]int{{1, 1}, {1, 8}, {3, 8}, {3, 7}, {3, 512}, {2, 3, 5, 7}}
	for si, shape := range shapes {
		for _, acc := range [][2]bool{{false, false}, {true, true}, {true, false}, {false, true}} {
			t.Run("", func(t *testing.T) {
				g := rng(uint64(500 + si))
				mu, logvar, eps, dz := ref.Rand(g, shape...), ref.Rand(g, shape...), ref.Randn(g, shape...), ref.Rand(g, shape...)
				for i := range logvar.Data {
					logvar.Data[i] *= 4 // exp(logvar/2) in [e^-2, e^2)
				}
				gmu, glv, geps, gdz := upload(t, e, mu), upload(t, e, logvar), upload(t, e, eps), upload(t, e, dz)
				z := empty(t, e, shape...)
				prevMu, prevLv := ref.Rand(g, shape...), ref.Rand(g, shape...)
				dmu, dlv := empty(t, e, shape...), empty(t, e, shape...)
				if acc[0] {
					dmu = upload(t, e, prevMu)
				}
				if acc[1] {
					dlv = upload(t, e, prevLv)
				}
				r := e.NewRec(false)
				r.Reparam(z, gmu, glv, geps)
				r.ReparamBackward(dmu, dlv, glv, geps, gdz, acc[0], acc[1])
				run(t, r)
				expectClose(t, "reparam", z, ref.Reparam(mu, logvar, eps), 1e-6)
				wantMu, wantLv := ref.ReparamBackward(logvar, eps, dz)
				if acc[0] {
					wantMu = ref.Add(prevMu, wantMu)
				}
				if acc[1] {
					wantLv = ref.Add(prevLv, wantLv)
				}
				expectClose(t, "reparam_backward dmu", dmu, wantMu, 1e-6)
				expectClose(t, "reparam_backward dlogvar", dlv, wantLv, 1e-6)
			})
		}
	}
}

func TestReparamShapeErrors(t *testing.T) {
	e := engine(t)
	a, b := empty(t, e, 2, 8), empty(t, e, 2, 7)
	r := e.NewRec(false)
	defer r.Close()
	r.Reparam(a, a, b, a)
	if r.Err() == nil || r.Recorder().Len() != 0 {
		t.Errorf("reparam: err %v, %d dispatches", r.Err(), r.Recorder().Len())
	}
	r2 := e.NewRec(false)
	defer r2.Close()
	r2.ReparamBackward(a, a, a, a, a, false, false)
	if r2.Err() == nil || r2.Recorder().Len() != 0 {
		t.Errorf("reparam_backward with dmu = dlogvar: err %v, %d dispatches", r2.Err(), r2.Recorder().Len())
	}
}
