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
//       per invocation, 3 KH, 4 KW
// Outputs are split into stride*stride parity classes (workgroup z): within a class
// (oy % s, ox % s) the contributing taps are the same for every pixel, ky = ky0,
// ky0+s, ..., so no invocation loops over taps that do not land on it (a plain
// gather would skip 3 of 4 taps at stride 2). Within a class the work is an
// implicit GEMM blocked like conv2d.comp: TM channels share uniform weight loads,
// invocation `lane` takes pixels lane, lane+WG, ... of the class.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int TM = 4;
layout(constant_id = 2) const int TN = 4;
layout(constant_id = 3) const int KH = 4;
layout(constant_id = 4) const int KW = 4;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Wt { float w[]; };
layout(std430, set = 0, binding = 2) readonly buffer B { float bias[]; };
layout(std430, set = 0, binding = 3) buffer Y { float y[]; };
layout(push_constant) uniform P {
	int N, Ci, H, W, Co, OH, OW, stride, pad, hasBias, accumulate;
} p;

void main() {
	const int WG = int(gl_WorkGroupSize.x);
	int s = p.stride;
	int cy = int(gl_WorkGroupID.z) / s, cx = int(gl_WorkGroupID.z) % s;
	// Pixels of class (cy, cx): oy = qy*s + cy for qy < QH.
	int QH = (p.OH - cy + s - 1) / s, QW = (p.OW - cx + s - 1) / s;
	int qhw = QH * QW;
	int np = p.N * qhw;
	int pix0 = int(gl_WorkGroupID.x) * WG * TN + int(gl_LocalInvocationID.x);
	int co0 = int(gl_WorkGroupID.y) * TM;
	if (qhw <= 0) return;
	// First tap of the class and the input row it reads: (oy + p - ky) is a
	// multiple of s exactly when ky = (cy + p) mod s + t*s, and then
	// iy = qy + (cy + p)/s - t.
	int ky0 = (cy + p.pad) % s, kx0 = (cx + p.pad) % s;
	int dy0 = (cy + p.pad) / s, dx0 = (cx + p.pad) / s;
	int hw = p.H * p.W;

	int xoff[TN], iyb[TN], ixb[TN], yoff[TN];
	bool live[TN];
	for (int j = 0; j < TN; j++) {
		int q = pix0 + j * WG;
		live[j] = q < np;
		q = min(q, np - 1);
		int n = q / qhw, r = q - n * qhw;
		int qy = r / QW, qx = r - qy * QW;
		iyb[j] = qy + dy0;
		ixb[j] = qx + dx0;
		xoff[j] = n * p.Ci * hw;
		yoff[j] = n * p.Co * p.OH * p.OW + (qy * s + cy) * p.OW + qx * s + cx;
	}
	float acc[TM][TN];
	for (int i = 0; i < TM; i++)
		for (int j = 0; j < TN; j++)
			acc[i][j] = 0.0;
	int cm[TM];
	for (int i = 0; i < TM; i++)
		cm[i] = min(co0 + i, p.Co - 1) * KH * KW;

	for (int ci = 0; ci < p.Ci; ci++) {
		int cbase = ci * hw;
		int wci = ci * p.Co * KH * KW;
		for (int ky = ky0, ty = 0; ky < KH; ky += s, ty++) {
			for (int kx = kx0, tx = 0; kx < KW; kx += s, tx++) {
				float xv[TN];
				for (int j = 0; j < TN; j++) {
					int iy = iyb[j] - ty, ix = ixb[j] - tx;
					bool inside = iy >= 0 && iy < p.H && ix >= 0 && ix < p.W;
					xv[j] = inside ? x[xoff[j] + cbase + iy * p.W + ix] : 0.0;
				}
				int k = wci + ky * KW + kx;
				for (int i = 0; i < TM; i++) {
					float wv = w[k + cm[i]];
					for (int j = 0; j < TN; j++)
						acc[i][j] = fma(wv, xv[j], acc[i][j]);
				}
			}
		}
	}

	int ohw = p.OH * p.OW;
	for (int j = 0; j < TN; j++) {
		if (!live[j]) continue;
		for (int i = 0; i < TM; i++) {
			int co = co0 + i;
			if (co >= p.Co) break;
			float v = acc[i][j];
			if (p.hasBias != 0) v += bias[co];
			int o = yoff[j] + co * ohw;
			y[o] = p.accumulate != 0 ? y[o] + v : v;
		}
	}
}
