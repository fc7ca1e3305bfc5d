#version 450
// channel_copy: copies (or adds) a run of channels from one tensor into a run
// of channels of another with the same batch size and spatial size, the
// U-Net concatenation and its backward:
//   dst[b, dstOff + c, i] (+)= src[b, srcOff + c, i]   for c < count, i < inner
// Within one batch item the copied channels are contiguous, so element
// j < count*inner of item b sits at (b*srcC + srcOff)*inner + j in src and
// (b*dstC + dstOff)*inner + j in dst.
// bindings: 0 src (read), 1 dst (written, or accumulated when accumulate != 0)
// push: int batch; int span (count*inner); int srcStride (srcC*inner);
//       int srcBase (srcOff*inner); int dstStride (dstC*inner);
//       int dstBase (dstOff*inner); int accumulate
// spec: constant_id 0 VEC4: every push value but batch and accumulate is a
//   multiple of 4 (inner is), and the shader moves vec4s with all of them /4
//   (on lavapipe four floats per per-lane load make it several times faster)
// Grid: x over the span, y over the batch, both grid-stride; one invocation
// handles elements j, j+strideX, ... of items b, b+strideY, ...
layout(local_size_x = 256) in;
layout(constant_id = 0) const bool VEC4 = false;
layout(std430, set = 0, binding = 0) readonly buffer Src { float src[]; };
layout(std430, set = 0, binding = 0) readonly buffer Src4 { vec4 src4[]; };
layout(std430, set = 0, binding = 1) buffer Dst { float dst[]; };
layout(std430, set = 0, binding = 1) buffer Dst4 { vec4 dst4[]; };
layout(push_constant) uniform P {
	int batch; int span; int srcStride; int srcBase; int dstStride; int dstBase; int accumulate;
} p;

void main() {
	uint strideX = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	uint w = VEC4 ? 4u : 1u;
	for (uint b = gl_WorkGroupID.y; b < uint(p.batch); b += gl_NumWorkGroups.y) {
		uint s = (b * uint(p.srcStride) + uint(p.srcBase)) / w;
		uint d = (b * uint(p.dstStride) + uint(p.dstBase)) / w;
		for (uint j = gl_GlobalInvocationID.x; j < uint(p.span) / w; j += strideX) {
			if (VEC4) {
				vec4 v = src4[s + j];
				dst4[d + j] = p.accumulate != 0 ? dst4[d + j] + v : v;
			} else {
				float v = src[s + j];
				dst[d + j] = p.accumulate != 0 ? dst[d + j] + v : v;
			}
		}
	}
}
