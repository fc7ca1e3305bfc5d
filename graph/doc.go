// Package graph is bicycle-vk's tensor layer: float32 tensors in device
// memory and the op library that records their shaders into a vk.Recorder,
// each op with a float64 CPU reference in graph/ref that tests hold it to.
//
// It knows nothing of BicycleGAN: networks are built from these ops above it.
package graph
