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
// One invocation updates elements i, i+stride, ... (grid-stride loop).
layout(local_size_x = 256) in;
layout(std430, set = 0, binding = 0) buffer Param { float param[]; };
layout(std430, set = 0, binding = 1) readonly buffer Grad { float grad[]; };
layout(std430, set = 0, binding = 2) buffer M { float m1[]; };
layout(std430, set = 0, binding = 3) buffer V { float m2[]; };
layout(std430, set = 0, binding = 4) readonly buffer H { float hyper[]; };
layout(push_constant) uniform P { int n; } p;

void main() {
	float stepSize = hyper[0];
	float b1 = hyper[1], c1 = hyper[2];
	float b2 = hyper[3], c2 = hyper[4];
	float sqrtBc2 = hyper[5], eps = hyper[6];
	uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	for (uint i = gl_GlobalInvocationID.x; i < uint(p.n); i += stride) {
		float g = grad[i];
		float m = b1 * m1[i] + c1 * g;
		float v = b2 * m2[i] + c2 * (g * g);
		m1[i] = m;
		m2[i] = v;
		param[i] -= stepSize * (m / (sqrt(v) / sqrtBc2 + eps));
	}
}
