#version 450
// reduce: segmented sum, the engine's one generic reduction (Sum, Mean,
// ChannelSum, SpatialSum):
//   y[s] = scale * sum over o < outer, i < inner of x[o*outerStride + s*segStride + i]
//   (y[s] += that instead when accumulate != 0), for s < segs.
// bindings: 0 y (written, or accumulated), 1 x (read)
// push: int segs, outer, inner, outerStride, segStride; float scale; int accumulate
// spec: local_size_x_id 0 = WG, the workgroup size (a power of two);
//       constant_id 1 SMALL
// SMALL = false: one workgroup reduces one segment (segments s, s + numGroups,
// ...): each invocation sums its strided share of the segment's terms, then
// a shared-memory tree adds the WG partial sums.
// SMALL = true (short segments, or many of them on a CPU): one invocation
// sums one whole segment in order (segments s, s + WG*numGroups, ...), with
// no barriers.
// Serial runs are summed in blocks of 64 (see Acc), and the order of the
// additions depends only on the shape, so results are deterministic.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const bool SMALL = false;
layout(std430, set = 0, binding = 0) buffer Y { float y[]; };
layout(std430, set = 0, binding = 1) readonly buffer X { float x[]; };
layout(push_constant) uniform P {
	int segs, outer, inner, outerStride, segStride;
	float scale;
	int accumulate;
} p;

shared float part[gl_WorkGroupSize.x];

// Acc is a blocked sum: terms go into blk, which folds into total every 64
// terms, so a serial sum's rounding error grows with 64 + terms/64 rather
// than with the number of terms.
struct Acc { float total, blk; uint cnt; };
void add(inout Acc a, float v) {
	a.blk += v;
	if (++a.cnt == 64u) {
		a.total += a.blk;
		a.blk = 0.0;
		a.cnt = 0u;
	}
}

void store(uint s, float sum) {
	float v = p.scale * sum;
	y[s] = p.accumulate != 0 ? y[s] + v : v;
}

void main() {
	const uint WG = gl_WorkGroupSize.x;
	uint lid = gl_LocalInvocationID.x;
	uint outer = uint(p.outer), inner = uint(p.inner);
	if (SMALL) {
		uint step = gl_NumWorkGroups.x * WG;
		for (uint s = gl_GlobalInvocationID.x; s < uint(p.segs); s += step) {
			uint base = s * uint(p.segStride);
			Acc a = Acc(0.0, 0.0, 0u);
			for (uint o = 0u; o < outer; o++) {
				uint row = base + o * uint(p.outerStride);
				for (uint i = 0u; i < inner; i++) {
					add(a, x[row + i]);
				}
			}
			store(s, a.total + a.blk);
		}
		return;
	}
	for (uint s = gl_WorkGroupID.x; s < uint(p.segs); s += gl_NumWorkGroups.x) {
		uint base = s * uint(p.segStride);
		Acc a = Acc(0.0, 0.0, 0u);
		if (inner >= WG || outer == 1u) {
			// Rows at least a workgroup wide: stride along each row.
			for (uint o = 0u; o < outer; o++) {
				uint row = base + o * uint(p.outerStride);
				for (uint i = lid; i < inner; i += WG) {
					add(a, x[row + i]);
				}
			}
		} else {
			// Short rows (e.g. [N,C] bias gradients): stride over the flattened terms.
			uint total = outer * inner;
			for (uint t = lid; t < total; t += WG) {
				uint o = t / inner;
				add(a, x[base + o * uint(p.outerStride) + (t - o * inner)]);
			}
		}
		part[lid] = a.total + a.blk;
		barrier();
		for (uint h = WG / 2u; h > 0u; h >>= 1) {
			if (lid < h) {
				part[lid] += part[lid + h];
			}
			barrier();
		}
		if (lid == 0u) {
			store(s, part[0]);
		}
		barrier(); // part is reused by the next segment
	}
}
