#version 450
// loss_backward: the elementwise gradients of loss.comp's losses, chosen by MODE,
// for an upstream scalar gradient folded into k:
//   MODE 0 MSE_CONST: d0 = k*(a - target)                          (k = 2g/n)
//   MODE 1 L1:        d0 = k*sign(a - b), sign(0) = 0              (k = g/n; db is -d0)
//   MODE 2 KL:        d0 = k*a, d1 = k*0.5*(exp(b) - 1), a = mu, b = logvar (k = g)
// d0 is accumulated (d0 += value) when acc0 != 0, d1 when acc1 != 0.
// bindings: 0 d0 (written), 1 a (read), 2 b (read; MODE 1 and 2), 3 d1 (written; MODE 2 only)
// push: int n; float target; float k; int acc0, acc1
// spec: constant_id 0 MODE
// One invocation handles elements i, i + stride, ... (grid-stride loop).
layout(local_size_x = 256) in;
layout(constant_id = 0) const int MODE = 0;
layout(std430, set = 0, binding = 0) buffer D0 { float d0[]; };
layout(std430, set = 0, binding = 1) readonly buffer A { float a[]; };
layout(std430, set = 0, binding = 2) readonly buffer B { float b[]; };
layout(std430, set = 0, binding = 3) buffer D1 { float d1[]; };
layout(push_constant) uniform P { int n; float target; float k; int acc0, acc1; } p;

void main() {
	uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	for (uint i = gl_GlobalInvocationID.x; i < uint(p.n); i += stride) {
		float v;
		if (MODE == 0) {
			v = p.k * (a[i] - p.target);
		} else if (MODE == 1) {
			float d = a[i] - b[i];
			v = d > 0.0 ? p.k : (d < 0.0 ? -p.k : 0.0);
		} else {
			v = p.k * a[i];
			float w = p.k * 0.5 * (exp(b[i]) - 1.0);
			d1[i] = p.acc1 != 0 ? d1[i] + w : w;
		}
		d0[i] = p.acc0 != 0 ? d0[i] + v : v;
	}
}
