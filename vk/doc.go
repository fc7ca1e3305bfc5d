// Package vk is bicycle-vk's thin Vulkan compute runtime: it loads the Vulkan
// loader, chooses a device, sub-allocates storage buffers from large memory
// blocks, builds and caches compute pipelines, and records dispatches into
// command buffers with the barriers they need.
//
// It knows nothing of tensors, networks or BicycleGAN: the graph package above
// it decides what to dispatch; vk only makes that safe and cheap.
package vk
