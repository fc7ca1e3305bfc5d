#version 450
// glslang-target: vulkan1.2
// conv_gemm: the convolution family as one implicit GEMM, C[m, n] (+)= sum_k
// A[m, k] * B[k, n], reading every tensor through buffer device addresses
// (GL_EXT_buffer_reference) instead of descriptors. This is the lavapipe
// kernel: there a storage-buffer load whose address differs between lanes
// becomes a loop over lanes with a bounds check and a branch per lane, while a
// pointer load becomes one hardware gather. Values that are the same in every
// lane (the A operand) are not loaded per step at all: each lane loads one of
// 8 consecutive k and subgroupShuffle hands them out, 8 steps per load.
// Inside a chunk of 8 steps the B values of all 8 steps are gathered first,
// then each row i runs its 8 steps on TN partial sums of its own. Written
// step by step instead (every row's partial sums live through every step),
// a 16x4 tile kept 64 partial sums in 32 registers: lavapipe's code stored
// one to the stack per multiply-add (606 stack moves per 512 multiplies).
// Row by row only TN sums are live and the B values are read from the stack,
// which costs loads, not stores: G.down_3's input gradient went from 24 to
// 41 GFLOP/s at the same tile, and the larger tiles now pay (tuning.go).
// OP 0, conv2d: y[b,co,oy,ox] = bias[co] + sum_{ci,ky,kx} w[co,ci,ky,kx] *
//   x[b,ci,oy*S-p+ky,ox*S-p+kx]. m = co, n = (b,oy,ox), k = (ci,ky,kx).
//   Also conv_transpose2d's input gradient (w then in that op's layout).
// OP 1, conv_transpose2d: y[b,co,oy,ox] = bias[co] + sum over ci and the taps
//   with oy+p-ky, ox+p-kx divisible by S of w[ci,co,ky,kx] * x[b,ci,(oy+p-ky)/S,
//   (ox+p-kx)/S]. Workgroup z is the output parity class (oy%S, ox%S), whose
//   pixels all use the same taps; m = co, n = (b,qy,qx) with oy = py+S*qy,
//   k = (ci, tap of the class). Also conv2d's input gradient.
// OP 2, conv2d weight gradient: y[co,ci,ky,kx] (+)= sum_{b,oy,ox} w[b,co,oy,ox]
//   * x[b,ci,oy*S-p+ky,ox*S-p+kx] (w holds the output gradient here).
//   m = co, n = (ci,ky,kx), k = (b,oy,ox).
// Addresses (push): x, w (weights, or the output gradient for OP 2), bias
//   (read if hasBias, OP 0 and 1), y (written, or accumulated when
//   accumulate != 0). Geometry: x is [N,Ci,H,W], the conv's output side
//   [N,Co,OH,OW] (y for OP 0/1, w for OP 2).
// spec: 0 TM rows (output channels) per invocation, 1 TN columns per
//   invocation (lanes own columns lane, lane+8, ...), 2 KH, 3 KW, 4 OP, 5 S,
//   6 CHS.
// The workgroup is 8 lanes and must be exactly one subgroup (lavapipe on
// AVX2: one 8-wide vector; graph/tuning.go checks the subgroup size).
#extension GL_EXT_buffer_reference : require
#extension GL_EXT_buffer_reference_uvec2 : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#extension GL_EXT_control_flow_attributes : require

layout(local_size_x = 8) in;
layout(constant_id = 0) const int TM = 16;
layout(constant_id = 1) const int TN = 4;
layout(constant_id = 2) const int KH = 4;
layout(constant_id = 3) const int KW = 4;
layout(constant_id = 4) const int OP = 0;
layout(constant_id = 5) const int S = 1;
// CHS: 8-step groups per chunk (1 or 2). A chunk ends with TM*TN partial
// sums added into acc (a load, an add, a lane-mask blend and a store each);
// 16 steps halve that per multiply-add. For weight gradients of maps with
// 256+ pixels it measured 1.07-1.11x faster; on small K most of the 16
// steps would be padding (G.down_6: 7.4 -> 5.3 GFLOP/s), so graph/conv.go
// picks it per pass.
layout(constant_id = 6) const int CHS = 1;

layout(buffer_reference, std430, buffer_reference_align = 4) buffer Floats { float v[]; };

