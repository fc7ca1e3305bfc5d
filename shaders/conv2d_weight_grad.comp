#version 450
// conv2d_weight_grad: the weight gradient of conv2d,
//   dw[co,ci,ky,kx] = sum_{n,oy,ox} g[n,co,oy,ox] * x[n,ci,oy*s-p+ky,ox*s-p+kx],
// and, with x = the output gradient and g = the input of a conv_transpose2d, that
// layer's weight gradient in its [Ci_t, Co_t, KH, KW] layout.
// bindings: 0 x [N,Ci,H,W] (read), 1 g [N,Co,OH,OW] (read),
//           2 dw [Co,Ci,KH,KW] (written, or accumulated when accumulate != 0)
// push: N, Ci, H, W, Co, OH, OW, stride, pad, accumulate (ints)
// spec: 0 workgroup size WG (a power of two), 1 TM output channels, 2 TN weight
//       entries (ci,ky,kx) per workgroup (MODE 0) or per invocation (MODE 1), 3 KH,
//       4 KW, 5 MODE, 6 STRIDE (MODE 2: must equal the push stride, at most KW)
// GEMM view: M = Co, N = Ci*KH*KW, K = N*OH*OW (the pixels).
// MODE 0 (split-K, for GPUs): a workgroup owns a TM x TN block of dw; its
//   invocations split the pixel sum (lane takes pixels lane, lane+WG, ...:
//   neighbouring invocations read neighbouring pixels of both operands), then add
//   their partial sums with one shared-memory tree at the end.
// MODE 1 (no split-K, for lavapipe, where shared memory and barriers are dear and a
//   layer may have only 1-16 pixels to sum): a workgroup owns TM output channels
//   (g values are uniform scalar loads) and WG*TN weight entries; invocation `lane`
//   owns entries q = lane, lane+WG, ... and walks every pixel itself, row by row
//   (no per-pixel division; row validity hoisted out of the column loop), so each
//   input value it loads feeds TM FMAs and there is no reduction at all.
// MODE 2 (sliding rows, for lavapipe, STRIDE known at compile time): like MODE 1,
//   but invocation `lane` owns a kernel row (ci, ky) -- all KW entries kx -- for TM
//   channels. Walking along an output row, the input values entries kx = 0..KW-1
//   need form a window that slides by STRIDE per pixel, so each pixel costs STRIDE
//   per-lane loads (gathers) instead of KW; TN is unused.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int TM = 4;
layout(constant_id = 2) const int TN = 4;
layout(constant_id = 3) const int KH = 4;
layout(constant_id = 4) const int KW = 4;
layout(constant_id = 5) const int MODE = 0;
layout(constant_id = 6) const int STRIDE = 1;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer G { float g[]; };
layout(std430, set = 0, binding = 2) buffer DW { float dw[]; };
layout(push_constant) uniform P {
	int N, Ci, H, W, Co, OH, OW, stride, pad, accumulate;
} p;

shared float red[MODE == 0 ? TM * TN * gl_WorkGroupSize.x : 1];

void splitK() {
	const int WG = int(gl_WorkGroupSize.x);
	int lane = int(gl_LocalInvocationID.x);
	int q0 = int(gl_WorkGroupID.x) * TN;
	int co0 = int(gl_WorkGroupID.y) * TM;
	int Q = p.Ci * KH * KW;
	int hw = p.H * p.W, ohw = p.OH * p.OW;
	int np = p.N * ohw;

	int xch[TN], ky[TN], kx[TN];
	for (int j = 0; j < TN; j++) {
		int q = min(q0 + j, Q - 1);
		int ci = q / (KH * KW), k = q - ci * (KH * KW);
		xch[j] = ci * hw;
		ky[j] = k / KW - p.pad;
		kx[j] = k % KW - p.pad;
	}
	int gch[TM];
	for (int i = 0; i < TM; i++)
		gch[i] = min(co0 + i, p.Co - 1) * ohw;

	float acc[TM][TN];
	for (int i = 0; i < TM; i++)
		for (int j = 0; j < TN; j++)
			acc[i][j] = 0.0;

	for (int q = lane; q < np; q += WG) {
		int n = q / ohw, r = q - n * ohw;
		int oy = r / p.OW, ox = r - oy * p.OW;
		int iy0 = oy * p.stride, ix0 = ox * p.stride;
		int xb = n * p.Ci * hw, gb = n * p.Co * ohw + r;
		float xv[TN];
		for (int j = 0; j < TN; j++) {
			int iy = iy0 + ky[j], ix = ix0 + kx[j];
			bool inside = iy >= 0 && iy < p.H && ix >= 0 && ix < p.W;
			xv[j] = inside ? x[xb + xch[j] + iy * p.W + ix] : 0.0;
		}
		for (int i = 0; i < TM; i++) {
			float gv = g[gb + gch[i]];
			for (int j = 0; j < TN; j++)
				acc[i][j] = fma(gv, xv[j], acc[i][j]);
		}
	}

	for (int i = 0; i < TM; i++)
		for (int j = 0; j < TN; j++)
			red[(i * TN + j) * WG + lane] = acc[i][j];
	barrier();
	for (int h = WG / 2; h > 0; h /= 2) {
		if (lane < h) {
			for (int e = 0; e < TM * TN; e++)
				red[e * WG + lane] += red[e * WG + lane + h];
		}
		barrier();
	}
	for (int e = lane; e < TM * TN; e += WG) {
		int i = e / TN, j = e % TN;
		int co = co0 + i, q = q0 + j;
		if (co < p.Co && q < Q) {
			int o = co * Q + q;
			float v = red[e * WG];
			dw[o] = p.accumulate != 0 ? dw[o] + v : v;
		}
	}
}

