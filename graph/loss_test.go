package graph

import (
	"testing"

	"bicycle-vk/graph/ref"
)

func TestLosses(t *testing.T) {
	e := engine(t)
	type lossCase struct {
		name  string
		shape []int
		acc   bool
	}
	cases := []lossCase{
		{"mse", []int{1, 1, 30, 30}, false},
		{"mse", []int{3, 1, 30, 30}, true},
		{"mse", []int{1, 1, 14, 14}, false},
		{"mse", []int{3, 1, 14, 14}, false},
		{"mse", []int{1}, false},
		{"l1", []int{3, 3, 128, 128}, false},
		{"l1", []int{1, 3, 7, 5}, true},
		{"l1", []int{1}, false},
		{"kl", []int{1, 8}, false},
		{"kl", []int{3, 8}, true},
		{"kl", []int{2, 300}, false},
		{"kl", []int{3, 8}, false}, // accumulates dlogvar only (below)
	}
	for ci, c := range cases {
		t.Run(c.name+"/"+shapeName(c.shape), func(t *testing.T) {
			g := rng(uint64(500 + ci))
			a, b := rand32(g, 0, c.shape...), rand32(g, 0, c.shape...)
			if c.name == "l1" && len(b.Data) > 4 {
				b.Data[3] = a.Data[3] // sign(0) = 0
			}
			if c.name == "kl" {
				for i := range b.Data {
					b.Data[i] *= 3 // logvar over [-3, 3)
				}
			}
			ga, gb := upload(t, e, a), upload(t, e, b)
			y := empty(t, e, 1)
			var want, wd0, wd1 *ref.Tensor
			d0 := empty(t, e, c.shape...)
			var d1 *Tensor
			var p0, p1 *ref.Tensor
			if c.acc {
				p0 = rand32(g, 0, c.shape...)
				d0 = upload(t, e, p0)
			}
			r := e.NewRec(false)
			n := a.Len()
			// An upstream gradient that makes the elementwise gradients
			// of order 1, so that expectClose (relative to max(scale, 1))
			// measures their relative error.
			g0 := 0.75 * float64(n)
			if c.name == "kl" {
				g0 = 0.75
			}
			switch c.name {
			case "mse":
				const target = 1
				want, wd0 = ref.MSEConst(a, target), ref.MSEConstBackward(a, target, g0)
				r.MSEConst(y, ga, target)
				r.MSEConstBackward(d0, ga, target, float32(g0), c.acc)
			case "l1":
				want = ref.L1Mean(a, b)
				wd0, _ = ref.L1MeanBackward(a, b, g0)
				r.L1Mean(y, ga, gb)
				r.L1MeanBackward(d0, ga, gb, float32(g0), c.acc)
			case "kl":
				want = ref.KL(a, b)
				wd0, wd1 = ref.KLBackward(a, b, g0)
				d1 = empty(t, e, c.shape...)
				acc1 := c.acc || ci == len(cases)-1
				if acc1 {
					p1 = rand32(g, 0, c.shape...)
					d1 = upload(t, e, p1)
					wd1 = ref.Add(p1, wd1)
				}
				r.KL(y, ga, gb)
				r.KLBackward(d0, d1, ga, gb, float32(g0), c.acc, acc1)
			}
			if c.acc {
				wd0 = ref.Add(p0, wd0)
			}
			run(t, r)
			// The loss sums n nonnegative terms (a few ulps each for KL's
			// exp): tolFor(n) relative. Gradients are elementwise: a few
			// roundings (of g/n too), and exp's few ulps for KL: 1e-6 is
			// about 8 ulps.
			check(t, "loss", y, want, tolFor(n))
			check(t, "d0", d0, wd0, 1e-6)
			if d1 != nil {
				check(t, "d1", d1, wd1, 1e-6)
			}
		})
	}
}