layout(push_constant) uniform P {
	uvec2 x, w, bias, y; // addresses as (low, high) words: no Int64 capability needed
	int N, Ci, H, W, Co, OH, OW, pad, hasBias, accumulate;
} p;

const int KK = KH * KW;
// OP 1: taps per parity class along each axis (some classes use fewer; the
// missing taps read zero weights).
const int TKH = (KH + S - 1) / S;
const int TKW = (KW + S - 1) / S;
const int TT = TKH * TKW;

// LOADB(kk): the B values of step k0+kk (bv[kk]), written out 8 times rather
// than looped so that no per-lane loop mask is kept between steps (lavapipe
// blends every value a loop body writes).
#define LOADB(kk) { \
	bool kv = k0 + kk < K; /* past the end: A is 0, B must not be read */ \
	int k = min(k0 + kk, K - 1); \
	int off = 0, dy = 0, dx = 0; /* step k's B values, relative to each column's base */ \
	if (OP == 0) { \
		int ci = k / KK, r = k - ci * KK; \
		int ky = r / KW, kx = r - ky * KW; \
		off = ci * hw + ky * p.W + kx; \
		dy = ky; \
		dx = kx; \
	} else if (OP == 1) { \
		int ci = k / TT, t = k - ci * TT; \
		int ty = t / TKW, tx = t - ty * TKW; \
		off = ci * hw - ty * p.W - tx; \
		dy = -ty; \
		dx = -tx; \
	} else { \
		dy = koy * S; \
		dx = kox * S; \
		off = kb * p.Ci * hw + dy * p.W + dx; \
		kox++; \
		bool wrap = kox == p.OW; \
		kox = wrap ? 0 : kox; \
		koy += wrap ? 1 : 0; \
		wrap = koy == p.OH; \
		koy = wrap ? 0 : koy; \
		kb += wrap ? 1 : 0; \
	} \
	[[unroll]] for (int j = 0; j < TN; j++) { \
		bool inside = kv && uint(cy[j] + dy) < uint(p.H) && uint(cx[j] + dx) < uint(p.W); \
		float v = X.v[inside ? cbase[j] + off : 0]; \
		bv[kk][j] = inside ? v : 0.0; \
	} \
}

