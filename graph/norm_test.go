package graph

import (
	"math"
	"testing"

	"bicycle-vk/graph/ref"
)

type normCase struct {
	shape  []int   // N, C, H, W
	offset float64 // added to x: a mean far from zero relative to the std
	accX   bool    // the backward adds dx onto random previous values
	accP   bool    // likewise dgamma and dbeta
}

var normCases = []normCase{
	{[]int{1, 1, 1, 1}, 0, false, false}, // H*W = 1: y = beta
	{[]int{3, 4, 1, 1}, 0, true, true},
	{[]int{1, 3, 2, 2}, 0, false, false},
	{[]int{3, 7, 5, 3}, 0, true, false}, // odd sizes
	{[]int{2, 7, 5, 3}, 10, false, false},
	{[]int{2, 64, 9, 11}, 0, false, false},
	{[]int{1, 512, 2, 2}, 0, false, true},
	{[]int{3, 512, 1, 1}, 0, false, false},
	{[]int{1, 3, 64, 64}, 0, true, true},
	{[]int{1, 3, 64, 64}, 10, false, false},
	{[]int{2, 2, 128, 128}, 0, false, true},
	{[]int{1, 16, 128, 128}, 10, true, true}, // long serial sums on a CPU
}

// instanceStatsRef is the forward's stats as the device lays them out:
// mean and 1/sqrt(biased var + eps) per plane.
func instanceStatsRef(x *ref.Tensor, eps float64) *ref.Tensor {
	planes := x.Shape[0] * x.Shape[1]
	m := x.Len() / planes
	st := ref.New(2 * planes)
	for p := range planes {
		xp := x.Data[p*m:][:m]
		s := 0.0
		for _, v := range xp {
			s += v
		}
		mu := s / float64(m)
		ss := 0.0
		for _, v := range xp {
			ss += (v - mu) * (v - mu)
		}
		st.Data[2*p], st.Data[2*p+1] = mu, 1/math.Sqrt(ss/float64(m)+eps)
	}
	return st
}

func TestInstanceNorm2d(t *testing.T) {
	e := engine(t)
	const eps = 1e-5
	for ci, c := range normCases {
		t.Run(shapeName(c.shape), func(t *testing.T) {
			g := rng(uint64(200 + ci))
			N, C, H, W := c.shape[0], c.shape[1], c.shape[2], c.shape[3]
			x := rand32(g, c.offset, c.shape...)
			gamma, beta := rand32(g, 1, C), rand32(g, 0, C) // gamma in [0, 2)
			dy := rand32(g, 0, c.shape...)
			gx, ggamma, gbeta, gdy := upload(t, e, x), upload(t, e, gamma), upload(t, e, beta), upload(t, e, dy)
			y, stats := empty(t, e, c.shape...), empty(t, e, 2*N*C)

			wdx, wdgamma, wdbeta := ref.InstanceNorm2dBackward(x, gamma, dy, eps)
			dx, dgamma, dbeta := empty(t, e, c.shape...), empty(t, e, C), empty(t, e, C)
			if c.accX {
				p0 := rand32(g, 0, c.shape...)
				dx, wdx = upload(t, e, p0), ref.Add(p0, wdx)
			}
			if c.accP {
				p1, p2 := rand32(g, 0, C), rand32(g, 0, C)
				dgamma, dbeta = upload(t, e, p1), upload(t, e, p2)
				wdgamma, wdbeta = ref.Add(p1, wdgamma), ref.Add(p2, wdbeta)
			}
			r := e.NewRec(false)
			r.InstanceNorm2d(y, gx, ggamma, gbeta, stats, eps)
			r.InstanceNorm2dBackward(dx, dgamma, dbeta, gx, ggamma, stats, gdy, c.accX, c.accP)
			run(t, r)

			// The mean and the variance each sum H*W terms: tolFor(H*W).
			// An offset o adds the rounding of the float32 mean (about
			// |o|*6e-8) relative to the std (1/sqrt(3) for these inputs),
			// times gamma (< 2) and 4x headroom.
			m := H * W
			tol := tolFor(m) + 8*math.Abs(c.offset)*math.Sqrt(3)*6e-8
			st := instanceStatsRef(x, eps)
			check(t, "stats", stats, &ref.Tensor{Shape: []int{2 * N * C}, Data: st.Data}, tol)
			check(t, "y", y, ref.InstanceNorm2d(x, gamma, beta, eps), tol)
			// dx sums two plane reductions of H*W terms; dgamma and dbeta
			// sum N*H*W terms.
			check(t, "dx", dx, wdx, tol)
			check(t, "dgamma", dgamma, wdgamma, tolFor(N*m)+8*math.Abs(c.offset)*math.Sqrt(3)*6e-8)
			check(t, "dbeta", dbeta, wdbeta, tolFor(N*m))
		})
	}
}
