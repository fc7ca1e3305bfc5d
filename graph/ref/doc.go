// Package ref holds plain-Go float64 reference implementations of the
// neural-network operations the Vulkan shaders implement, forward and
// backward.
//
// They are the ground truth that GPU results are tested against, so they
// follow PyTorch semantics exactly (layouts, output sizes, padding rules,
// biased variances, optimizer update order) and favour obvious loops over
// speed. Everything is float64 so that the reference error is negligible next
// to the float32 error of the shaders under test.
//
// Tensors are dense, row-major and NCHW. Scalars are tensors of shape [1].
// Shape mismatches are programmer errors and panic.
package ref
