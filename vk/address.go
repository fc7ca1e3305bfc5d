package vk

/*
#include <stdlib.h>
#include <string.h>
#include "loader.h"

// addressing_support reports the bufferDeviceAddress feature (Vulkan 1.2) and
// the subgroup size and operations (Vulkan 1.1) of a physical device.
static int addressing_support(VkInstance inst, VkPhysicalDevice pd, uint32_t *subgroup_size, uint32_t *subgroup_ops) {
	VkPhysicalDeviceSubgroupProperties sp;
	memset(&sp, 0, sizeof sp);
	sp.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES;
	if (!loader_properties2(inst, pd, &sp)) return 0;
	*subgroup_size = sp.subgroupSize;
	*subgroup_ops = (sp.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) ? sp.supportedOperations : 0;
	VkPhysicalDeviceBufferDeviceAddressFeatures bda;
	memset(&bda, 0, sizeof bda);
	bda.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_BUFFER_DEVICE_ADDRESS_FEATURES;
	if (!loader_features2(inst, pd, &bda)) return 0;
	return bda.bufferDeviceAddress == VK_TRUE;
}

// address_features is the pNext of VkDeviceCreateInfo that turns the feature on.
static void *address_features(void) {
	VkPhysicalDeviceBufferDeviceAddressFeatures *f = calloc(1, sizeof *f);
	f->sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_BUFFER_DEVICE_ADDRESS_FEATURES;
	f->bufferDeviceAddress = VK_TRUE;
	return f;
}

// address_alloc_flags is the pNext of VkMemoryAllocateInfo for memory whose
// buffers have device addresses. It lives as long as the device.
static void *address_alloc_flags(void) {
	VkMemoryAllocateFlagsInfo *f = calloc(1, sizeof *f);
	f->sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO;
	f->flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT;
	return f;
}

static void *address_function(VkInstance inst, VkDevice dev) {
	PFN_vkGetInstanceProcAddr gipa = loader_gipa();
	if (!gipa) return NULL;
	PFN_vkGetDeviceProcAddr gdpa = (PFN_vkGetDeviceProcAddr)gipa(inst, "vkGetDeviceProcAddr");
	if (!gdpa) return NULL;
	return (void *)gdpa(dev, "vkGetBufferDeviceAddress");
}

static uint64_t buffer_address(void *fn, VkDevice dev, VkBuffer buf) {
	VkBufferDeviceAddressInfo info;
	memset(&info, 0, sizeof info);
	info.sType = VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO;
	info.buffer = buf;
	return ((PFN_vkGetBufferDeviceAddress)fn)(dev, &info);
}
*/
import "C"

import (
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// subgroupShuffleBit is VK_SUBGROUP_FEATURE_SHUFFLE_BIT.
const subgroupShuffleBit = 0x10

// bufferShaderDeviceAddressBit is VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT,
// which vulkan-go (Vulkan 1.0) does not name.
const bufferShaderDeviceAddressBit = 0x00020000

// addressing fills in the Vulkan 1.1/1.2 capabilities that the
// gather kernels need; all stay zero on a Vulkan 1.0 instance or device.
func addressing(inst vk.Instance, pd vk.PhysicalDevice, instanceVersion, deviceVersion uint32, info *DeviceInfo) {
	if instanceVersion < vk.MakeVersion(1, 2, 0) || deviceVersion < vk.MakeVersion(1, 2, 0) {
		return
	}
	var size, ops C.uint32_t
	ci := *(*C.VkInstance)(unsafe.Pointer(&inst))
	cpd := *(*C.VkPhysicalDevice)(unsafe.Pointer(&pd))
	info.BufferAddress = C.addressing_support(ci, cpd, &size, &ops) != 0
	info.SubgroupSize = uint32(size)
	info.SubgroupShuffle = uint32(ops)&subgroupShuffleBit != 0
}

// addressFeatures returns the C-allocated pNext that enables
// bufferDeviceAddress at device creation; the caller frees it.
func addressFeatures() unsafe.Pointer { return C.address_features() }

func freeC(p unsafe.Pointer) { C.free(p) }

// enableAddresses looks up vkGetBufferDeviceAddress and prepares the memory
// allocation flags once the device exists.
func (d *Device) enableAddresses() bool {
	ci := *(*C.VkInstance)(unsafe.Pointer(&d.inst.inst))
	cd := *(*C.VkDevice)(unsafe.Pointer(&d.dev))
	fn := C.address_function(ci, cd)
	if fn == nil {
		return false
	}
	d.addressFn = fn
	d.allocFlags = C.address_alloc_flags()
	return true
}

// blockAddress is the device address of a block's buffer.
func (d *Device) blockAddress(buf vk.Buffer) uint64 {
	cd := *(*C.VkDevice)(unsafe.Pointer(&d.dev))
	cb := *(*C.VkBuffer)(unsafe.Pointer(&buf))
	return uint64(C.buffer_address(d.addressFn, cd, cb))
}

// Addresses reports whether buffers on this device have device addresses
// (Buffer.Address), which the gather kernels read through.
func (d *Device) Addresses() bool { return d.addressFn != nil }

// Address is the buffer's device address (GL_EXT_buffer_reference), or 0
// where the device has them off (Device.Addresses) or the buffer is freed.
func (b *Buffer) Address() uint64 {
	if b == nil || b.blk == nil || b.blk.addr == 0 { // nil or freed: Recorder.Add rejects the binding
		return 0
	}
	return b.blk.addr + b.span.off
}
