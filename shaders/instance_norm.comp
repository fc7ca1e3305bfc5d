#version 450
// instance_norm: InstanceNorm2d forward (affine, biased variance). For each
// plane q = n*C + c of HW values:
//   mean = x0 + sum(x - x0)/HW with x0 the plane's first value (the shift
//   keeps the sum's rounding relative to the spread, not to a large mean),
//   var = sum((x - mean)^2)/HW (a second pass), rstd = 1/sqrt(var + eps),
//   y = (x - mean)*rstd*gamma[c] + beta[c], stats[2q] = mean, stats[2q+1] = rstd.
// bindings: 0 y (written), 1 stats (written, [planes*2]), 2 x (read),
//           3 gamma (read, [C]), 4 beta (read, [C])
// push: int planes, C, HW; float eps
// spec: local_size_x_id 0 = WG, the workgroup size (a power of two);
//       constant_id 1 SMALL
// SMALL = false: one workgroup normalises one plane (planes q, q + numGroups,
// ...), with shared-memory trees for the two sums.
// SMALL = true (small planes, or many of them on a CPU): one invocation
// normalises one whole plane (planes q, q + WG*numGroups, ...), with no
// barriers.
// VEC4 (constant_id 2, HW a multiple of 4): the loops walk vec4s, each
// adding its four values as one term (on lavapipe a per-lane load is a loop
// over the lanes, so four floats per load make the pass several times
// faster).
// Serial runs are summed in blocks of 64 (see Acc).
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const bool SMALL = false;
layout(constant_id = 2) const bool VEC4 = false;
layout(std430, set = 0, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, set = 0, binding = 0) writeonly buffer Y4 { vec4 y4[]; };
layout(std430, set = 0, binding = 2) readonly buffer X4 { vec4 x4[]; };
layout(std430, set = 0, binding = 1) writeonly buffer S { float stats[]; };
layout(std430, set = 0, binding = 2) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 3) readonly buffer G { float gamma[]; };
layout(std430, set = 0, binding = 4) readonly buffer B { float beta[]; };
layout(push_constant) uniform P { int planes, C, HW; float eps; } p;

shared float part[gl_WorkGroupSize.x];

// Acc is a blocked sum: terms go into blk, which folds into total every 64
// terms, so a serial sum's rounding error grows with 64 + terms/64 rather
// than with the number of terms. add4 adds four terms one by one, so in
// SMALL mode the VEC4 loops round exactly as the scalar ones do (with a
// tree, each invocation's share of the plane changes, and so does rounding).
struct Acc { float total, blk; uint cnt; };
void add(inout Acc a, float v) {
	a.blk += v;
	if (++a.cnt == 64u) {
		a.total += a.blk;
		a.blk = 0.0;
		a.cnt = 0u;
	}
}
void add4(inout Acc a, vec4 v) {
	a.blk += v.x;
	a.blk += v.y;
	a.blk += v.z;
	a.blk += v.w;
	a.cnt += 4u;
	if (a.cnt == 64u) {
		a.total += a.blk;
		a.blk = 0.0;
		a.cnt = 0u;
	}
}

// treeSum adds every invocation's v; every invocation must call it.
float treeSum(float v) {
	const uint WG = gl_WorkGroupSize.x;
	uint lid = gl_LocalInvocationID.x;
	part[lid] = v;
	barrier();
	for (uint h = WG / 2u; h > 0u; h >>= 1) {
		if (lid < h) {
			part[lid] += part[lid + h];
		}
		barrier();
	}
	float r = part[0];
	barrier(); // part is reused by the next call
	return r;
}

void main() {
	const uint WG = gl_WorkGroupSize.x;
	uint lid = gl_LocalInvocationID.x;
	uint hw = uint(p.HW);
	float inv = 1.0 / float(p.HW);
	// Each invocation takes the plane's elements first, first + step, ...
	uint first = SMALL ? 0u : lid, step = SMALL ? 1u : WG;
	uint q0 = SMALL ? gl_GlobalInvocationID.x : gl_WorkGroupID.x;
	uint qstep = SMALL ? gl_NumWorkGroups.x * WG : gl_NumWorkGroups.x;
	uint hw4 = hw / 4u;
	for (uint q = q0; q < uint(p.planes); q += qstep) {
		uint base = q * hw, base4 = q * hw4;
		float x0 = x[base];
		Acc a = Acc(0.0, 0.0, 0u);
		if (VEC4) {
			for (uint i = first; i < hw4; i += step) {
				add4(a, x4[base4 + i] - x0);
			}
		} else {
			for (uint i = first; i < hw; i += step) {
				add(a, x[base + i] - x0);
			}
		}
		float s = a.total + a.blk;
		if (!SMALL) {
			s = treeSum(s);
		}
		float mean = x0 + s * inv;
		a = Acc(0.0, 0.0, 0u);
		if (VEC4) {
			for (uint i = first; i < hw4; i += step) {
				vec4 d = x4[base4 + i] - mean;
				add4(a, d * d);
			}
		} else {
			for (uint i = first; i < hw; i += step) {
				float d = x[base + i] - mean;
				add(a, d * d);
			}
		}
		float ss = a.total + a.blk;
		if (!SMALL) {
			ss = treeSum(ss);
		}
		float rstd = inversesqrt(ss * inv + p.eps);
		uint c = q % uint(p.C);
		float g = gamma[c] * rstd, b = beta[c];
		if (VEC4) {
			for (uint i = first; i < hw4; i += step) {
				y4[base4 + i] = (x4[base4 + i] - mean) * g + b;
			}
		} else {
			for (uint i = first; i < hw; i += step) {
				y[base + i] = (x[base + i] - mean) * g + b;
			}
		}
		if (SMALL || lid == 0u) {
			stats[2u * q] = mean;
			stats[2u * q + 1u] = rstd;
		}
	}
}
