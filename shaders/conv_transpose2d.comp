#version 450
// conv_transpose2d: PyTorch's ConvTranspose2d (output_padding 0) as a gather,
// y[n,co,oy,ox] = bias[co] + sum over ci and the taps (ky,kx) with
//   oy = iy*s - p + ky, ox = ix*s - p + kx  of  w[ci,co,ky,kx] * x[n,ci,iy,ix].
// Also the input gradient of conv2d (w then is the conv weight [Co_c, Ci_c, KH, KW],
// read here as [Ci, Co, KH, KW]).
// bindings: 0 x [N,Ci,H,W] (read), 1 w [Ci,Co,KH,KW] (read), 2 bias [Co] (read if hasBias),
//           3 y [N,Co,OH,OW] (written, or accumulated when accumulate != 0)
// push: N, Ci, H, W, Co, OH, OW, stride, pad, hasBias, accumulate (ints)
// spec: 0 workgroup size WG, 1 TM output channels per invocation, 2 TN output pixels
//       per invocation, 3 KH, 4 KW, 5 MODE (0: lanes over pixels, 1: lanes over channels,
//       2: lanes over row windows), 6 STRIDE (MODE 2: must equal the push stride)
// Outputs are split into stride*stride parity classes (workgroup z): within a class
// (oy % s, ox % s) the contributing taps are the same for every pixel, ky = ky0,
// ky0+s, ..., so no invocation loops over taps that do not land on it (a plain
// gather would skip 3 of 4 taps at stride 2). Within a class the work is an
// implicit GEMM blocked like conv2d.comp, with the same two modes:
// MODE 0 (many pixels): TM channels per workgroup share uniform weight loads,
//   invocation `lane` takes pixels lane, lane+WG, ... of the class; tap bounds are
//   folded into one bit mask per pixel before the K loop.
// MODE 1 (few pixels: lanes over pixels would idle most SIMD lanes): TN pixels of
//   the class per workgroup (uniform input loads and bounds), invocation `lane`
//   takes channels lane, lane+WG, ...; taps outside the map for every pixel of the
//   block are skipped by the loop bounds.
// MODE 2 (row windows, stride STRIDE known at compile time): like MODE 0, but
//   invocation `lane` owns TN neighbouring pixels of one row of the class; they
//   read input columns that overlap, so each (ci, ty) costs TN + NT - 1 per-lane
//   loads (NT = ceil(KW / STRIDE) taps per row) instead of TN * NT.
// No shared memory, no barriers (lavapipe runs a workgroup on one CPU thread).
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int TM = 4;
layout(constant_id = 2) const int TN = 4;
layout(constant_id = 3) const int KH = 4;
layout(constant_id = 4) const int KW = 4;
layout(constant_id = 5) const int MODE = 0;
layout(constant_id = 6) const int STRIDE = 2;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Wt { float w[]; };
layout(std430, set = 0, binding = 2) readonly buffer B { float bias[]; };
layout(std430, set = 0, binding = 3) buffer Y { float y[]; };
layout(push_constant) uniform P {
	int N, Ci, H, W, Co, OH, OW, stride, pad, hasBias, accumulate;
} p;

const int KK = KH * KW;

void store(int yo, int co, float v) {
	if (p.hasBias != 0) v += bias[co];
	int o = yo + co * p.OH * p.OW;
	y[o] = p.accumulate != 0 ? y[o] + v : v;
}

