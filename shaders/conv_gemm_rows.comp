#version 450
// glslang-target: vulkan1.2
// conv_gemm_rows: conv_gemm.comp's OP 0 (conv2d, and conv_transpose2d's
// input gradient) and OP 1 (conv_transpose2d per stride parity class, and
// conv2d's input gradient) with each lane owning TN neighbouring output
// columns of one output row (of one parity class for OP 1) instead of TN
// scattered pixels. Those columns share input values: a kernel row (OP 0:
// ci and ky; OP 1: ci and the class's tap row ty) costs NWIN gathers per
// lane instead of TN times its taps: at stride 2 with 4x4 kernels and TN = 4,
// 10 instead of 16 (OP 0) or 5 instead of 8 (OP 1); at stride 1, 7 instead
// of 16. The K loop walks whole kernel rows: a chunk is RPC = 8/RW rows of
// RW taps, whose weights lanes load one tap each and hand out with
// subgroupShuffle, as in conv_gemm.comp (see there for the addresses, the
// push constants and why pointers).
// spec: 0 TM output channels per invocation, 1 TN output columns per lane,
//   2 KH, 3 KW (at most 8), 4 S stride, 5 OP (0 or 1).
// The workgroup is 8 lanes and must be exactly one subgroup.
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
layout(constant_id = 4) const int S = 1;
layout(constant_id = 5) const int OP = 0;

layout(buffer_reference, std430, buffer_reference_align = 4) buffer Floats { float v[]; };

layout(push_constant) uniform P {
	uvec2 x, w, bias, y;
	int N, Ci, H, W, Co, OH, OW, pad, hasBias, accumulate;
} p;

const int KK = KH * KW;
// OP 1: taps per parity class along each axis (as in conv_gemm.comp).
const int TKH = (KH + S - 1) / S;
const int TKW = (KW + S - 1) / S;
const int TT = TKH * TKW;
const int RW = OP == 0 ? KW : TKW;   // taps per kernel row
const int RH = OP == 0 ? KH : TKH;   // kernel rows per input channel
const int SW = OP == 0 ? S : 1;      // input columns between neighbouring outputs
const int RPC = 8 / RW;              // kernel rows per chunk
const int CH = RPC * RW;             // steps (taps) per chunk
const int NWIN = (TN - 1) * SW + RW; // input columns a lane's run reads per row

// LOADROW(r): the NWIN input values of kernel row r of the chunk (bw[r]).
// Column j meets tap c at window position j*S + c (OP 0), or j + RW-1 - c
// (OP 1, whose taps step backwards through the input).
#define LOADROW(r) if (r < RPC) { \
	int krow = row0 + r; \
	int ci = krow / RH, ry = krow - ci * RH; \
	int dy = OP == 0 ? ry : -ry; \
	bool rowok = krow < rows && uint(iy0 + dy) < uint(p.H); \
	int base = xb + ci * hw + dy * p.W; \
	[[unroll]] for (int t = 0; t < NWIN; t++) { \
		bool inside = rowok && (colm & (1u << uint(t))) != 0u; \
		float v = X.v[inside ? base + t : 0]; \
		bw[r][t] = inside ? v : 0.0; \
	} \
}

