#version 450
// linear: the fully connected layer y = x w^T + b and its gradients, chosen by MODE.
// Shapes: x [N,I], w [O,I] (PyTorch's layout), b [O], y and dy [N,O].
//   MODE 0 forward:     out = y  [N,O]; a = x,  b = w; bias = b:   y[n,o]  = b[o] + sum_i x[n,i] w[o,i]
//   MODE 1 data grad:   out = dx [N,I]; a = dy, b = w:             dx[n,i] = sum_o dy[n,o] w[o,i]
//   MODE 2 weight grad: out = dw [O,I]; a = dy, b = x:             dw[o,i] = sum_n dy[n,o] x[n,i]
// Gradients are accumulated (out += value) when accumulate != 0.
// bindings: 0 out (written, or accumulated), 1 a (read), 2 b (read), 3 bias (read; MODE 0 only)
// push: int N, I, O, accumulate
// spec: constant_id 0 MODE
// One invocation computes out elements j, j + stride, ... (grid-stride loop), each
// a sequential dot product.
layout(local_size_x = 64) in;
layout(constant_id = 0) const int MODE = 0;
layout(std430, set = 0, binding = 0) buffer OUT { float outv[]; };
layout(std430, set = 0, binding = 1) readonly buffer A { float a[]; };
layout(std430, set = 0, binding = 2) readonly buffer B { float b[]; };
layout(std430, set = 0, binding = 3) readonly buffer BIAS { float bias[]; };
layout(push_constant) uniform P { int N, I, O, accumulate; } p;

void main() {
	uint N = uint(p.N), I = uint(p.I), O = uint(p.O);
	uint total = MODE == 0 ? N * O : (MODE == 1 ? N * I : O * I);
	uint step = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	for (uint j = gl_GlobalInvocationID.x; j < total; j += step) {
		float s = 0.0;
		if (MODE == 0) {
			uint n = j / O, o = j - n * O;
			s = bias[o];
			for (uint i = 0u; i < I; i++) {
				s += a[n * I + i] * b[o * I + i];
			}
		} else if (MODE == 1) {
			uint n = j / I, i = j - n * I;
			for (uint o = 0u; o < O; o++) {
				s += a[n * O + o] * b[o * I + i];
			}
		} else {
			uint o = j / I, i = j - o * I;
			for (uint n = 0u; n < N; n++) {
				s += a[n * O + o] * b[n * I + i];
			}
		}
		outv[j] = p.accumulate != 0 ? outv[j] + s : s;
	}
}
