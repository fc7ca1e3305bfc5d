#version 450
// unary: elementwise activations and their gradients, chosen by OP.
// bindings: 0 x (read: the forward input, or for TANH_BWD/EXP_BWD the forward output),
//           1 dy (read; backward ops only), 2 y (written, or accumulated when accumulate != 0)
// push: int n; float alpha (LeakyReLU slope, or the factor of SCALE); int accumulate
// spec: constant_id 0 OP
//   forward:  0 LEAKY_RELU  y = x > 0 ? x : alpha*x
//             1 RELU        y = max(x, 0)
//             2 TANH        y = tanh(x)
//             3 EXP         y = exp(x)
//             4 SCALE       y = alpha*x
//   backward: 5 LEAKY_RELU_BWD  y = dy * (x > 0 ? 1 : alpha)
//             6 RELU_BWD        y = x > 0 ? dy : 0
//             7 TANH_BWD        y = dy * (1 - x*x)   (x is tanh's output)
//             8 EXP_BWD         y = dy * x           (x is exp's output)
// One invocation handles elements i, i+stride, ... (grid-stride loop).
layout(local_size_x = 256) in;
layout(constant_id = 0) const int OP = 0;
layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer DY { float dy[]; };
layout(std430, set = 0, binding = 2) buffer Y { float y[]; };
layout(push_constant) uniform P { int n; float alpha; int accumulate; } p;

float f(uint i) {
	float v = x[i];
	switch (OP) {
	case 0: return v > 0.0 ? v : p.alpha * v;
	case 1: return max(v, 0.0);
	// Clamped: some drivers compute tanh through exp, which overflows to NaN for large v; tanh(15) is 1 in float.
	case 2: return tanh(clamp(v, -15.0, 15.0));
	case 3: return exp(v);
	case 4: return p.alpha * v;
	case 5: return dy[i] * (v > 0.0 ? 1.0 : p.alpha);
	case 6: return v > 0.0 ? dy[i] : 0.0;
	case 7: return dy[i] * (1.0 - v * v);
	case 8: return dy[i] * v;
	}
	return 0.0;
}

void main() {
	uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	for (uint i = gl_GlobalInvocationID.x; i < uint(p.n); i += stride) {
		float v = f(i);
		y[i] = p.accumulate != 0 ? y[i] + v : v;
	}
}
