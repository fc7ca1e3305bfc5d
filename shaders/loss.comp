#version 450
// loss: a scalar loss over n elements, chosen by MODE, reduced in one workgroup:
//   MODE 0 MSE_CONST: y[0] = scale * sum((a - target)^2)                       (scale = 1/n)
//   MODE 1 L1:        y[0] = scale * sum(|a - b|)                              (scale = 1/n)
//   MODE 2 KL:        y[0] = scale * sum(0.5*(a^2 + exp(b) - b - 1)), a = mu, b = logvar (scale = 1)
// bindings: 0 y (written, [1]), 1 a (read), 2 b (read; MODE 1 and 2)
// push: int n; float target; float scale
// spec: constant_id 0 MODE
// Dispatched as a single workgroup: each invocation sums elements lid, lid+256, ...
// in order (in blocks of 64, folded into its total), then a shared-memory tree
// adds the partials (deterministic).
layout(local_size_x = 256) in;
layout(constant_id = 0) const int MODE = 0;
layout(std430, set = 0, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, set = 0, binding = 1) readonly buffer A { float a[]; };
layout(std430, set = 0, binding = 2) readonly buffer B { float b[]; };
layout(push_constant) uniform P { int n; float target; float scale; } p;

shared float part[256];

float term(uint i) {
	float v = a[i];
	if (MODE == 0) {
		float d = v - p.target;
		return d * d;
	} else if (MODE == 1) {
		return abs(v - b[i]);
	}
	float lv = b[i];
	return 0.5 * (v * v + exp(lv) - lv - 1.0);
}

void main() {
	uint lid = gl_LocalInvocationID.x;
	float s = 0.0, blk = 0.0;
	uint cnt = 0u;
	for (uint i = lid; i < uint(p.n); i += 256u) {
		blk += term(i);
		if (++cnt == 64u) {
			s += blk;
			blk = 0.0;
			cnt = 0u;
		}
	}
	part[lid] = s + blk;
	barrier();
	for (uint h = 128u; h > 0u; h >>= 1) {
		if (lid < h) {
			part[lid] += part[lid + h];
		}
		barrier();
	}
	if (lid == 0u) {
		y[0] = p.scale * part[0];
	}
}
