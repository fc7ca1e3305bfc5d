#version 450
// instance_norm: InstanceNorm2d forward (affine, biased variance). For each
// plane q = n*C + c of HW values:
//   mean = sum(x)/HW, var = sum((x-mean)^2)/HW (two passes, so an offset
//   mean >> std costs no precision), rstd = 1/sqrt(var + eps),
//   y = (x - mean)*rstd*gamma[c] + beta[c], stats[2q] = mean, stats[2q+1] = rstd.
// bindings: 0 y (written), 1 stats (written, [planes*2]), 2 x (read),
//           3 gamma (read, [C]), 4 beta (read, [C])
// push: int planes, C, HW; float eps
// spec: local_size_x_id 0 = WG, the workgroup size (a power of two)
// One workgroup normalises one plane (planes q, q + numGroups, ...), with
// shared-memory trees for the two sums.
layout(local_size_x_id = 0) in;
layout(std430, set = 0, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, set = 0, binding = 1) writeonly buffer S { float stats[]; };
layout(std430, set = 0, binding = 2) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 3) readonly buffer G { float gamma[]; };
layout(std430, set = 0, binding = 4) readonly buffer B { float beta[]; };
layout(push_constant) uniform P { int planes, C, HW; float eps; } p;

shared float part[gl_WorkGroupSize.x];

// treeSum adds part[0..WG) into part[0]; every invocation must call it.
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
	for (uint q = gl_WorkGroupID.x; q < uint(p.planes); q += gl_NumWorkGroups.x) {
		uint base = q * hw;
		float s = 0.0;
		for (uint i = lid; i < hw; i += WG) {
			s += x[base + i];
		}
		float mean = treeSum(s) * inv;
		float ss = 0.0;
		for (uint i = lid; i < hw; i += WG) {
			float d = x[base + i] - mean;
			ss += d * d;
		}
		float rstd = inversesqrt(treeSum(ss) * inv + p.eps);
		uint c = q % uint(p.C);
		float g = gamma[c] * rstd, b = beta[c];
		for (uint i = lid; i < hw; i += WG) {
			y[base + i] = (x[base + i] - mean) * g + b;
		}
		if (lid == 0u) {
			stats[2u * q] = mean;
			stats[2u * q + 1u] = rstd;
		}
	}
}