void rowWindows() {
	const int WG = int(gl_WorkGroupSize.x);
	const int S = STRIDE;
	const int NT = (KW + S - 1) / S, NTY = (KH + S - 1) / S;
	const int NWIN = TN + NT - 1;
	int lane = int(gl_LocalInvocationID.x);
	int cy = int(gl_WorkGroupID.z) / S, cx = int(gl_WorkGroupID.z) % S;
	int QH = (p.OH - cy + S - 1) / S, QW = (p.OW - cx + S - 1) / S;
	int gw = (QW + TN - 1) / TN;
	int ng = p.N * QH * gw;
	if (ng <= 0) return;
	int ky0 = (cy + p.pad) % S, kx0 = (cx + p.pad) % S;
	int dy0 = (cy + p.pad) / S, dx0 = (cx + p.pad) / S;
	int nty = (KH - ky0 + S - 1) / S, ntx = (KW - kx0 + S - 1) / S;
	int hw = p.H * p.W;
	int gi = int(gl_WorkGroupID.x) * WG + lane;
	bool live = gi < ng;
	gi = min(gi, ng - 1);
	int n = gi / (QH * gw), r = gi - n * (QH * gw);
	int qy = r / gw, qx0 = (r - qy * gw) * TN;
	int co0 = int(gl_WorkGroupID.y) * TM;
	// Window element u is input column qx0 + dx0 - (NT-1) + u; pixel j, tap tx
	// reads u = j - tx + NT - 1.
	int iyb = qy + dy0, ixw = qx0 + dx0 - (NT - 1);
	int xb = n * p.Ci * hw + iyb * p.W + ixw;
	uint rowm = 0u, colm = 0u;
	for (int ty = 0; ty < NTY; ty++)
		if (ty < nty && iyb - ty >= 0 && iyb - ty < p.H)
			rowm |= 1u << uint(ty);
	for (int u = 0; u < NWIN; u++)
		if (ixw + u >= 0 && ixw + u < p.W)
			colm |= 1u << uint(u);
	int cm[TM];
	for (int i = 0; i < TM; i++)
		cm[i] = min(co0 + i, p.Co - 1) * KK;
	float acc[TM][TN];
	for (int i = 0; i < TM; i++)
		for (int j = 0; j < TN; j++)
			acc[i][j] = 0.0;

	int wcs = p.Co * KK;
	for (int ci = 0; ci < p.Ci; ci++) {
		int cbase = xb + ci * hw;
		int wci = ci * wcs;
		for (int ty = 0; ty < NTY; ty++) {
			uint okr = (rowm & (1u << uint(ty))) != 0u ? colm : 0u;
			int rbase = cbase - ty * p.W;
			float xv[NWIN];
			for (int u = 0; u < NWIN; u++) {
				bool inside = (okr & (1u << uint(u))) != 0u;
				float v = x[inside ? rbase + u : 0];
				xv[u] = inside ? v : 0.0;
			}
			int ky = min(ky0 + ty * S, KH - 1);
			for (int tx = 0; tx < NT; tx++) {
				int k = wci + ky * KW + min(kx0 + tx * S, KW - 1);
				for (int i = 0; i < TM; i++) {
					float wv = w[k + cm[i]];
					if (tx >= ntx) wv = 0.0;
					for (int j = 0; j < TN; j++)
						acc[i][j] = fma(wv, xv[j - tx + NT - 1], acc[i][j]);
				}
			}
		}
	}

	if (!live) return;
	int yrow = n * p.Co * p.OH * p.OW + (qy * S + cy) * p.OW + cx;
	for (int j = 0; j < TN; j++) {
		if (qx0 + j >= QW) break;
		for (int i = 0; i < TM; i++) {
			if (co0 + i >= p.Co) break;
			store(yrow + (qx0 + j) * S, co0 + i, acc[i][j]);
		}
	}
}