void entriesOverLanes() {
	const int WG = int(gl_WorkGroupSize.x);
	int lane = int(gl_LocalInvocationID.x);
	int q0 = int(gl_WorkGroupID.x) * WG * TN + lane;
	int co0 = int(gl_WorkGroupID.y) * TM;
	int Q = p.Ci * KH * KW;
	int hw = p.H * p.W, ohw = p.OH * p.OW;

	int xch[TN], kyp[TN], kxp[TN];
	for (int j = 0; j < TN; j++) {
		int q = min(q0 + j * WG, Q - 1);
		int ci = q / (KH * KW), k = q - ci * (KH * KW);
		int ky = k / KW;
		xch[j] = ci * hw;
		kyp[j] = ky - p.pad;
		kxp[j] = k - ky * KW - p.pad;
	}
	int gch[TM];
	for (int i = 0; i < TM; i++)
		gch[i] = min(co0 + i, p.Co - 1) * ohw;

	float acc[TM][TN];
	for (int i = 0; i < TM; i++)
		for (int j = 0; j < TN; j++)
			acc[i][j] = 0.0;

	for (int n = 0; n < p.N; n++) {
		int xn = n * p.Ci * hw, gn = n * p.Co * ohw;
		for (int oy = 0; oy < p.OH; oy++) {
			int rowoff[TN];
			bool rowok[TN];
			for (int j = 0; j < TN; j++) {
				int iy = oy * p.stride + kyp[j];
				rowok[j] = iy >= 0 && iy < p.H;
				rowoff[j] = xn + xch[j] + iy * p.W + kxp[j];
			}
			int grow = gn + oy * p.OW;
			for (int ox = 0; ox < p.OW; ox++) {
				int ixs = ox * p.stride;
				float xv[TN];
				for (int j = 0; j < TN; j++) {
					int ix = ixs + kxp[j];
					bool inside = rowok[j] && ix >= 0 && ix < p.W;
					float v = x[inside ? rowoff[j] + ixs : 0];
					xv[j] = inside ? v : 0.0;
				}
				for (int i = 0; i < TM; i++) {
					float gv = g[grow + gch[i] + ox];
					for (int j = 0; j < TN; j++)
						acc[i][j] = fma(gv, xv[j], acc[i][j]);
				}
			}
		}
	}

	for (int j = 0; j < TN; j++) {
		int q = q0 + j * WG;
		if (q >= Q) break;
		for (int i = 0; i < TM; i++) {
			int co = co0 + i;
			if (co >= p.Co) break;
			int o = co * Q + q;
			dw[o] = p.accumulate != 0 ? dw[o] + acc[i][j] : acc[i][j];
		}
	}
}

void slidingRows() {
	const int WG = int(gl_WorkGroupSize.x);
	const int S = STRIDE;
	int lane = int(gl_LocalInvocationID.x);
	int e = int(gl_WorkGroupID.x) * WG + lane; // kernel row ci*KH + ky
	int co0 = int(gl_WorkGroupID.y) * TM;
	int R = p.Ci * KH;
	int hw = p.H * p.W, ohw = p.OH * p.OW;
	bool live = e < R;
	e = min(e, R - 1);
	int ci = e / KH, ky = e - ci * KH;
	int kyp = ky - p.pad;
	int gch[TM];
	for (int i = 0; i < TM; i++)
		gch[i] = min(co0 + i, p.Co - 1) * ohw;

	float acc[TM][KW];
	for (int i = 0; i < TM; i++)
		for (int k = 0; k < KW; k++)
			acc[i][k] = 0.0;

	for (int n = 0; n < p.N; n++) {
		int xn = n * p.Ci * hw + ci * hw, gn = n * p.Co * ohw;
		for (int oy = 0; oy < p.OH; oy++) {
			int iy = oy * S + kyp;
			bool rowok = iy >= 0 && iy < p.H;
			int row = xn + iy * p.W - p.pad; // + ix + pad
			int grow = gn + oy * p.OW;
			// win[k]: input column ox*S - pad + k of row iy (here: ox = -1).
			float win[KW];
			for (int k = S; k < KW; k++) {
				int ix = k - S - p.pad;
				bool inside = rowok && ix >= 0 && ix < p.W;
				float v = x[inside ? row + k - S : 0];
				win[k] = inside ? v : 0.0;
			}
			for (int ox = 0; ox < p.OW; ox++) {
				for (int k = 0; k + S < KW; k++)
					win[k] = win[k + S];
				for (int k = max(0, KW - S); k < KW; k++) {
					int c = ox * S + k;
					int ix = c - p.pad;
					bool inside = rowok && ix >= 0 && ix < p.W;
					float v = x[inside ? row + c : 0];
					win[k] = inside ? v : 0.0;
				}
				for (int i = 0; i < TM; i++) {
					float gv = g[grow + gch[i] + ox];
					for (int k = 0; k < KW; k++)
						acc[i][k] = fma(gv, win[k], acc[i][k]);
				}
			}
		}
	}

	if (!live) return;
	int Q = R * KW;
	for (int i = 0; i < TM; i++) {
		int co = co0 + i;
		if (co >= p.Co) break;
		for (int k = 0; k < KW; k++) {
			int o = co * Q + e * KW + k;
			dw[o] = p.accumulate != 0 ? dw[o] + acc[i][k] : acc[i][k];
		}
	}
}

void main() {
	if (MODE == 2)
		slidingRows();
	else if (MODE == 1)
		entriesOverLanes();
	else
		splitK();
}
