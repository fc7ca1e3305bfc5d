package ref

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Finite-difference settings shared by every backward test.
//
// fdStep: at h = 1e-6 central differences have truncation error ~ h^2 times
// the third derivative (~1e-12) and rounding error ~ 1e-16*|L|/h, about
// 1e-10*|L|; both are far below fdTol for the O(1..100) losses used here.
//
// fdTol: the error is judged relative to the largest analytic gradient of
// that input, so the test is independent of the loss scale. Observed FD noise
// is ~1e-8 typically and ~1.5e-7 at worst (instance norm over 2-pixel planes,
// where a small variance makes the curvature large); 1e-6 stays above that
// while any real bug (a wrong index, a missing factor) gives O(1) errors.
//
// fdSamples: inputs larger than this get a random subset of elements checked
// to keep each forward-per-perturbation test fast.
const (
	fdStep    = 1e-6
	fdTol     = 1e-6
	fdSamples = 50
)

// param is one differentiable input with its analytic gradient.
type param struct {
	name string
	x    *Tensor
	grad *Tensor
}

// newRNG gives each test its own deterministic stream.
func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) }

// project is the scalar L = sum(y*r) whose gradient w.r.t. y is r, turning
// any op into a scalar function for finite differences.
func project(y, r *Tensor) float64 {
	if !y.sameShapeAs(r) {
		panic("project: shape mismatch")
	}
	s := 0.0
	for i, v := range y.Data {
		s += v * r.Data[i]
	}
	return s
}

// gradCheck perturbs elements of each param in place (restoring them
// afterwards) and compares central differences of loss with the analytic
// gradients.
func gradCheck(t *testing.T, rng *rand.Rand, loss func() float64, params []param) {
	t.Helper()
	for _, p := range params {
		if !p.grad.sameShapeAs(p.x) {
			t.Fatalf("%s: gradient shape %v != input shape %v", p.name, p.grad.Shape, p.x.Shape)
		}
		idx := make([]int, p.x.Len())
		for i := range idx {
			idx[i] = i
		}
		if len(idx) > fdSamples {
			rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
			idx = idx[:fdSamples]
		}
		scale := math.Max(1e-12, MaxAbs(p.grad.Data)) // all-zero grads: absolute
		worst := 0.0
		for _, i := range idx {
			orig := p.x.Data[i]
			p.x.Data[i] = orig + fdStep
			lp := loss()
			p.x.Data[i] = orig - fdStep
			lm := loss()
			p.x.Data[i] = orig
			num := (lp - lm) / (2 * fdStep)
			e := math.Abs(num-p.grad.Data[i]) / scale
			worst = math.Max(worst, e)
			if !(e <= fdTol) {
				t.Errorf("%s[%d]: analytic %.12g, numeric %.12g (rel err %.3g > %.g)", p.name, i, p.grad.Data[i], num, e, fdTol)
			}
		}
		if testing.Verbose() {
			t.Logf("%s: %d/%d elements checked, worst rel err %.3g", p.name, len(idx), p.x.Len(), worst)
		}
	}
}

// avoidKink moves values within margin of kink away from it, so a +-fdStep
// perturbation never straddles a non-differentiable point.
func avoidKink(x *Tensor, kink, margin float64) {
	for i, v := range x.Data {
		if d := v - kink; math.Abs(d) < margin {
			if d < 0 {
				x.Data[i] = kink - margin
			} else {
				x.Data[i] = kink + margin
			}
		}
	}
}

// assertClose fails if got and want differ by more than tol anywhere.
func assertClose(t *testing.T, name string, got, want *Tensor, tol float64) {
	t.Helper()
	if !got.sameShapeAs(want) {
		t.Fatalf("%s: shape %v, want %v", name, got.Shape, want.Shape)
	}
	if d := MaxAbsDiff(got.Data, want.Data); !(d <= tol) {
		t.Errorf("%s: max abs diff %.3g > %.g\n got  %v\n want %v", name, d, tol, got.Data, want.Data)
	}
}
