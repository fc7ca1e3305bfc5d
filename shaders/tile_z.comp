#version 450
// tile_z: broadcasts a latent code over a map, y[b, k, i] = z[b, k] for
// i < hw (y is [N,Z,H,W] with hw = H*W, z is [N,Z]).
// bindings: 0 z (read), 1 y (written)
// push: int rows (N*Z); int hw (H*W)
// spec: none
// Grid: x over the hw positions, y over the rows, both grid-stride; one
// invocation writes positions i, i+strideX, ... of rows r, r+strideY, ...
layout(local_size_x = 256) in;
layout(std430, set = 0, binding = 0) readonly buffer Z { float z[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P { int rows; int hw; } p;

void main() {
	uint strideX = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	for (uint r = gl_WorkGroupID.y; r < uint(p.rows); r += gl_NumWorkGroups.y) {
		float v = z[r];
		uint base = r * uint(p.hw);
		for (uint i = gl_GlobalInvocationID.x; i < uint(p.hw); i += strideX) {
			y[base + i] = v;
		}
	}
}
