#version 450
// glslang-target: vulkan1.2
// conv_gemm_few: conv_gemm.comp's OP 0 (conv2d) and OP 1 (conv_transpose2d,
// per parity class) for passes with fewer output pixels than lanes (a 1x1 or
// 2x2 map in the generator's bottleneck), with the roles of the operands
// swapped: lanes own output channels, so every lane has work, and the
// workgroup's TP pixels are the shared operand. Each lane gathers the
// weights of its channels per step; the input values of the TP pixels are
// loaded 8 k at a time, one per lane, and handed out with subgroupShuffle.
// See conv_gemm.comp for the two ops, the addresses and why this is the
// lavapipe kernel.
// spec: 0 TP pixels per workgroup, 1 TC channels per lane (lane, lane+8, ...),
//   2 KH, 3 KW, 4 OP (0 or 1), 5 S, 6 VW.
#extension GL_EXT_buffer_reference : require
#extension GL_EXT_buffer_reference_uvec2 : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#extension GL_EXT_control_flow_attributes : require

layout(local_size_x = 8) in;
layout(constant_id = 0) const int TP = 4;
layout(constant_id = 1) const int TC = 4;
layout(constant_id = 2) const int KH = 4;
layout(constant_id = 3) const int KW = 4;
layout(constant_id = 4) const int OP = 0;
layout(constant_id = 5) const int S = 1;
// VW (OP 0 with K a multiple of 8 only): each lane reads its channels' 8
// weights of a chunk as two vec4s instead of one gather per step. A few-pixel
// layer streams its weights once or twice per weight, and on lavapipe a vec4
// pointer load costs about what two scalar gathers do: G.down_6's forward
// went from 7.1 to 12.7 GFLOP/s.
layout(constant_id = 6) const bool VW = false;

layout(buffer_reference, std430, buffer_reference_align = 4) buffer Floats { float v[]; };
layout(buffer_reference, std430, buffer_reference_align = 16) buffer Vec4s { vec4 v[]; };

layout(push_constant) uniform P {
	uvec2 x, w, bias, y;
	int N, Ci, H, W, Co, OH, OW, pad, hasBias, accumulate;
} p;

const int KK = KH * KW;
const int TKH = (KH + S - 1) / S;
const int TKW = (KW + S - 1) / S;
const int TT = TKH * TKW;

// STEP(kk): step k0+kk, written out (see conv_gemm.comp).
#define STEP(kk) { \
	int k = min(k0 + kk, K - 1); \
	float a[TC]; \
	if (OP == 0 && VW) { \
		[[unroll]] for (int j = 0; j < TC; j++) \
			a[j] = wv[j][kk / 4][kk % 4]; \
	} else if (OP == 0) { \
		[[unroll]] for (int j = 0; j < TC; j++) \
			a[j] = Wt.v[abase[j] + k]; \
	} else { \
		int ci = k / TT, t = k - ci * TT; \
		int ty = t / TKW, tx = t - ty * TKW; \
		int ky = ky0 + S * ty, kx = kx0 + S * tx; \
		bool tap = ky < KH && kx < KW; \
		int at = ci * p.Co * KK + min(ky, KH - 1) * KW + min(kx, KW - 1); \
		[[unroll]] for (int j = 0; j < TC; j++) { \
			float v = Wt.v[abase[j] + at]; \
			a[j] = tap ? v : 0.0; \
		} \
	} \
	[[unroll]] for (int i = 0; i < TP; i++) { \
		float b = subgroupShuffle(bl[i], uint(kk)); \
		[[unroll]] for (int j = 0; j < TC; j++) \
			part[i][j] = fma(b, a[j], part[i][j]); \
	} \
}

