package vk

/*
#cgo LDFLAGS: -ldl
#include <string.h>
#include "loader.h"

// driver_properties asks VkPhysicalDeviceDriverProperties (Vulkan 1.2) for
// the driver's name and version string. vulkan-go wraps Vulkan 1.0 only, so
// this goes through the loader's vkGetInstanceProcAddr directly.
static int driver_properties(VkInstance inst, VkPhysicalDevice pd, char *name, char *info) {
	VkPhysicalDeviceDriverProperties dp;
	memset(&dp, 0, sizeof dp);
	dp.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES;
	if (!loader_properties2(inst, pd, &dp)) return 0;
	memcpy(name, dp.driverName, VK_MAX_DRIVER_NAME_SIZE);
	memcpy(info, dp.driverInfo, VK_MAX_DRIVER_INFO_SIZE);
	return 1;
}

// loader_version is vkEnumerateInstanceVersion, or 1.0 for a 1.0 loader.
static uint32_t loader_version(void) {
	PFN_vkGetInstanceProcAddr gipa = loader_gipa();
	if (!gipa) return VK_API_VERSION_1_0;
	PFN_vkEnumerateInstanceVersion env = (PFN_vkEnumerateInstanceVersion)gipa(NULL, "vkEnumerateInstanceVersion");
	uint32_t v = VK_API_VERSION_1_0;
	if (env && env(&v) != VK_SUCCESS) v = VK_API_VERSION_1_0;
	return v;
}
*/
import "C"

import (
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// loaderVersion is the highest Vulkan version the loader supports.
func loaderVersion() uint32 { return uint32(C.loader_version()) }

// driverName returns the driver's own name and version ("llvmpipe",
// "Mesa 25.0.7") where the instance and device speak Vulkan 1.2, else "".
func driverName(inst vk.Instance, pd vk.PhysicalDevice, instanceVersion, deviceVersion uint32) string {
	if instanceVersion < vk.MakeVersion(1, 2, 0) || deviceVersion < vk.MakeVersion(1, 2, 0) {
		return ""
	}
	var name [C.VK_MAX_DRIVER_NAME_SIZE]C.char
	var info [C.VK_MAX_DRIVER_INFO_SIZE]C.char
	ci := *(*C.VkInstance)(unsafe.Pointer(&inst))
	cpd := *(*C.VkPhysicalDevice)(unsafe.Pointer(&pd))
	if C.driver_properties(ci, cpd, &name[0], &info[0]) == 0 {
		return ""
	}
	n, i := C.GoString(&name[0]), C.GoString(&info[0])
	if i == "" {
		return n
	}
	return n + " (" + i + ")"
}
