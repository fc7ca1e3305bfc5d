package graph

import "bicycle-vk/vk"

// reducePlan spreads segs segments (planes, channels) of n terms each over a
// grid, for reduce.comp and the instance-norm shaders. It returns their
// specialization constants (WG, SMALL) and the grid:
//   - SMALL: one invocation reduces a whole segment serially, no barriers;
//   - otherwise one workgroup of 64 per segment, ending in a shared-memory tree.
//
// lavapipe runs a workgroup on one CPU thread, where barriers and idle lanes
// cost far more than serial loads (a 4x4-plane instance norm ran 40x faster
// serially), so there SMALL wins whenever there are segments enough to fill
// 8-wide workgroups on every thread; groups of 8 keep many of them. A GPU
// wants wide parallelism over a long segment, so it goes serial only for
// short ones.
func (r *Rec) reducePlan(segs, n int) ([]uint32, [3]uint32) {
	const (
		wg           = 64 // tree workgroups, and serial ones on a GPU
		cpuWG        = 8  // serial workgroups on a CPU: one SIMD row
		cpuMinSegs   = 16 // enough serial segments for a CPU's threads
		shortSegment = 64 // serial everywhere at or below this length
	)
	switch {
	case r.e.Dev.Info.Type == vk.CPU && (n <= shortSegment || segs >= cpuMinSegs):
		return []uint32{cpuWG, 1}, groups1D(segs, cpuWG)
	case n <= shortSegment:
		return []uint32{wg, 1}, groups1D(segs, wg)
	}
	return []uint32{wg, 0}, groups1D(segs, 1)
}

// reduce records y[s] = scale * sum over o < outer, i < inner of
// x[o*outerStride + s*segStride + i] for s < segs (shaders/reduce.comp).
func (r *Rec) reduce(op string, y, x *Tensor, segs, outer, inner, outerStride, segStride int, scale float32, acc bool) {
	spec, groups := r.reducePlan(segs, outer*inner)
	r.dispatch(op, "reduce", spec, groups,
		vk.Push(segs, outer, inner, outerStride, segStride, scale, acc),
		vk.Out(y.Buf), vk.In(x.Buf))
}

// Sum: y[0] (+)= sum of all elements of x; y has one element.
func (r *Rec) Sum(y, x *Tensor, acc bool) {
	if r.err != nil {
		return
	}
	if y.Len() != 1 {
		r.fail("sum", "y must have one element, got shape %v", y.Shape)
		return
	}
	r.reduce("sum", y, x, 1, 1, x.Len(), 0, 0, 1, acc)
}

// Mean: y[0] (+)= the average of all elements of x; y has one element.
func (r *Rec) Mean(y, x *Tensor, acc bool) {
	if r.err != nil {
		return
	}
	if y.Len() != 1 {
		r.fail("mean", "y must have one element, got shape %v", y.Shape)
		return
	}
	n := x.Len()
	r.reduce("mean", y, x, 1, 1, n, 0, 0, 1/float32(n), acc)
}

// ChannelSum: y[c] (+)= sum over n, h, w of x[n,c,h,w], for x [N,C,H,W] or
// [N,C] and y [C]. It is the bias gradient of conv and linear layers.
func (r *Rec) ChannelSum(y, x *Tensor, acc bool) {
	if r.err != nil {
		return
	}
	if len(x.Shape) != 2 && len(x.Shape) != 4 {
		r.fail("channel_sum", "x must be [N,C] or [N,C,H,W], got %v", x.Shape)
		return
	}
	N, C := x.Dim(0), x.Dim(1)
	hw := x.Dim(2) * x.Dim(3)
	if !SameShape(y.Shape, []int{C}) {
		r.fail("channel_sum", "y shape %v, want [%d] for x %v", y.Shape, C, x.Shape)
		return
	}
	r.reduce("channel_sum", y, x, C, N, hw, C*hw, hw, 1, acc)
}

// SpatialSum: y[n,c] (+)= sum over h, w of x[n,c,h,w], for x [N,C,H,W] and
// y [N,C]. It is the backward of tiling a vector over a map.
func (r *Rec) SpatialSum(y, x *Tensor, acc bool) {
	if r.err != nil {
		return
	}
	if len(x.Shape) != 4 {
		r.fail("spatial_sum", "x must be [N,C,H,W], got %v", x.Shape)
		return
	}
	N, C, hw := x.Shape[0], x.Shape[1], x.Shape[2]*x.Shape[3]
	if !SameShape(y.Shape, []int{N, C}) {
		r.fail("spatial_sum", "y shape %v, want [%d %d] for x %v", y.Shape, N, C, x.Shape)
		return
	}
	r.reduce("spatial_sum", y, x, N*C, 1, hw, 0, hw, 1, acc)
}
