package ref

import (
	"fmt"
	"math"
	"testing"
)

func TestInstanceNorm2dGrad(t *testing.T) {
	cases := []struct {
		n, c, h, w int
		affine     bool
		eps        float64
	}{
		{1, 1, 2, 2, true, 1e-5},
		{3, 2, 5, 7, true, 1e-5},
		{1, 3, 1, 2, true, 1e-5},
		{2, 2, 8, 8, true, 1e-5},
		{2, 3, 3, 3, false, 1e-5}, // nil gamma/beta
		{1, 2, 4, 4, true, 0.5},   // large eps makes its placement matter
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("n%d_c%d_%dx%d_affine%v_eps%g", c.n, c.c, c.h, c.w, c.affine, c.eps), func(t *testing.T) {
			rng := newRNG(uint64(400 + i))
			x := Rand(rng, c.n, c.c, c.h, c.w)
			var gamma, beta *Tensor
			if c.affine {
				gamma, beta = Rand(rng, c.c), Rand(rng, c.c)
			}
			r := Rand(rng, x.Shape...)
			dx, dg, db := InstanceNorm2dBackward(x, gamma, r, c.eps)
			loss := func() float64 { return project(InstanceNorm2d(x, gamma, beta, c.eps), r) }
			ps := []param{{"x", x, dx}}
			if c.affine {
				ps = append(ps, param{"gamma", gamma, dg}, param{"beta", beta, db})
			}
			gradCheck(t, rng, loss, ps)
		})
	}
}

func TestInstanceNorm2dForwardHand(t *testing.T) {
	// mean 2.5, biased var 1.25; eps 0 makes the result exact.
	x := FromData([]float64{1, 2, 3, 4}, 1, 1, 2, 2)
	s := math.Sqrt(1.25)
	want := FromData([]float64{-1.5/s*2 + 1, -0.5/s*2 + 1, 0.5/s*2 + 1, 1.5/s*2 + 1}, 1, 1, 2, 2)
	assertClose(t, "hand", InstanceNorm2d(x, Scalar(2), Scalar(1), 0), want, 1e-15)
	// eps sits inside the sqrt: var 1.25 + eps 0.75 = 2.
	want = FromData([]float64{-1.5 / math.Sqrt2, -0.5 / math.Sqrt2, 0.5 / math.Sqrt2, 1.5 / math.Sqrt2}, 1, 1, 2, 2)
	assertClose(t, "eps", InstanceNorm2d(x, nil, nil, 0.75), want, 1e-15)
}

// TestInstanceNorm2dStats checks every (n,c) plane comes out with mean beta
// and biased std gamma*sqrt(var/(var+eps)), i.e. statistics are per plane,
// not per channel across the batch.
func TestInstanceNorm2dStats(t *testing.T) {
	rng := newRNG(450)
	const N, C, H, W, eps = 3, 4, 5, 7, 1e-5
	x := Randn(rng, N, C, H, W)
	for n := range N { // give each plane its own offset and scale
		for c := range C {
			p := x.Data[(n*C+c)*H*W:][:H*W]
			for i := range p {
				p[i] = p[i]*float64(1+n+c) + float64(3*n-c)
			}
		}
	}
	gamma, beta := Rand(rng, C), Rand(rng, C)
	y := InstanceNorm2d(x, gamma, beta, eps)
	meanVar := func(p []float64) (float64, float64) {
		m := 0.0
		for _, v := range p {
			m += v
		}
		m /= float64(len(p))
		s := 0.0
		for _, v := range p {
			s += (v - m) * (v - m)
		}
		return m, s / float64(len(p))
	}
	for n := range N {
		for c := range C {
			off := (n*C + c) * H * W
			_, xv := meanVar(x.Data[off:][:H*W])
			ym, yv := meanVar(y.Data[off:][:H*W])
			wantStd := math.Abs(gamma.Data[c]) * math.Sqrt(xv/(xv+eps))
			if math.Abs(ym-beta.Data[c]) > 1e-12 || math.Abs(math.Sqrt(yv)-wantStd) > 1e-12 {
				t.Errorf("plane (%d,%d): mean %g std %g, want %g %g", n, c, ym, math.Sqrt(yv), beta.Data[c], wantStd)
			}
		}
	}
}