void main() {
	Floats X = Floats(p.x), Wt = Floats(p.w), Y = Floats(p.y);
	// The subgroup lane numbers: the ones subgroupShuffle reads by.
	int lane = int(gl_SubgroupInvocationID);
	int hw = p.H * p.W, ohw = p.OH * p.OW;
	int py = int(gl_WorkGroupID.z) / S, px = int(gl_WorkGroupID.z) % S;
	int QH = (p.OH + S - 1) / S, QW = (p.OW + S - 1) / S;
	int npix = OP == 0 ? p.N * ohw : p.N * QH * QW;
	int K = OP == 0 ? p.Ci * KK : p.Ci * TT;
	int ky0 = (py + p.pad) % S, kx0 = (px + p.pad) % S;
	int dy0 = (py + p.pad - ky0) / S, dx0 = (px + p.pad - kx0) / S;

	// The workgroup's pixels (the same in every lane).
	int cbase[TP], cy[TP], cx[TP], outAt[TP];
	bool live[TP];
	[[unroll]] for (int i = 0; i < TP; i++) {
		int n = int(gl_WorkGroupID.x) * TP + i;
		live[i] = n < npix;
		n = min(n, npix - 1);
		if (OP == 0) {
			int b = n / ohw, r = n - b * ohw;
			int oy = r / p.OW, ox = r - oy * p.OW;
			cy[i] = oy * S - p.pad;
			cx[i] = ox * S - p.pad;
			outAt[i] = b * p.Co * ohw + r;
			cbase[i] = b * p.Ci * hw + cy[i] * p.W + cx[i];
		} else {
			int b = n / (QH * QW), r = n - b * (QH * QW);
			int qy = r / QW, qx = r - qy * QW;
			int oy = py + S * qy, ox = px + S * qx;
			live[i] = live[i] && oy < p.OH && ox < p.OW;
			cy[i] = dy0 + qy;
			cx[i] = dx0 + qx;
			outAt[i] = b * p.Co * ohw + oy * p.OW + ox;
			cbase[i] = b * p.Ci * hw + cy[i] * p.W + cx[i];
		}
	}
	// This lane's channels: where their weights start.
	int m0 = int(gl_WorkGroupID.y) * 8 * TC + lane;
	int abase[TC];
	[[unroll]] for (int j = 0; j < TC; j++) {
		int m = min(m0 + j * 8, p.Co - 1);
		abase[j] = OP == 0 ? m * K : m * KK;
	}

	float acc[TP][TC];
	[[unroll]] for (int i = 0; i < TP; i++)
		[[unroll]] for (int j = 0; j < TC; j++)
			acc[i][j] = 0.0;

	for (int k0 = 0; k0 < K; k0 += 8) {
		// Lane l loads pixel i's input value of step k0 + l.
		int ka = k0 + lane;
		bool kin = ka < K;
		ka = min(ka, K - 1);
		int off, dy, dx;
		if (OP == 0) {
			int ci = ka / KK, r = ka - ci * KK;
			int ky = r / KW, kx = r - ky * KW;
			off = ci * hw + ky * p.W + kx;
			dy = ky;
			dx = kx;
		} else {
			int ci = ka / TT, t = ka - ci * TT;
			int ty = t / TKW, tx = t - ty * TKW;
			off = ci * hw - ty * p.W - tx;
			dy = -ty;
			dx = -tx;
		}
		float bl[TP];
		[[unroll]] for (int i = 0; i < TP; i++) {
			bool inside = kin && uint(cy[i] + dy) < uint(p.H) && uint(cx[i] + dx) < uint(p.W);
			float v = X.v[inside ? cbase[i] + off : 0];
			bl[i] = inside ? v : 0.0;
		}
		vec4 wv[TC][2];
		if (OP == 0 && VW) {
			Vec4s W4 = Vec4s(p.w);
			[[unroll]] for (int j = 0; j < TC; j++) {
				wv[j][0] = W4.v[(abase[j] + k0) / 4];
				wv[j][1] = W4.v[(abase[j] + k0) / 4 + 1];
			}
		}
		// Fresh partial sums per chunk, as in conv_gemm.comp.
		float part[TP][TC];
		[[unroll]] for (int i = 0; i < TP; i++)
			[[unroll]] for (int j = 0; j < TC; j++)
				part[i][j] = 0.0;
		STEP(0) STEP(1) STEP(2) STEP(3) STEP(4) STEP(5) STEP(6) STEP(7)
		[[unroll]] for (int i = 0; i < TP; i++)
			[[unroll]] for (int j = 0; j < TC; j++)
				acc[i][j] += part[i][j];
	}

	// Flat ifs, no break or continue: see conv_gemm.comp.
	Floats Bias = Floats(p.bias);
	[[unroll]] for (int j = 0; j < TC; j++) {
		int m = m0 + j * 8;
		[[unroll]] for (int i = 0; i < TP; i++) {
			if (m < p.Co && live[i]) {
				float v = acc[i][j];
				if (p.hasBias != 0)
					v += Bias.v[m];
				int o = outAt[i] + m * ohw;
				Y.v[o] = p.accumulate != 0 ? Y.v[o] + v : v;
			}
		}
	}
}
