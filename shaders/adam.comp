#version 450
// adam: one fused torch.optim.Adam step (no weight decay, no amsgrad), in place:
//   m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g*g
//   p -= stepSize * (m / (sqrt(v)/sqrtBc2 + eps))
// with stepSize = lr/(1-b1^t) and sqrtBc2 = sqrt(1-b2^t), PyTorch's order.
// The hyper-parameters live in a device buffer (graph.AdamHyper writes it)
// so that a recorded step can be replayed while t and lr change.
// bindings: 0 p (read, written), 1 g (read), 2 m (read, written),
//           3 v (read, written), 4 hyper (read): [stepSize, b1, 1-b1, b2, 1-b2, sqrtBc2, eps, 0]
// push: int n
// spec: none
// Invocation i (flat over a 2-D grid of 64-wide workgroups) updates the vec4
// of elements 4i..4i+3, or for i >= n/4 the scalar tail element n/4*4 +
// (i - n/4). vec4 accesses: lavapipe turns each per-lane load into a loop
// over the lanes, so four floats per load make it 2.5x faster.
layout(local_size_x = 64) in;
layout(std430, set = 0, binding = 0) buffer Param { float param[]; };
layout(std430, set = 0, binding = 0) buffer Param4 { vec4 param4[]; };
layout(std430, set = 0, binding = 1) readonly buffer Grad { float grad[]; };
layout(std430, set = 0, binding = 1) readonly buffer Grad4 { vec4 grad4[]; };
layout(std430, set = 0, binding = 2) buffer M { float m1[]; };
layout(std430, set = 0, binding = 2) buffer M4 { vec4 m14[]; };
layout(std430, set = 0, binding = 3) buffer V { float m2[]; };
layout(std430, set = 0, binding = 3) buffer V4 { vec4 m24[]; };
layout(std430, set = 0, binding = 4) readonly buffer H { float hyper[]; };
layout(push_constant) uniform P { int n; } p;

void main() {
	float stepSize = hyper[0];
	float b1 = hyper[1], c1 = hyper[2];
	float b2 = hyper[3], c2 = hyper[4];
	float sqrtBc2 = hyper[5], eps = hyper[6];
	uint i = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * 64u + gl_LocalInvocationID.x;
	uint n4 = uint(p.n) / 4u;
	if (i < n4) {
		vec4 g = grad4[i];
		vec4 m = b1 * m14[i] + c1 * g;
		vec4 v = b2 * m24[i] + c2 * (g * g);
		m14[i] = m;
		m24[i] = v;
		param4[i] -= stepSize * (m / (sqrt(v) / sqrtBc2 + eps));
	} else if (i < n4 + uint(p.n) % 4u) {
		uint j = n4 * 4u + (i - n4);
		float g = grad[j];
		float m = b1 * m1[j] + c1 * g;
		float v = b2 * m2[j] + c2 * (g * g);
		m1[j] = m;
		m2[j] = v;
		param[j] -= stepSize * (m / (sqrt(v) / sqrtBc2 + eps));
	}
}
