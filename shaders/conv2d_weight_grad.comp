#version 450
// conv2d_weight_grad: the weight gradient of conv2d,
//   dw[co,ci,ky,kx] = sum_{n,oy,ox} g[n,co,oy,ox] * x[n,ci,oy*s-p+ky,ox*s-p+kx],
// and, with x = the output gradient and g = the input of a conv_transpose2d, that
// layer's weight gradient in its [Ci_t, Co_t, KH, KW] layout.
// bindings: 0 x [N,Ci,H,W] (read), 1 g [N,Co,OH,OW] (read),
//           2 dw [Co,Ci,KH,KW] (written, or accumulated when accumulate != 0)
// push: N, Ci, H, W, Co, OH, OW, stride, pad, accumulate (ints)
// spec: 0 workgroup size WG (a power of two), 1 TM output channels, 2 TN weight
//       entries (ci,ky,kx) per workgroup, 3 KH, 4 KW
// GEMM view: M = Co, N = Ci*KH*KW, K = N*OH*OW (the pixels). A workgroup owns a
// TM x TN block of dw; its invocations split the pixel sum (lane takes pixels
// lane, lane+WG, ...: neighbouring invocations read neighbouring pixels of both
// operands), then add their partial sums with one shared-memory tree at the end.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int TM = 4;
layout(constant_id = 2) const int TN = 4;
layout(constant_id = 3) const int KH = 4;
layout(constant_id = 4) const int KW = 4;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer G { float g[]; };
layout(std430, set = 0, binding = 2) buffer DW { float dw[]; };
layout(push_constant) uniform P {
	int N, Ci, H, W, Co, OH, OW, stride, pad, accumulate;
} p;

shared float red[TM * TN * gl_WorkGroupSize.x];

void main() {
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
