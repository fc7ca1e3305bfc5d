#version 450
// glslang-target: vulkan1.2
// adam_addr: adam.comp's step (see there for the formula and the hyper
// tensor) reading and writing through buffer device addresses, for devices
// where that is faster than storage-buffer descriptors (lavapipe: a
// per-lane descriptor load is a loop over lanes with a branch each, a
// pointer load one gather). No loop either: each invocation updates E
// elements, i + k*64 for k < E, from i = (flat workgroup index)*64*E + lane,
// so nothing is blended with a loop mask.
// push: addresses p, g, m, v (read, written except g), hyper (read); int n
// spec: 0 E elements per invocation
#extension GL_EXT_buffer_reference : require
#extension GL_EXT_buffer_reference_uvec2 : require
#extension GL_EXT_control_flow_attributes : require

layout(local_size_x = 64) in;
layout(constant_id = 0) const int E = 4;

layout(buffer_reference, std430, buffer_reference_align = 4) buffer Floats { float v[]; };

layout(push_constant) uniform P {
	uvec2 p, g, m, v, hyper;
	int n;
} pc;

void main() {
	Floats P = Floats(pc.p), G = Floats(pc.g), M = Floats(pc.m), V = Floats(pc.v), H = Floats(pc.hyper);
	float stepSize = H.v[0];
	float b1 = H.v[1], c1 = H.v[2];
	float b2 = H.v[3], c2 = H.v[4];
	float sqrtBc2 = H.v[5], eps = H.v[6];
	int group = int(gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x);
	int i0 = group * 64 * E + int(gl_LocalInvocationID.x);
	[[unroll]] for (int k = 0; k < E; k++) {
		int i = i0 + k * 64;
		if (i < pc.n) {
			float g = G.v[i];
			float m = b1 * M.v[i] + c1 * g;
			float v = b2 * V.v[i] + c2 * (g * g);
			M.v[i] = m;
			V.v[i] = v;
			P.v[i] -= stepSize * (m / (sqrt(v) / sqrtBc2 + eps));
		}
	}
}
