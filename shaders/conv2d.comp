#version 450
// conv2d: implicit-GEMM 2-D convolution (cross-correlation, PyTorch's Conv2d),
// y[n,co,oy,ox] = bias[co] + sum_{ci,ky,kx} w[co,ci,ky,kx] * x[n,ci,oy*s-p+ky,ox*s-p+kx].
// Also the input gradient of conv_transpose2d (w then has PyTorch's
// ConvTranspose2d layout [Cin_t, Cout_t, KH, KW], read here as [Co, Ci, KH, KW]).
// bindings: 0 x [N,Ci,H,W] (read), 1 w [Co,Ci,KH,KW] (read), 2 bias [Co] (read if hasBias),
//           3 y [N,Co,OH,OW] (written, or accumulated when accumulate != 0)
// push: N, Ci, H, W, Co, OH, OW, stride, pad, hasBias, accumulate (ints)
// spec: 0 workgroup size WG, 1 TM output channels per invocation, 2 TN output pixels
//       per invocation, 3 KH, 4 KW, 5 MODE (0: lanes over pixels, 1: lanes over channels,
//       2: lanes over row windows), 6 STRIDE (MODE 2: must equal the push stride),
//       7 WT (MODE 2: transposed, flipped weight layout)
// GEMM view: M = Co, N = N*OH*OW, K = Ci*KH*KW, no im2col buffer, no shared memory
// and no barriers (what suits lavapipe: one workgroup per CPU thread, invocations
// as SIMD lanes; loads whose address is the same in every lane are scalar).
// MODE 0 (many output pixels): a workgroup owns TM output channels (weights are
//   uniform loads shared by every invocation) and WG*TN output pixels; invocation
//   `lane` computes a TM x TN register block for pixels lane, lane+WG, ... The
//   bounds of every tap are folded into one bit mask per pixel before the K loop,
//   so the inner loop is one add, one mask test and one load per input value.
// MODE 1 (few output pixels, e.g. a 1x1 or 2x2 map, where lanes over pixels would
//   leave most SIMD lanes idle): a workgroup owns TN output pixels (uniform: their
//   input values are scalar loads and their bounds checks are scalar) and WG*TM
//   output channels; invocation `lane` computes channels lane, lane+WG, ... for
//   those TN pixels. Taps that fall in the padding for every pixel of the block are
//   skipped by the loop bounds (a 2x2 map with padding 1 touches 4 of 16 taps).
// MODE 2 (row windows, stride STRIDE known at compile time): like MODE 0 (TM
//   channels per workgroup, uniform weights) but invocation `lane` owns TN
//   neighbouring output columns of one output row. Those pixels read the input
//   columns ix0 .. ix0 + (TN-1)*STRIDE + KW - 1 of each tap row, so each (ci, ky)
//   costs (TN-1)*STRIDE + KW per-lane loads (gathers) instead of TN*KW: at stride
//   1 with a 4x4 kernel and TN = 4, 7 loads instead of 16.
// WT (MODE 2 only): read w in a transposed conv's layout [Ci, Co, KH, KW]: the
//   element for (co, ci, ky, kx) is w[ci][co][KH-1-ky][KW-1-kx]. With stride 1
//   and padding KH-1-p this computes conv_transpose2d (stride 1, padding p), so
//   conv2d's input gradient at stride 1 runs here too.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int TM = 4;
layout(constant_id = 2) const int TN = 4;
layout(constant_id = 3) const int KH = 4;
layout(constant_id = 4) const int KW = 4;
layout(constant_id = 5) const int MODE = 0;
layout(constant_id = 6) const int STRIDE = 1;
layout(constant_id = 7) const int WT = 0;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Wt { float w[]; };
// The same weights as vec4s: with KW == 4 a kernel row is one aligned vec4, so
// MODE 0 fetches its uniform weights a row at a time (a quarter of the loads).
layout(std430, set = 0, binding = 1) readonly buffer Wt4 { vec4 w4[]; };
layout(std430, set = 0, binding = 2) readonly buffer B { float bias[]; };
layout(std430, set = 0, binding = 3) buffer Y { float y[]; };
layout(push_constant) uniform P {
	int N, Ci, H, W, Co, OH, OW, stride, pad, hasBias, accumulate;
} p;

