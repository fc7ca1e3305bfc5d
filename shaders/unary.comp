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
// Invocation i (flat over a 2-D grid of 64-wide workgroups) computes the
// vec4 of elements 4i..4i+3, or for i >= n/4 the scalar tail element n/4*4 +
// (i - n/4): on lavapipe a vec4 per lane makes these passes 2.5x faster
// (see adam.comp).
layout(local_size_x = 64) in;
layout(constant_id = 0) const int OP = 0;
layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, set = 0, binding = 1) readonly buffer DY { float dy[]; };
layout(std430, set = 0, binding = 1) readonly buffer DY4 { vec4 dy4[]; };
layout(std430, set = 0, binding = 2) buffer Y { float y[]; };
layout(std430, set = 0, binding = 2) buffer Y4 { vec4 y4[]; };
layout(push_constant) uniform P { int n; float alpha; int accumulate; } p;

// f: the op on four values v of x (g: the matching dy for backward ops).
vec4 f(vec4 v, vec4 g) {
	switch (OP) {
	case 0: return mix(p.alpha * v, v, greaterThan(v, vec4(0.0)));
	case 1: return max(v, vec4(0.0));
	// Clamped: some drivers compute tanh through exp, which overflows to NaN for large v; tanh(15) is 1 in float.
	case 2: return tanh(clamp(v, -15.0, 15.0));
	case 3: return exp(v);
	case 4: return p.alpha * v;
	case 5: return g * mix(vec4(p.alpha), vec4(1.0), greaterThan(v, vec4(0.0)));
	case 6: return mix(vec4(0.0), g, greaterThan(v, vec4(0.0)));
	case 7: return g * (1.0 - v * v);
	case 8: return g * v;
	}
	return vec4(0.0);
}

void main() {
	uint i = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * 64u + gl_LocalInvocationID.x;
	uint n4 = uint(p.n) / 4u;
	bool bwd = OP >= 5;
	if (i < n4) {
		vec4 v = f(x4[i], bwd ? dy4[i] : vec4(0.0));
		y4[i] = p.accumulate != 0 ? y4[i] + v : v;
	} else if (i < n4 + uint(p.n) % 4u) {
		uint j = n4 * 4u + (i - n4);
		float v = f(vec4(x[j]), vec4(bwd ? dy[j] : 0.0)).x;
		y[j] = p.accumulate != 0 ? y[j] + v : v;
	}
}
