// loader.h: the Vulkan loader's vkGetInstanceProcAddr, for the Vulkan 1.1+
// calls vulkan-go (Vulkan 1.0 only) does not wrap. Included by the cgo
// preambles of driver.go and address.go.
#ifndef BICYCLE_VK_LOADER_H
#define BICYCLE_VK_LOADER_H

#include <dlfcn.h>
#include <string.h>
#include <vulkan/vulkan.h>

static PFN_vkGetInstanceProcAddr loader_gipa(void) {
	void *lib = dlopen("libvulkan.so", RTLD_NOW | RTLD_LOCAL);
	if (!lib) lib = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!lib) return NULL;
	return (PFN_vkGetInstanceProcAddr)dlsym(lib, "vkGetInstanceProcAddr");
}

// loader_properties2 fills the property structs chained at next (each with
// its sType set) through vkGetPhysicalDeviceProperties2; 0 where the loader
// or the call is missing.
static int loader_properties2(VkInstance inst, VkPhysicalDevice pd, void *next) {
	PFN_vkGetInstanceProcAddr gipa = loader_gipa();
	if (!gipa) return 0;
	PFN_vkGetPhysicalDeviceProperties2 props2 =
		(PFN_vkGetPhysicalDeviceProperties2)gipa(inst, "vkGetPhysicalDeviceProperties2");
	if (!props2) return 0;
	VkPhysicalDeviceProperties2 p2;
	memset(&p2, 0, sizeof p2);
	p2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
	p2.pNext = next;
	props2(pd, &p2);
	return 1;
}

// loader_features2 is loader_properties2 for vkGetPhysicalDeviceFeatures2.
static int loader_features2(VkInstance inst, VkPhysicalDevice pd, void *next) {
	PFN_vkGetInstanceProcAddr gipa = loader_gipa();
	if (!gipa) return 0;
	PFN_vkGetPhysicalDeviceFeatures2 feats2 =
		(PFN_vkGetPhysicalDeviceFeatures2)gipa(inst, "vkGetPhysicalDeviceFeatures2");
	if (!feats2) return 0;
	VkPhysicalDeviceFeatures2 f2;
	memset(&f2, 0, sizeof f2);
	f2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
	f2.pNext = next;
	feats2(pd, &f2);
	return 1;
}

#endif