const int KK = KH * KW;

void store(int n, int r, int co, float v) {
	if (p.hasBias != 0) v += bias[co];
	int o = (n * p.Co + co) * p.OH * p.OW + r;
	y[o] = p.accumulate != 0 ? y[o] + v : v;
}

void pixelsOverLanes() {
	const int WG = int(gl_WorkGroupSize.x);
	int lane = int(gl_LocalInvocationID.x);
	int co0 = int(gl_WorkGroupID.y) * TM;
	int ohw = p.OH * p.OW;
	int np = p.N * ohw;
	int hw = p.H * p.W;
	int pix0 = int(gl_WorkGroupID.x) * WG * TN + lane;

	// xb[j]: offset of the pixel's top-left tap in channel 0 (may lie outside
	// the map); ok[j]: bit ky*KW+kx set when that tap is inside the map.
	int xb[TN];
	uint ok[TN];
	bool live[TN];
	for (int j = 0; j < TN; j++) {
		int q = pix0 + j * WG;
		live[j] = q < np;
		q = min(q, np - 1);
		int n = q / ohw, r = q - n * ohw;
		int oy = r / p.OW, ox = r - oy * p.OW;
		int iy0 = oy * p.stride - p.pad, ix0 = ox * p.stride - p.pad;
		xb[j] = n * p.Ci * hw + iy0 * p.W + ix0;
		uint m = 0u;
		for (int ky = 0; ky < KH; ky++)
			for (int kx = 0; kx < KW; kx++)
				if (iy0 + ky >= 0 && iy0 + ky < p.H && ix0 + kx >= 0 && ix0 + kx < p.W)
					m |= 1u << uint(ky * KW + kx);
		ok[j] = m;
	}
	int wrow[TM];
	for (int i = 0; i < TM; i++)
		wrow[i] = min(co0 + i, p.Co - 1) * p.Ci * KK;
	float acc[TM][TN];
	for (int i = 0; i < TM; i++)
		for (int j = 0; j < TN; j++)
			acc[i][j] = 0.0;

	for (int ci = 0; ci < p.Ci; ci++) {
		int cbase = ci * hw;
		int wk = ci * KK;
		for (int ky = 0; ky < KH; ky++) {
			int rbase = cbase + ky * p.W;
			if (KW == 4) {
				float xv[4][TN];
				for (int kx = 0; kx < 4; kx++)
					for (int j = 0; j < TN; j++) {
						bool inside = (ok[j] & (1u << uint(ky * KW + kx))) != 0u;
						float v = x[inside ? xb[j] + rbase + kx : 0];
						xv[kx][j] = inside ? v : 0.0;
					}
				int k4 = (wk + ky * 4) >> 2;
				for (int i = 0; i < TM; i++) {
					vec4 wv = w4[(wrow[i] >> 2) + k4];
					for (int j = 0; j < TN; j++) {
						acc[i][j] = fma(wv.x, xv[0][j], acc[i][j]);
						acc[i][j] = fma(wv.y, xv[1][j], acc[i][j]);
						acc[i][j] = fma(wv.z, xv[2][j], acc[i][j]);
						acc[i][j] = fma(wv.w, xv[3][j], acc[i][j]);
					}
				}
				continue;
			}
			for (int kx = 0; kx < KW; kx++) {
				float xv[TN];
				for (int j = 0; j < TN; j++) {
					bool inside = (ok[j] & (1u << uint(ky * KW + kx))) != 0u;
					float v = x[inside ? xb[j] + rbase + kx : 0];
					xv[j] = inside ? v : 0.0;
				}
				int k = wk + ky * KW + kx;
				for (int i = 0; i < TM; i++) {
					float wv = w[wrow[i] + k];
					for (int j = 0; j < TN; j++)
						acc[i][j] = fma(wv, xv[j], acc[i][j]);
				}
			}
		}
	}

	for (int j = 0; j < TN; j++) {
		if (!live[j]) continue;
		int q = pix0 + j * WG;
		int n = q / ohw, r = q - n * ohw;
		for (int i = 0; i < TM; i++) {
			if (co0 + i >= p.Co) break;
			store(n, r, co0 + i, acc[i][j]);
		}
	}
}

