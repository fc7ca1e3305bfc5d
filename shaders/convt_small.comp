#version 450
// glslang-target: vulkan1.2
// convt_small: conv_transpose2d (and so conv2d's input gradient) of a tiny
// input map, y[b,co,oy,ox] = bias[co] + sum over ci, iy, ix and the taps
// with oy = iy*S - PAD + ky, ox = ix*S - PAD + kx of w[ci,co,ky,kx] *
// x[b,ci,iy,ix]. The generator's innermost layers (1x1 and 2x2 inputs) are
// weight streams: every weight is used by at most H*W input pixels. Here
// the map's geometry is specialised, so which (pixel, tap) pair feeds which
// output is known when the shader is compiled and all S*S parity classes
// run in one pass: each lane reads the KH*KW weights of w[ci,co] as vec4s,
// all of them used (conv_gemm_few.comp's per-class scalar gathers use 4 of
// 16). Lanes own output channels (co = lane, lane+8, ... TC of them); the
// input values of a chunk of 8 ci are loaded one ci per lane and handed out
// with subgroupShuffle, as in conv_gemm.comp (see there for the addresses,
// the push constants and the fresh partial sums per chunk).
// spec: 0 TC channels per lane, 1 H, 2 W, 3 OH, 4 OW, 5 KH, 6 KW (KH*KW a
//   multiple of 4), 7 S, 8 PAD. Workgroup z is the batch item.
#extension GL_EXT_buffer_reference : require
#extension GL_EXT_buffer_reference_uvec2 : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#extension GL_EXT_control_flow_attributes : require

layout(local_size_x = 8) in;
layout(constant_id = 0) const int TC = 2;
layout(constant_id = 1) const int H = 2;
layout(constant_id = 2) const int W = 2;
layout(constant_id = 3) const int OH = 4;
layout(constant_id = 4) const int OW = 4;
layout(constant_id = 5) const int KH = 4;
layout(constant_id = 6) const int KW = 4;
layout(constant_id = 7) const int S = 2;
layout(constant_id = 8) const int PAD = 1;

layout(buffer_reference, std430, buffer_reference_align = 4) buffer Floats { float v[]; };
layout(buffer_reference, std430, buffer_reference_align = 16) buffer Vec4s { vec4 v[]; };

layout(push_constant) uniform P {
	uvec2 x, w, bias, y;
	int N, Ci, H_, W_, Co, OH_, OW_, pad_, hasBias, accumulate;
} p;

const int HW = H * W;
const int OHW = OH * OW;
const int KK = KH * KW;
const int KQ = KK / 4; // vec4s per (ci, co)

void main() {
	Floats X = Floats(p.x), Y = Floats(p.y);
	Vec4s W4 = Vec4s(p.w);
	int lane = int(gl_SubgroupInvocationID);
	int b = int(gl_WorkGroupID.z);
	int m0 = int(gl_WorkGroupID.x) * 8 * TC + lane;
	int co[TC];
	[[unroll]] for (int c = 0; c < TC; c++)
		co[c] = min(m0 + c * 8, p.Co - 1);

	float acc[TC][OHW];
	[[unroll]] for (int c = 0; c < TC; c++)
		[[unroll]] for (int o = 0; o < OHW; o++)
			acc[c][o] = 0.0;

	int xb = b * p.Ci * HW;
	for (int ci0 = 0; ci0 < p.Ci; ci0 += 8) {
		// Lane l loads the H*W inputs of channel ci0 + l.
		bool kin = ci0 + lane < p.Ci;
		int xc = xb + min(ci0 + lane, p.Ci - 1) * HW;
		float xl[HW];
		[[unroll]] for (int q = 0; q < HW; q++) {
			float v = X.v[xc + q];
			xl[q] = kin ? v : 0.0;
		}
		float part[TC][OHW];
		[[unroll]] for (int c = 0; c < TC; c++)
			[[unroll]] for (int o = 0; o < OHW; o++)
				part[c][o] = 0.0;
		[[unroll]] for (int kk = 0; kk < 8; kk++) {
			// Past the last channel the inputs are 0; the weights are read
			// from the last channel so that no address leaves the tensor.
			int ci = min(ci0 + kk, p.Ci - 1);
			vec4 wv[TC][KQ];
			[[unroll]] for (int c = 0; c < TC; c++)
				[[unroll]] for (int q = 0; q < KQ; q++)
					wv[c][q] = W4.v[(ci * p.Co + co[c]) * KQ + q];
			[[unroll]] for (int q = 0; q < HW; q++) {
				float xv = subgroupShuffle(xl[q], uint(kk));
				int iy = q / W, ix = q - (q / W) * W;
				[[unroll]] for (int ky = 0; ky < KH; ky++) {
					int oy = iy * S - PAD + ky;
					[[unroll]] for (int kx = 0; kx < KW; kx++) {
						int ox = ix * S - PAD + kx;
						if (oy >= 0 && oy < OH && ox >= 0 && ox < OW) {
							int t = ky * KW + kx;
							[[unroll]] for (int c = 0; c < TC; c++)
								part[c][oy * OW + ox] = fma(wv[c][t / 4][t % 4], xv, part[c][oy * OW + ox]);
						}
					}
				}
			}
		}
		[[unroll]] for (int c = 0; c < TC; c++)
			[[unroll]] for (int o = 0; o < OHW; o++)
				acc[c][o] += part[c][o];
	}

	// Flat ifs, no break: see conv_gemm.comp.
	Floats Bias = Floats(p.bias);
	[[unroll]] for (int c = 0; c < TC; c++) {
		int m = m0 + c * 8;
		[[unroll]] for (int o = 0; o < OHW; o++) {
			if (m < p.Co) {
				float v = acc[c][o];
				if (p.hasBias != 0)
					v += Bias.v[m];
				int at = (b * p.Co + m) * OHW + o;
				Y.v[at] = p.accumulate != 0 ? Y.v[at] + v : v;
			}
		}
	}
}
