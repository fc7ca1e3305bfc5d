#version 450
// fill: y[i] = value for i < n.
// bindings: 0 y (written)
// push: int n; float value
// One invocation writes elements i, i+stride, ... (grid-stride loop).
layout(local_size_x = 256) in;
layout(std430, set = 0, binding = 0) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P { int n; float value; } p;

void main() {
	uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	for (uint i = gl_GlobalInvocationID.x; i < uint(p.n); i += stride) {
		y[i] = p.value;
	}
}