void channelsOverLanes() {
	const int WG = int(gl_WorkGroupSize.x);
	int lane = int(gl_LocalInvocationID.x);
	int ohw = p.OH * p.OW;
	int np = p.N * ohw;
	int hw = p.H * p.W;
	int q0 = int(gl_WorkGroupID.x) * TN;
	int cb = int(gl_WorkGroupID.y) * WG * TM + lane;

	// Uniform per-pixel geometry; the tap window [kylo,kyhi) x [kxlo,kxhi) is
	// the union over the block's pixels of the taps inside the map.
	int xb[TN], iy0[TN], ix0[TN];
	int kylo = KH, kyhi = 0, kxlo = KW, kxhi = 0;
	for (int j = 0; j < TN; j++) {
		int q = min(q0 + j, np - 1);
		int n = q / ohw, r = q - n * ohw;
		int oy = r / p.OW, ox = r - oy * p.OW;
		iy0[j] = oy * p.stride - p.pad;
		ix0[j] = ox * p.stride - p.pad;
		xb[j] = n * p.Ci * hw + iy0[j] * p.W + ix0[j];
		kylo = min(kylo, max(0, -iy0[j]));
		kyhi = max(kyhi, min(KH, p.H - iy0[j]));
		kxlo = min(kxlo, max(0, -ix0[j]));
		kxhi = max(kxhi, min(KW, p.W - ix0[j]));
	}
	int wrow[TM];
	for (int i = 0; i < TM; i++)
		wrow[i] = min(cb + i * WG, p.Co - 1) * p.Ci * KK;
	float acc[TM][TN];
	for (int i = 0; i < TM; i++)
		for (int j = 0; j < TN; j++)
			acc[i][j] = 0.0;

	for (int ci = 0; ci < p.Ci; ci++) {
		int cbase = ci * hw;
		int wk = ci * KK;
		for (int ky = kylo; ky < kyhi; ky++) {
			int rbase = cbase + ky * p.W;
			for (int kx = kxlo; kx < kxhi; kx++) {
				float xv[TN];
				for (int j = 0; j < TN; j++) {
					bool inside = iy0[j] + ky >= 0 && iy0[j] + ky < p.H && ix0[j] + kx >= 0 && ix0[j] + kx < p.W;
					float v = x[inside ? xb[j] + rbase + kx : 0];
					xv[j] = inside ? v : 0.0;
				}
				int k = wk + ky * KW + kx;
				for (int i = 0; i < TM; i++) {
					float wv = w[wrow[i] + k];
					for (int j = 0; j < TN; j++)
						acc[i][j] = fma(wv, xv[j], acc[i][j]);
				}
			}
		}
	}

	for (int j = 0; j < TN; j++) {
		int q = q0 + j;
		if (q >= np) break;
		int n = q / ohw, r = q - n * ohw;
		for (int i = 0; i < TM; i++) {
			int co = cb + i * WG;
			if (co < p.Co) store(n, r, co, acc[i][j]);
		}
	}
}

