#version 450
// conv2d: implicit-GEMM 2-D convolution (cross-correlation, PyTorch's Conv2d),
// y[n,co,oy,ox] = bias[co] + sum_{ci,ky,kx} w[co,ci,ky,kx] * x[n,ci,oy*s-p+ky,ox*s-p+kx].
// Also the input gradient of conv_transpose2d (w then has PyTorch's
// ConvTranspose2d layout [Cin_t, Cout_t, KH, KW], read here as [Co, Ci, KH, KW]).
// bindings: 0 x [N,Ci,H,W] (read), 1 w [Co,Ci,KH,KW] (read), 2 bias [Co] (read if hasBias),
//           3 y [N,Co,OH,OW] (written, or accumulated when accumulate != 0)
// push: N, Ci, H, W, Co, OH, OW, stride, pad, hasBias, accumulate (ints)
// spec: 0 workgroup size WG, 1 TM output channels per invocation, 2 TN output pixels
//       per invocation, 3 KH, 4 KW
// GEMM view: M = Co, N = N*OH*OW, K = Ci*KH*KW, no im2col buffer. A workgroup owns
// TM output channels (its weights are uniform loads shared by every invocation)
// and WG*TN output pixels; invocation `lane` computes a TM x TN register block
// for pixels lane, lane+WG, ... so neighbouring invocations read neighbouring
// input pixels. No shared memory and no barriers: the strategy that suits
// lavapipe (one workgroup per CPU thread, invocations as SIMD lanes).
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
	int lane = int(gl_LocalInvocationID.x);
	int co0 = int(gl_WorkGroupID.y) * TM;
	int ohw = p.OH * p.OW;
	int np = p.N * ohw;
	int hw = p.H * p.W;
	int pix0 = int(gl_WorkGroupID.x) * WG * TN + lane;

	int xoff[TN], iy0[TN], ix0[TN];
	bool live[TN];
	for (int j = 0; j < TN; j++) {
		int q = pix0 + j * WG;
		live[j] = q < np;
		q = min(q, np - 1);
		int n = q / ohw, r = q - n * ohw;
		int oy = r / p.OW, ox = r - oy * p.OW;
		iy0[j] = oy * p.stride - p.pad;
		ix0[j] = ox * p.stride - p.pad;
		xoff[j] = n * p.Ci * hw;
	}
	int wrow[TM];
	for (int i = 0; i < TM; i++) {
		wrow[i] = min(co0 + i, p.Co - 1) * p.Ci * KH * KW;
	}
	float acc[TM][TN];
	for (int i = 0; i < TM; i++)
		for (int j = 0; j < TN; j++)
			acc[i][j] = 0.0;

	for (int ci = 0; ci < p.Ci; ci++) {
		int cbase = ci * hw;
		int wk = ci * KH * KW;
		for (int ky = 0; ky < KH; ky++) {
			for (int kx = 0; kx < KW; kx++) {
				float xv[TN];
				for (int j = 0; j < TN; j++) {
					int iy = iy0[j] + ky, ix = ix0[j] + kx;
					bool inside = iy >= 0 && iy < p.H && ix >= 0 && ix < p.W;
					xv[j] = inside ? x[xoff[j] + cbase + iy * p.W + ix] : 0.0;
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
			int co = co0 + i;
			if (co >= p.Co) break;
			float v = acc[i][j];
			if (p.hasBias != 0) v += bias[co];
			int o = (n * p.Co + co) * ohw + r;
			y[o] = p.accumulate != 0 ? y[o] + v : v;
		}
	}
}
