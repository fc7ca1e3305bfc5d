#version 450
// reduce: segmented sum, the engine's one generic reduction (Sum, Mean,
// ChannelSum, SpatialSum):
//   y[s] = scale * sum over o < outer, i < inner of x[o*outerStride + s*segStride + i]
//   (y[s] += that instead when accumulate != 0), for s < segs.
// bindings: 0 y (written, or accumulated), 1 x (read)
// push: int segs, outer, inner, outerStride, segStride; float scale; int accumulate
// spec: local_size_x_id 0 = WG, the workgroup size (a power of two)
// One workgroup reduces one segment (segments s, s + numGroups, ...): each
// invocation sums its strided share of the segment's outer*inner terms in
// order, then a shared-memory tree adds the WG partial sums. The order of the
// additions depends only on the shape, so results are deterministic.
layout(local_size_x_id = 0) in;
layout(std430, set = 0, binding = 0) buffer Y { float y[]; };
layout(std430, set = 0, binding = 1) readonly buffer X { float x[]; };
layout(push_constant) uniform P {
	int segs, outer, inner, outerStride, segStride;
	float scale;
	int accumulate;
} p;

shared float part[gl_WorkGroupSize.x];

void main() {
	const uint WG = gl_WorkGroupSize.x;
	uint lid = gl_LocalInvocationID.x;
	uint outer = uint(p.outer), inner = uint(p.inner);
	for (uint s = gl_WorkGroupID.x; s < uint(p.segs); s += gl_NumWorkGroups.x) {
		uint base = s * uint(p.segStride);
		float acc = 0.0;
		if (inner >= WG || outer == 1u) {
			// Rows at least a workgroup wide: stride along each row.
			for (uint o = 0u; o < outer; o++) {
				uint row = base + o * uint(p.outerStride);
				for (uint i = lid; i < inner; i += WG) {
					acc += x[row + i];
				}
			}
		} else {
			// Short rows (e.g. [N,C] bias gradients): stride over the flattened terms.
			uint total = outer * inner;
			for (uint t = lid; t < total; t += WG) {
				uint o = t / inner;
				acc += x[base + o * uint(p.outerStride) + (t - o * inner)];
			}
		}
		part[lid] = acc;
		barrier();
		for (uint h = WG / 2u; h > 0u; h >>= 1) {
			if (lid < h) {
				part[lid] += part[lid + h];
			}
			barrier();
		}
		if (lid == 0u) {
			float v = p.scale * part[0];
			y[s] = p.accumulate != 0 ? y[s] + v : v;
		}
		barrier(); // part is reused by the next segment
	}
}