void main() {
	Floats X = Floats(p.x), Wt = Floats(p.w), Y = Floats(p.y);
	int lane = int(gl_SubgroupInvocationID);
	int m0 = int(gl_WorkGroupID.y) * TM;
	int hw = p.H * p.W, ohw = p.OH * p.OW;
	int K = p.Ci * (OP == 0 ? KK : TT), rows = p.Ci * RH;
	// OP 1: this workgroup's parity class, its first taps and the input
	// offset they meet (as in conv_gemm.comp).
	int py = int(gl_WorkGroupID.z) / S, px = int(gl_WorkGroupID.z) % S;
	int ky0 = (py + p.pad) % S, kx0 = (px + p.pad) % S;
	int dy0 = (py + p.pad - ky0) / S, dx0 = (px + p.pad - kx0) / S;
	// Output rows and columns this pass covers: all, or one class's.
	int OR = OP == 0 ? p.OH : (p.OH + S - 1) / S;
	int OC = OP == 0 ? p.OW : (p.OW + S - 1) / S;

	// This lane's run: output row q of item b, columns c0 .. c0+TN-1 (of the
	// class for OP 1); iy0 and the window's first input column ixw.
	int gw = (OC + TN - 1) / TN;
	int groups = p.N * OR * gw;
	int g = int(gl_WorkGroupID.x) * 8 + lane;
	bool live = g < groups;
	g = min(g, groups - 1);
	int b = g / (OR * gw), rr = g - b * (OR * gw);
	int q = rr / gw, c0 = (rr - q * gw) * TN;
	int iy0 = OP == 0 ? q * S - p.pad : dy0 + q;
	int ixw = OP == 0 ? c0 * S - p.pad : dx0 + c0 - (RW - 1);
	int xb = b * p.Ci * hw + iy0 * p.W + ixw;
	// colm bit t: input column ixw + t is inside the map.
	uint colm = 0u;
	[[unroll]] for (int t = 0; t < NWIN; t++)
		if (ixw + t >= 0 && ixw + t < p.W)
			colm |= 1u << uint(t);

	float acc[TM][TN];
	[[unroll]] for (int i = 0; i < TM; i++)
		[[unroll]] for (int j = 0; j < TN; j++)
			acc[i][j] = 0.0;

	for (int k0 = 0; k0 < K; k0 += CH) {
		int row0 = k0 / RW;
		// Lane l < CH loads A[m0 + i, k0 + l] for every row i: OP 0 the
		// weight w[co][ci][ky][kx]; OP 1 w[ci][co][ky][kx] of the class's
		// tap (ty, tx), zero where the class has no such tap.
		int ka = k0 + lane;
		bool kin = lane < CH && ka < K;
		ka = min(ka, K - 1);
		int arow, astep;
		if (OP == 0) {
			arow = m0 * K + ka;
			astep = K;
		} else {
			int ci = ka / TT, t = ka - ci * TT;
			int ty = t / TKW, tx = t - ty * TKW;
			int ky = ky0 + S * ty, kx = kx0 + S * tx;
			kin = kin && ky < KH && kx < KW;
			arow = ((ci * p.Co + m0) * KH + min(ky, KH - 1)) * KW + min(kx, KW - 1);
			astep = KK;
		}
		float al[TM];
		[[unroll]] for (int i = 0; i < TM; i++) {
			bool ok = kin && m0 + i < p.Co;
			float v = Wt.v[ok ? arow + i * astep : 0];
			al[i] = ok ? v : 0.0;
		}
		// The chunk's input windows first, then row by row over fresh partial
		// sums (as in conv_gemm.comp, and for the same reasons).
		float bw[8][NWIN]; // rows past RPC are never written or read
		LOADROW(0) LOADROW(1) LOADROW(2) LOADROW(3) LOADROW(4) LOADROW(5) LOADROW(6) LOADROW(7)
		[[unroll]] for (int i = 0; i < TM; i++) {
			float part[TN];
			[[unroll]] for (int j = 0; j < TN; j++)
				part[j] = 0.0;
			[[unroll]] for (int r = 0; r < RPC; r++)
				[[unroll]] for (int c = 0; c < RW; c++) {
					float a = subgroupShuffle(al[i], uint(r * RW + c));
					[[unroll]] for (int j = 0; j < TN; j++)
						part[j] = fma(a, bw[r][OP == 0 ? j * S + c : j + RW - 1 - c], part[j]);
				}
			[[unroll]] for (int j = 0; j < TN; j++)
				acc[i][j] += part[j];
		}
	}

	// Flat ifs, no break: see conv_gemm.comp.
	Floats Bias = Floats(p.bias);
	int oy = OP == 0 ? q : py + S * q;
	[[unroll]] for (int j = 0; j < TN; j++) {
		int ox = OP == 0 ? c0 + j : px + S * (c0 + j);
		bool ok = live && c0 + j < OC && oy < p.OH && ox < p.OW;
		[[unroll]] for (int i = 0; i < TM; i++) {
			int m = m0 + i;
			if (ok && m < p.Co) {
				float v = acc[i][j];
				if (p.hasBias != 0)
					v += Bias.v[m];
				int o = (b * p.Co + m) * ohw + oy * p.OW + ox;
				Y.v[o] = p.accumulate != 0 ? Y.v[o] + v : v;
			}
		}
	}
}