void main() {
	Floats X = Floats(p.x), Wt = Floats(p.w), Y = Floats(p.y);
	// The subgroup lane numbers: the ones subgroupShuffle reads by.
	int lane = int(gl_SubgroupInvocationID);
	int m0 = int(gl_WorkGroupID.y) * TM;
	int hw = p.H * p.W, ohw = p.OH * p.OW;
	int py = int(gl_WorkGroupID.z) / S, px = int(gl_WorkGroupID.z) % S;
	int QH = (p.OH + S - 1) / S, QW = (p.OW + S - 1) / S;
	int ncols = OP == 0 ? p.N * ohw : OP == 1 ? p.N * QH * QW : p.Ci * KK;
	int K = OP == 0 ? p.Ci * KK : OP == 1 ? p.Ci * TT : p.N * ohw;
	// OP 1: first tap of this class and the input offset it meets.
	int ky0 = (py + p.pad) % S, kx0 = (px + p.pad) % S;
	int dy0 = (py + p.pad - ky0) / S, dx0 = (px + p.pad - kx0) / S;

	// Per column j: where its B values live. OP 0: top-left tap (iy0, ix0),
	// OP 1: input pixel of tap (0, 0), OP 2: (ky, kx) and the tap's offset.
	int col0 = int(gl_WorkGroupID.x) * 8 * TN + lane;
	int cbase[TN], cy[TN], cx[TN], outAt[TN];
	bool live[TN];
	[[unroll]] for (int j = 0; j < TN; j++) {
		int n = col0 + j * 8;
		live[j] = n < ncols;
		n = min(n, ncols - 1);
		if (OP == 0) {
			int b = n / ohw, r = n - b * ohw;
			int oy = r / p.OW, ox = r - oy * p.OW;
			cy[j] = oy * S - p.pad;
			cx[j] = ox * S - p.pad;
			cbase[j] = b * p.Ci * hw + cy[j] * p.W + cx[j];
			outAt[j] = b * p.Co * ohw + r;
		} else if (OP == 1) {
			int b = n / (QH * QW), r = n - b * (QH * QW);
			int qy = r / QW, qx = r - qy * QW;
			int oy = py + S * qy, ox = px + S * qx;
			live[j] = live[j] && oy < p.OH && ox < p.OW;
			cy[j] = dy0 + qy;
			cx[j] = dx0 + qx;
			cbase[j] = b * p.Ci * hw + cy[j] * p.W + cx[j];
			outAt[j] = b * p.Co * ohw + oy * p.OW + ox;
		} else {
			int ci = n / KK, r = n - ci * KK;
			int ky = r / KW, kx = r - ky * KW;
			cy[j] = ky - p.pad;
			cx[j] = kx - p.pad;
			cbase[j] = ci * hw + cy[j] * p.W + cx[j];
			outAt[j] = n;
		}
	}

	float acc[TM][TN];
	[[unroll]] for (int i = 0; i < TM; i++)
		[[unroll]] for (int j = 0; j < TN; j++)
			acc[i][j] = 0.0;

	// OP 2 walks k = (b, oy, ox) with counters: no division per step.
	int kb = 0, koy = 0, kox = 0;
	for (int k0 = 0; k0 < K; k0 += 8 * CHS) {
		float al[CHS][TM];
		[[unroll]] for (int h = 0; h < CHS; h++) {
			// Lane l loads A[m0 + i, k0 + 8h + l] for every row i.
			int ka = k0 + 8 * h + lane;
			bool kin = ka < K;
			ka = min(ka, K - 1);
			int arow = 0, astep = 0; // element (i, ka) at arow + i * astep
			if (OP == 0) {
				arow = m0 * K + ka;
				astep = K;
			} else if (OP == 1) {
				int ci = ka / TT, t = ka - ci * TT;
				int ty = t / TKW, tx = t - ty * TKW;
				int ky = ky0 + S * ty, kx = kx0 + S * tx;
				kin = kin && ky < KH && kx < KW;
				arow = ((ci * p.Co + m0) * KH + min(ky, KH - 1)) * KW + min(kx, KW - 1);
				astep = KK;
			} else {
				int b = ka / ohw, r = ka - b * ohw;
				arow = (b * p.Co + m0) * ohw + r;
				astep = ohw;
			}
			[[unroll]] for (int i = 0; i < TM; i++) {
				bool ok = kin && m0 + i < p.Co;
				float v = Wt.v[ok ? arow + i * astep : 0];
				al[h][i] = ok ? v : 0.0;
			}
		}

		float bv[8 * CHS][TN];
		LOADB(0) LOADB(1) LOADB(2) LOADB(3) LOADB(4) LOADB(5) LOADB(6) LOADB(7)
		if (CHS > 1) {
			LOADB(8) LOADB(9) LOADB(10) LOADB(11) LOADB(12) LOADB(13) LOADB(14) LOADB(15)
		}
		[[unroll]] for (int i = 0; i < TM; i++) {
			float part[TN];
			[[unroll]] for (int j = 0; j < TN; j++)
				part[j] = 0.0;
			[[unroll]] for (int kk = 0; kk < 8 * CHS; kk++) {
				float a = subgroupShuffle(al[kk / 8][i], uint(kk % 8));
				[[unroll]] for (int j = 0; j < TN; j++)
					part[j] = fma(a, bv[kk][j], part[j]);
			}
			[[unroll]] for (int j = 0; j < TN; j++)
				acc[i][j] += part[j];
		}
	}

	// Flat ifs, no break or continue: in an unrolled loop each break nests
	// the rest of the loop one level deeper, and lavapipe's compiler recurses
	// once per level (it crashed at 64x16 tiles).
	Floats Bias = Floats(p.bias);
	[[unroll]] for (int j = 0; j < TN; j++) {
		[[unroll]] for (int i = 0; i < TM; i++) {
			int m = m0 + i;
			if (live[j] && m < p.Co) {
				float v = acc[i][j];
				int o;
				if (OP == 2) {
					o = m * ncols + outAt[j];
				} else {
					o = outAt[j] + m * ohw;
					if (p.hasBias != 0)
						v += Bias.v[m];
				}
				Y.v[o] = p.accumulate != 0 ? Y.v[o] + v : v;
			}
		}
	}
}
