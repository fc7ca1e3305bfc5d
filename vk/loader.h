// loader.h: the Vulkan loader's vkGetInstanceProcAddr, for the Vulkan 1.1+
// calls vulkan-go (Vulkan 1.0 only) does not wrap. Included by the cgo
// preambles of driver.go and address.go.
#ifndef BICYCLE_VK_LOADER_H
#define BICYCLE_VK_LOADER_H

#include <dlfcn.h>
#include <vulkan/vulkan.h>

static PFN_vkGetInstanceProcAddr loader_gipa(void) {
	void *lib = dlopen("libvulkan.so", RTLD_NOW | RTLD_LOCAL);
	if (!lib) lib = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!lib) return NULL;
	return (PFN_vkGetInstanceProcAddr)dlsym(lib, "vkGetInstanceProcAddr");
}

#endif
