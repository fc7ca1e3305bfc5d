#version 450
// binary: y[i] = alpha*a[i] + beta*b[i] for i < n (Add is alpha = beta = 1,
// which rounds exactly like a + b). y may be the same buffer as a or b: each
// element is read before it is written, by the same invocation.
// bindings: 0 a (read), 1 b (read), 2 y (written)
// push: int n; float alpha; float beta
// spec: none
// One invocation handles elements i, i+stride, ... (grid-stride loop).
layout(local_size_x = 256) in;
layout(std430, set = 0, binding = 0) readonly buffer A { float a[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { float b[]; };
layout(std430, set = 0, binding = 2) buffer Y { float y[]; };
layout(push_constant) uniform P { int n; float alpha; float beta; } p;

void main() {
	uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	for (uint i = gl_GlobalInvocationID.x; i < uint(p.n); i += stride) {
		y[i] = p.alpha * a[i] + p.beta * b[i];
	}
}
