#version 450
// instance_norm_backward: the gradients of InstanceNorm2d from the forward's
// stats (mean, rstd per plane). For plane q = n*C + c, with
// xhat = (x - mean)*rstd, sg = sum(dy), sgx = sum(dy*xhat) over the plane:
//   dx = rstd*gamma[c] * (dy - sg/HW - xhat*sgx/HW)
//   dgamma[c] = sum over n of sgx, dbeta[c] = sum over n of sg.
// dx is accumulated (dx += value) when accX != 0, dgamma and dbeta when
// accParams != 0.
// bindings: 0 dx (written), 1 dgamma (written, [C]), 2 dbeta (written, [C]),
//           3 x (read), 4 gamma (read, [C]), 5 stats (read, [N*C*2]), 6 dy (read)
// push: int N, C, HW, accX, accParams
// spec: local_size_x_id 0 = WG, the workgroup size (a power of two);
//       constant_id 1 SMALL
// SMALL = false: one workgroup handles one channel c (channels c,
// c + numGroups, ...), with shared-memory trees for the plane sums.
// SMALL = true (small planes, or many channels on a CPU): one invocation
// handles one whole channel (channels c, c + WG*numGroups, ...), with no
// barriers.
// Either way the batch is walked in order, so dgamma and dbeta need no
// atomics and are deterministic. Serial runs are summed in blocks of 64.
// VEC4 (constant_id 2, HW a multiple of 4): the loops walk vec4s, as in
// instance_norm.comp.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const bool SMALL = false;
layout(constant_id = 2) const bool VEC4 = false;
layout(std430, set = 0, binding = 0) buffer DX { float dx[]; };
layout(std430, set = 0, binding = 0) buffer DX4 { vec4 dx4[]; };
layout(std430, set = 0, binding = 3) readonly buffer X4 { vec4 x4[]; };
layout(std430, set = 0, binding = 6) readonly buffer DY4 { vec4 dy4[]; };
layout(std430, set = 0, binding = 1) buffer DG { float dgamma[]; };
layout(std430, set = 0, binding = 2) buffer DB { float dbeta[]; };
layout(std430, set = 0, binding = 3) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 4) readonly buffer G { float gamma[]; };
layout(std430, set = 0, binding = 5) readonly buffer S { float stats[]; };
layout(std430, set = 0, binding = 6) readonly buffer DY { float dy[]; };
layout(push_constant) uniform P { int N, C, HW, accX, accParams; } p;

shared float partG[gl_WorkGroupSize.x];
shared float partGX[gl_WorkGroupSize.x];

void main() {
	const uint WG = gl_WorkGroupSize.x;
	uint lid = gl_LocalInvocationID.x;
	uint hw = uint(p.HW), C = uint(p.C);
	float inv = 1.0 / float(p.HW);
	bool acc = p.accX != 0, accP = p.accParams != 0;
	// Each invocation takes a plane's elements first, first + step, ...
	uint first = SMALL ? 0u : lid, step = SMALL ? 1u : WG;
	uint c0 = SMALL ? gl_GlobalInvocationID.x : gl_WorkGroupID.x;
	uint cstep = SMALL ? gl_NumWorkGroups.x * WG : gl_NumWorkGroups.x;
	uint hw4 = hw / 4u;
	for (uint c = c0; c < C; c += cstep) {
		float g = gamma[c];
		float totG = 0.0, totGX = 0.0;
		for (uint n = 0u; n < uint(p.N); n++) {
			uint q = n * C + c, base = q * hw, base4 = q * hw4;
			float mean = stats[2u * q], rstd = stats[2u * q + 1u];
			// Blocked sums, folded every 64 terms (as in reduce.comp). With VEC4
			// the four values are added one by one, so in SMALL mode the sums
			// round exactly as the scalar loop's do.
			float sg = 0.0, sgx = 0.0, bg = 0.0, bgx = 0.0;
			uint cnt = 0u;
			for (uint i = first; i < (VEC4 ? hw4 : hw); i += step) {
				if (VEC4) {
					vec4 d = dy4[base4 + i];
					vec4 dxh = d * ((x4[base4 + i] - mean) * rstd);
					bg += d.x;
					bgx += dxh.x;
					bg += d.y;
					bgx += dxh.y;
					bg += d.z;
					bgx += dxh.z;
					bg += d.w;
					bgx += dxh.w;
					cnt += 4u;
				} else {
					float d = dy[base + i];
					bg += d;
					bgx += d * ((x[base + i] - mean) * rstd);
					cnt++;
				}
				if (cnt == 64u) {
					sg += bg;
					sgx += bgx;
					bg = 0.0;
					bgx = 0.0;
					cnt = 0u;
				}
			}
			sg += bg;
			sgx += bgx;
			if (!SMALL) {
				partG[lid] = sg;
				partGX[lid] = sgx;
				barrier();
				for (uint h = WG / 2u; h > 0u; h >>= 1) {
					if (lid < h) {
						partG[lid] += partG[lid + h];
						partGX[lid] += partGX[lid + h];
					}
					barrier();
				}
				sg = partG[0];
				sgx = partGX[0];
				barrier(); // the partials are reused by the next plane
			}
			totG += sg;
			totGX += sgx;
			float k = rstd * g, mG = sg * inv, mGX = sgx * inv;
			if (VEC4) {
				for (uint i = first; i < hw4; i += step) {
					vec4 xh = (x4[base4 + i] - mean) * rstd;
					vec4 v = k * (dy4[base4 + i] - mG - xh * mGX);
					dx4[base4 + i] = acc ? dx4[base4 + i] + v : v;
				}
			} else {
				for (uint i = first; i < hw; i += step) {
					float xh = (x[base + i] - mean) * rstd;
					float v = k * (dy[base + i] - mG - xh * mGX);
					dx[base + i] = acc ? dx[base + i] + v : v;
				}
			}
		}
		if (SMALL || lid == 0u) {
			dgamma[c] = accP ? dgamma[c] + totGX : totGX;
			dbeta[c] = accP ? dbeta[c] + totG : totG;
		}
	}
}
