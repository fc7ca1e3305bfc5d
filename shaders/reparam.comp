#version 450
// reparam: the VAE reparameterisation z = mu + eps*exp(logvar/2) and its
// gradient, chosen by BACKWARD.
// bindings: 0 logvar (read), 1 eps (read),
//           2 forward: mu (read);  backward: dz (read)
//           3 forward: z (written); backward: dmu (written, or accumulated)
//           4 backward only: dlogvar (written, or accumulated); forward binds nothing here
// push: int n; int accumulateMu, accumulateLogvar (backward only: add into dmu / dlogvar)
// spec: constant_id 0 BACKWARD (0 forward, 1 backward)
//   forward:  z = mu + eps*exp(logvar/2)
//   backward: dmu (+)= dz; dlogvar (+)= dz*eps*0.5*exp(logvar/2); the two flags are separate
//             because mu's and logvar's gradients may have different first contributors
// One invocation handles elements i, i+stride, ... (grid-stride loop).
layout(local_size_x = 256) in;
layout(constant_id = 0) const int BACKWARD = 0;
layout(std430, set = 0, binding = 0) readonly buffer LV { float logvar[]; };
layout(std430, set = 0, binding = 1) readonly buffer E { float eps[]; };
layout(std430, set = 0, binding = 2) readonly buffer In { float x[]; };
layout(std430, set = 0, binding = 3) buffer Out0 { float y0[]; };
layout(std430, set = 0, binding = 4) buffer Out1 { float y1[]; };
layout(push_constant) uniform P { int n; int accumulateMu; int accumulateLogvar; } p;

void main() {
	uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	for (uint i = gl_GlobalInvocationID.x; i < uint(p.n); i += stride) {
		float s = eps[i] * exp(0.5 * logvar[i]);
		if (BACKWARD == 0) {
			y0[i] = x[i] + s;
		} else {
			float dz = x[i];
			float dlv = dz * s * 0.5;
			y0[i] = p.accumulateMu != 0 ? y0[i] + dz : dz;
			y1[i] = p.accumulateLogvar != 0 ? y1[i] + dlv : dlv;
		}
	}
}