func TestReduceNormPoolLinearLossShapeErrors(t *testing.T) {
	e := engine(t)
	x4, x2, v3, v4, s1, s2 := empty(t, e, 2, 3, 4, 4), empty(t, e, 2, 3), empty(t, e, 3), empty(t, e, 4), empty(t, e, 1), empty(t, e, 2)
	stats := empty(t, e, 12)
	cases := []struct {
		name string
		rec  func(r *Rec)
	}{
		{"sum into 2", func(r *Rec) { r.Sum(s2, x4, false) }},
		{"mean into 2", func(r *Rec) { r.Mean(s2, x4, false) }},
		{"channel_sum 1-D", func(r *Rec) { r.ChannelSum(v3, v4, false) }},
		{"channel_sum wrong C", func(r *Rec) { r.ChannelSum(v4, x4, false) }},
		{"spatial_sum 2-D", func(r *Rec) { r.SpatialSum(x2, x2, false) }},
		{"spatial_sum wrong y", func(r *Rec) { r.SpatialSum(v3, x4, false) }},
		{"instance_norm 2-D", func(r *Rec) { r.InstanceNorm2d(x2, x2, v3, v3, stats, 1e-5) }},
		{"instance_norm gamma", func(r *Rec) { r.InstanceNorm2d(x4, x4, v4, v3, stats, 1e-5) }},
		{"instance_norm beta", func(r *Rec) { r.InstanceNorm2d(x4, x4, v3, v4, stats, 1e-5) }},
		{"instance_norm stats", func(r *Rec) { r.InstanceNorm2d(x4, x4, v3, v3, v4, 1e-5) }},
		{"instance_norm_backward dy", func(r *Rec) { r.InstanceNorm2dBackward(x4, v3, v3, x4, v3, stats, x2, false, false) }},
		{"instance_norm_backward dgamma", func(r *Rec) { r.InstanceNorm2dBackward(x4, v4, v3, x4, v3, stats, x4, false, false) }},
		{"avg_pool pad > k/2", func(r *Rec) { r.AvgPool2d(empty(t, e, 2, 3, 3, 3), x4, 2, 2, 2) }},
		{"avg_pool wrong y", func(r *Rec) { r.AvgPool2d(x4, x4, 2, 2, 0) }},
		{"avg_pool k > map", func(r *Rec) { r.AvgPool2d(empty(t, e, 2, 3, 1, 1), x4, 8, 8, 0) }},
		{"avg_pool_backward wrong dx", func(r *Rec) { r.AvgPool2dBackward(x2, x4, 2, 2, 0, false) }},
		{"linear w", func(r *Rec) { r.Linear(empty(t, e, 2, 4), x2, empty(t, e, 4, 2), v4) }},
		{"linear b", func(r *Rec) { r.Linear(empty(t, e, 2, 4), x2, empty(t, e, 4, 3), v3) }},
		{"linear_backward_data dx", func(r *Rec) { r.LinearBackwardData(empty(t, e, 2, 4), empty(t, e, 4, 3), empty(t, e, 2, 4), false) }},
		{"linear_backward_weight dw", func(r *Rec) { r.LinearBackwardWeight(empty(t, e, 3, 3), x2, empty(t, e, 2, 4), false) }},
		{"mse into 2", func(r *Rec) { r.MSEConst(s2, x4, 1) }},
		{"l1 shapes", func(r *Rec) { r.L1Mean(s1, x4, x2) }},
		{"l1_backward shapes", func(r *Rec) { r.L1MeanBackward(x2, x4, x4, 1, false) }},
		{"kl shapes", func(r *Rec) { r.KL(s1, v3, v4) }},
		{"kl_backward shapes", func(r *Rec) { r.KLBackward(v3, v4, v3, v3, 1, false, false) }},
	}
	for _, c := range cases {
		r := e.NewRec(false)
		c.rec(r)
		if r.Err() == nil || r.Recorder().Len() != 0 {
			t.Errorf("%s: err %v, %d dispatches", c.name, r.Err(), r.Recorder().Len())
		}
		r.Close()
	}
}
