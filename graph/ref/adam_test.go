package ref

import (
	"math"
	"testing"
)

// TestAdamFirstStep: on step 1 the bias corrections make m_hat = g and
// sqrt(v_hat) = |g|, so p moves by lr*g/(|g|+eps), i.e. almost exactly
// -lr*sign(g).
func TestAdamFirstStep(t *testing.T) {
	const lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
	for _, g := range []float64{0.5, -3, 1e-3} {
		p, m, v := Scalar(1), Scalar(0), Scalar(0)
		AdamStep(p, Scalar(g), m, v, lr, b1, b2, eps, 1)
		want := 1 - lr*g/(math.Abs(g)+eps)
		if math.Abs(p.Data[0]-want) > 1e-12 {
			t.Errorf("g=%g: p = %.15g, want %.15g", g, p.Data[0], want)
		}
		if math.Abs(p.Data[0]-(1-lr*math.Copysign(1, g))) > 1e-5 {
			t.Errorf("g=%g: p = %.15g, not ~ 1 - lr*sign(g)", g, p.Data[0])
		}
		if math.Abs(m.Data[0]-(1-b1)*g) > 1e-15 || math.Abs(v.Data[0]-(1-b2)*g*g) > 1e-15 {
			t.Errorf("g=%g: moments m=%g v=%g", g, m.Data[0], v.Data[0])
		}
	}
}

// TestAdamSequence replays several steps against the textbook
// m_hat / (sqrt(v_hat) + eps) form, which is algebraically what PyTorch
// computes when eps is scaled consistently: lr/bc1*m/(sqrt(v)/sqrt(bc2)+eps).
func TestAdamSequence(t *testing.T) {
	// Variables, not constants: Go folds 1-b2 exactly for constants, while
	// PyTorch (and AdamStep) round it at run time.
	lr, b1, b2, eps := 2e-4, 0.5, 0.999, 1e-8
	rng := newRNG(1100)
	p, m, v := Rand(rng, 3, 4), New(3, 4), New(3, 4)
	ep, em, ev := p.Clone(), New(3, 4), New(3, 4)
	for step := 1; step <= 5; step++ {
		g := Rand(rng, 3, 4)
		AdamStep(p, g, m, v, lr, b1, b2, eps, step)
		for i, gi := range g.Data {
			em.Data[i] = b1*em.Data[i] + (1-b1)*gi
			ev.Data[i] = b2*ev.Data[i] + (1-b2)*gi*gi
			mhat := em.Data[i] / (1 - math.Pow(b1, float64(step)))
			vhat := ev.Data[i] / (1 - math.Pow(b2, float64(step)))
			ep.Data[i] -= lr * mhat / (math.Sqrt(vhat) + eps)
		}
	}
	assertClose(t, "p", p, ep, 1e-14)
	assertClose(t, "m", m, em, 0)
	assertClose(t, "v", v, ev, 0)
}
