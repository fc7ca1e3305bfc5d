#version 450
// avg_pool: AvgPool2d (count_include_pad=False) and its input gradient, chosen by MODE.
// Output row oy covers input rows [oy*stride - pad, oy*stride - pad + k) clipped to
// [0, H), likewise for columns; its divisor is the number of in-bounds taps.
//   MODE 0 forward:  out = y [planes,OH,OW], in = x [planes,H,W];
//                    y = sum of the window / taps.
//   MODE 1 backward: out = dx [planes,H,W], in = dy [planes,OH,OW]; gather form:
//                    dx = sum over the outputs whose window covers the pixel of dy / taps
//                    (no atomics); dx += that instead when accumulate != 0.
//   MODE 2 backward for windows that tile the map (k == stride, pad 0) and rows
//                    of a multiple of 4 pixels: the same sums, 4 neighbouring dx per
//                    invocation as one vec4 (E's 2x2 pools). Every window is whole
//                    there, so each dy spreads over k*k pixels; pixels past the last
//                    window get 0. MODE 1 took 6x the forward's time on those pools:
//                    per-lane loop bounds, and a per-lane loop for each scalar access.
// bindings: 0 out (written, or accumulated), 1 in (read)
// push: int total (elements of out), H, W, OH, OW, k, stride, pad, accumulate
// spec: constant_id 0 MODE
// One invocation computes out elements i, i + stride, ... (grid-stride loop).
layout(local_size_x = 128) in;
layout(constant_id = 0) const int MODE = 0;
layout(std430, set = 0, binding = 0) buffer O { float outv[]; };
layout(std430, set = 0, binding = 0) buffer O4 { vec4 outv4[]; };
layout(std430, set = 0, binding = 1) readonly buffer I { float inv[]; };
layout(push_constant) uniform P { int total, H, W, OH, OW, k, stride, pad, accumulate; } p;

// taps is the number of in-bounds positions of window o along a size-n axis.
int taps(int o, int n) {
	int lo = o * p.stride - p.pad;
	return min(lo + p.k, n) - max(lo, 0);
}

// outRange is the outputs (along an axis with no outputs) whose windows cover input i.
ivec2 outRange(int i, int no) {
	int a = i + p.pad - p.k + 1; // the first o with o*stride - pad + k > i is ceil(a/stride)
	int lo = a <= 0 ? 0 : (a + p.stride - 1) / p.stride;
	int hi = min((i + p.pad) / p.stride, no - 1);
	return ivec2(lo, hi);
}

void main() {
	if (MODE == 2) {
		uint i = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
		if (i >= uint(p.total) / 4u)
			return;
		int ix0 = int((4u * i) % uint(p.W));
		uint r = (4u * i) / uint(p.W);
		int oy = int(r % uint(p.H)) / p.k;
		uint base = (r / uint(p.H)) * uint(p.OH * p.OW) + uint(oy * p.OW);
		float taps = float(p.k * p.k); // divided, not multiplied by 1/taps: rounds as MODE 1
		vec4 v = vec4(0.0);
		for (int t = 0; t < 4; t++) {
			int ox = (ix0 + t) / p.k;
			if (oy < p.OH && ox < p.OW)
				v[t] = inv[base + uint(ox)] / taps;
		}
		outv4[i] = p.accumulate != 0 ? outv4[i] + v : v;
		return;
	}
	uint step = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	for (uint idx = gl_GlobalInvocationID.x; idx < uint(p.total); idx += step) {
		float v = 0.0;
		if (MODE == 0) {
			int ox = int(idx % uint(p.OW));
			uint r = idx / uint(p.OW);
			int oy = int(r % uint(p.OH));
			uint q = r / uint(p.OH);
			int y0 = max(oy * p.stride - p.pad, 0), y1 = min(oy * p.stride - p.pad + p.k, p.H);
			int x0 = max(ox * p.stride - p.pad, 0), x1 = min(ox * p.stride - p.pad + p.k, p.W);
			uint base = q * uint(p.H * p.W);
			float s = 0.0;
			for (int iy = y0; iy < y1; iy++) {
				for (int ix = x0; ix < x1; ix++) {
					s += inv[base + uint(iy * p.W + ix)];
				}
			}
			v = s / float((y1 - y0) * (x1 - x0));
		} else {
			int ix = int(idx % uint(p.W));
			uint r = idx / uint(p.W);
			int iy = int(r % uint(p.H));
			uint q = r / uint(p.H);
			ivec2 ry = outRange(iy, p.OH), rx = outRange(ix, p.OW);
			uint base = q * uint(p.OH * p.OW);
			for (int oy = ry.x; oy <= ry.y; oy++) {
				int ty = taps(oy, p.H);
				for (int ox = rx.x; ox <= rx.y; ox++) {
					v += inv[base + uint(oy * p.OW + ox)] / float(ty * taps(ox, p.W));
				}
			}
		}
		outv[idx] = (MODE == 1 && p.accumulate != 0) ? outv[idx] + v : v;
	}
}