void rowWindows() {
	const int WG = int(gl_WorkGroupSize.x);
	const int S = STRIDE;
	const int NWIN = (TN - 1) * S + KW;
	int lane = int(gl_LocalInvocationID.x);
	int co0 = int(gl_WorkGroupID.y) * TM;
	int gw = (p.OW + TN - 1) / TN; // column groups per output row
	int ng = p.N * p.OH * gw;
	int hw = p.H * p.W;
	int gi = int(gl_WorkGroupID.x) * WG + lane;
	bool live = gi < ng;
	gi = min(gi, ng - 1);
	int n = gi / (p.OH * gw), r = gi - n * (p.OH * gw);
	int oy = r / gw, ox0 = (r - oy * gw) * TN;
	int iy0 = oy * S - p.pad, ix0 = ox0 * S - p.pad;
	int xb = n * p.Ci * hw + iy0 * p.W + ix0;
	// rowm bit ky / colm bit t: input row iy0+ky / column ix0+t inside the map
	// (bit masks, not bool arrays: lavapipe runs this noticeably faster).
	uint rowm = 0u, colm = 0u;
	for (int ky = 0; ky < KH; ky++)
		if (iy0 + ky >= 0 && iy0 + ky < p.H)
			rowm |= 1u << uint(ky);
	for (int t = 0; t < NWIN; t++)
		if (ix0 + t >= 0 && ix0 + t < p.W)
			colm |= 1u << uint(t);

	// Weight offsets: w[wrow[i] + ci*wci + ...].
	int wrow[TM];
	for (int i = 0; i < TM; i++)
		wrow[i] = min(co0 + i, p.Co - 1) * (WT != 0 ? KK : p.Ci * KK);
	int wci = WT != 0 ? p.Co * KK : KK;
	float acc[TM][TN];
	for (int i = 0; i < TM; i++)
		for (int j = 0; j < TN; j++)
			acc[i][j] = 0.0;

	for (int ci = 0; ci < p.Ci; ci++) {
		int cbase = xb + ci * hw;
		int wk = ci * wci;
		for (int ky = 0; ky < KH; ky++) {
			int rbase = cbase + ky * p.W;
			uint okr = (rowm & (1u << uint(ky))) != 0u ? colm : 0u;
			float xv[NWIN];
			for (int t = 0; t < NWIN; t++) {
				bool inside = (okr & (1u << uint(t))) != 0u;
				float v = x[inside ? rbase + t : 0];
				xv[t] = inside ? v : 0.0;
			}
			int wky = WT != 0 ? KH - 1 - ky : ky;
			if (KW == 4) {
				int k4 = (wk + wky * 4) >> 2;
				for (int i = 0; i < TM; i++) {
					vec4 wv = w4[(wrow[i] >> 2) + k4];
					if (WT != 0) wv = wv.wzyx;
					for (int j = 0; j < TN; j++) {
						acc[i][j] = fma(wv.x, xv[j * S], acc[i][j]);
						acc[i][j] = fma(wv.y, xv[j * S + 1], acc[i][j]);
						acc[i][j] = fma(wv.z, xv[j * S + 2], acc[i][j]);
						acc[i][j] = fma(wv.w, xv[j * S + 3], acc[i][j]);
					}
				}
				continue;
			}
			for (int kx = 0; kx < KW; kx++) {
				int k = wk + wky * KW + (WT != 0 ? KW - 1 - kx : kx);
				for (int i = 0; i < TM; i++) {
					float wv = w[wrow[i] + k];
					for (int j = 0; j < TN; j++)
						acc[i][j] = fma(wv, xv[j * S + kx], acc[i][j]);
				}
			}
		}
	}

	if (!live) return;
	for (int j = 0; j < TN; j++) {
		if (ox0 + j >= p.OW) break;
		for (int i = 0; i < TM; i++) {
			if (co0 + i >= p.Co) break;
			store(n, oy * p.OW + ox0 + j, co0 + i, acc[i][j]);
		}
	}
}

void main() {
	if (MODE == 2)
		rowWindows();
	else if (MODE == 1)
		channelsOverLanes();
	else
		pixelsOverLanes();
}