void main() {
	if (MODE == 2) {
		rowWindows();
		return;
	}
	const int WG = int(gl_WorkGroupSize.x);
	int lane = int(gl_LocalInvocationID.x);
	int s = p.stride;
	int cy = int(gl_WorkGroupID.z) / s, cx = int(gl_WorkGroupID.z) % s;
	// Pixels of class (cy, cx): oy = qy*s + cy for qy < QH.
	int QH = (p.OH - cy + s - 1) / s, QW = (p.OW - cx + s - 1) / s;
	int qhw = QH * QW;
	int np = p.N * qhw;
	if (qhw <= 0) return;
	// First tap of the class and the input row it reads: (oy + p - ky) is a
	// multiple of s exactly when ky = (cy + p) mod s + t*s, and then
	// iy = qy + (cy + p)/s - t.
	int ky0 = (cy + p.pad) % s, kx0 = (cx + p.pad) % s;
	int dy0 = (cy + p.pad) / s, dx0 = (cx + p.pad) / s;
	int nty = (KH - ky0 + s - 1) / s, ntx = (KW - kx0 + s - 1) / s;
	int hw = p.H * p.W;

	int pix0, cb, cstep;
	if (MODE == 1) {
		pix0 = int(gl_WorkGroupID.x) * TN;
		cb = int(gl_WorkGroupID.y) * WG * TM + lane;
		cstep = WG;
	} else {
		pix0 = int(gl_WorkGroupID.x) * WG * TN + lane;
		cb = int(gl_WorkGroupID.y) * TM;
		cstep = 1;
	}
	int pstep = MODE == 1 ? 1 : WG;

	// xb[j]: offset of tap (t=0) in channel 0; iyb/ixb its row and column.
	int xb[TN], iyb[TN], ixb[TN], yoff[TN];
	uint ok[TN];
	bool live[TN];
	int tylo = nty, tyhi = 0, txlo = ntx, txhi = 0;
	for (int j = 0; j < TN; j++) {
		int q = pix0 + j * pstep;
		live[j] = q < np;
		q = min(q, np - 1);
		int n = q / qhw, r = q - n * qhw;
		int qy = r / QW, qx = r - qy * QW;
		iyb[j] = qy + dy0;
		ixb[j] = qx + dx0;
		xb[j] = n * p.Ci * hw + iyb[j] * p.W + ixb[j];
		yoff[j] = n * p.Co * p.OH * p.OW + (qy * s + cy) * p.OW + qx * s + cx;
		// valid taps: 0 <= iyb - t < H
		tylo = min(tylo, max(0, iyb[j] - p.H + 1));
		tyhi = max(tyhi, min(nty, iyb[j] + 1));
		txlo = min(txlo, max(0, ixb[j] - p.W + 1));
		txhi = max(txhi, min(ntx, ixb[j] + 1));
		uint m = 0u;
		if (MODE == 0) {
			for (int ty = 0; ty < KH; ty++)
				for (int tx = 0; tx < KW; tx++)
					if (ty < nty && tx < ntx && iyb[j] - ty >= 0 && iyb[j] - ty < p.H &&
					    ixb[j] - tx >= 0 && ixb[j] - tx < p.W)
						m |= 1u << uint(ty * KW + tx);
		}
		ok[j] = m;
	}
	if (MODE == 0) {
		tylo = 0; tyhi = nty; txlo = 0; txhi = ntx;
	}
	float acc[TM][TN];
	for (int i = 0; i < TM; i++)
		for (int j = 0; j < TN; j++)
			acc[i][j] = 0.0;
	int cm[TM];
	for (int i = 0; i < TM; i++)
		cm[i] = min(cb + i * cstep, p.Co - 1) * KK;

	int wcs = p.Co * KK;
	for (int ci = 0; ci < p.Ci; ci++) {
		int cbase = ci * hw;
		int wci = ci * wcs;
		for (int ty = tylo; ty < tyhi; ty++) {
			int rbase = cbase - ty * p.W;
			int ky = ky0 + ty * s;
			for (int tx = txlo; tx < txhi; tx++) {
				float xv[TN];
				for (int j = 0; j < TN; j++) {
					bool inside;
					if (MODE == 0)
						inside = (ok[j] & (1u << uint(ty * KW + tx))) != 0u;
					else
						inside = iyb[j] - ty >= 0 && iyb[j] - ty < p.H && ixb[j] - tx >= 0 && ixb[j] - tx < p.W;
					float v = x[inside ? xb[j] + rbase - tx : 0];
					xv[j] = inside ? v : 0.0;
				}
				int k = wci + ky * KW + kx0 + tx * s;
				for (int i = 0; i < TM; i++) {
					float wv = w[k + cm[i]];
					for (int j = 0; j < TN; j++)
						acc[i][j] = fma(wv, xv[j], acc[i][j]);
				}
			}
		}
	}

	for (int j = 0; j < TN; j++) {
		if (!live[j]) continue;
		for (int i = 0; i < TM; i++) {
			int co = cb + i * cstep;
			if (co < p.Co) store(yoff[j], co, acc[i][j]);
		}
	}
}
