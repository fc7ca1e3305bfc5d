package vk

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// installHint is appended to loader and driver errors: the fix is always a
// package install, so say which.
const installHint = "install a Vulkan loader and driver, e.g. on Debian/Ubuntu: " +
	"apt-get install libvulkan1 libvulkan-dev mesa-vulkan-drivers " +
	"(mesa-vulkan-drivers provides lavapipe, a CPU driver; on Debian 12 take it from bookworm-backports, see README)"

const validationLayer = "VK_LAYER_KHRONOS_validation"

var (
	loaderOnce sync.Once
	loaderErr  error
)

// loadLoader dlopens libvulkan.so once per process; vulkan-go keeps global
// function pointers, so a second load would be both useless and unsafe.
func loadLoader() error {
	loaderOnce.Do(func() {
		if err := vk.SetDefaultGetInstanceProcAddr(); err != nil {
			loaderErr = fmt.Errorf("vk: no Vulkan loader (libvulkan.so) could be loaded: %s", installHint)
			return
		}
		if err := vk.Init(); err != nil {
			loaderErr = fmt.Errorf("vk: Vulkan loader failed to initialise (%v): %s", err, installHint)
		}
	})
	return loaderErr
}

// validationSink collects messages from the validation layer. vulkan-go
// accepts a single Go callback per process, so every instance shares it.
var validationSink struct {
	sync.Mutex
	msgs []string
}

func debugCallback(flags vk.DebugReportFlags, objectType vk.DebugReportObjectType, object uint64,
	location uint, messageCode int32, pLayerPrefix string, pMessage string, pUserData unsafe.Pointer) vk.Bool32 {
	validationSink.Lock()
	validationSink.msgs = append(validationSink.msgs, fmt.Sprintf("[%s] %s", pLayerPrefix, pMessage))
	validationSink.Unlock()
	return vk.False
}

// TakeValidationMessages returns the validation-layer errors and warnings
// reported since the last call and forgets them. Tests treat any as failure.
func TakeValidationMessages() []string {
	validationSink.Lock()
	defer validationSink.Unlock()
	m := validationSink.msgs
	validationSink.msgs = nil
	return m
}

func layerAvailable(name string) bool {
	var n uint32
	if vk.EnumerateInstanceLayerProperties(&n, nil) != vk.Success || n == 0 {
		return false
	}
	props := make([]vk.LayerProperties, n)
	if vk.EnumerateInstanceLayerProperties(&n, props) != vk.Success {
		return false
	}
	for i := range props[:n] {
		props[i].Deref()
		if vk.ToString(props[i].LayerName[:]) == name {
			return true
		}
	}
	return false
}

// instance owns a VkInstance and, with validation, its debug callback.
type instance struct {
	inst     vk.Instance
	version  uint32 // the API version the instance was created with
	callback vk.DebugReportCallback
}

func newInstance(validation bool) (*instance, error) {
	if err := loadLoader(); err != nil {
		return nil, err
	}
	app := vk.ApplicationInfo{
		SType:              vk.StructureTypeApplicationInfo,
		PApplicationName:   "bicycle-vk\x00",
		ApplicationVersion: vk.MakeVersion(0, 1, 0),
		PEngineName:        "bicycle-vk\x00",
		EngineVersion:      vk.MakeVersion(0, 1, 0),
		ApiVersion:         min(loaderVersion(), vk.MakeVersion(1, 2, 0)),
	}
	ci := vk.InstanceCreateInfo{
		SType:            vk.StructureTypeInstanceCreateInfo,
		PApplicationInfo: &app,
	}
	if validation {
		if !layerAvailable(validationLayer) {
			return nil, errors.New("vk: validation requested but " + validationLayer +
				" is not installed: apt-get install vulkan-validationlayers")
		}
		ci.EnabledLayerCount = 1
		ci.PpEnabledLayerNames = []string{validationLayer + "\x00"}
		ci.EnabledExtensionCount = 1
		ci.PpEnabledExtensionNames = []string{"VK_EXT_debug_report\x00"}
	}
	var inst vk.Instance
	if res := vk.CreateInstance(&ci, nil, &inst); res != vk.Success {
		if res == vk.ErrorIncompatibleDriver {
			return nil, fmt.Errorf("vk: no Vulkan driver is installed (VK_ERROR_INCOMPATIBLE_DRIVER): %s", installHint)
		}
		return nil, fmt.Errorf("vk: vkCreateInstance: %w; %s", vk.Error(res), installHint)
	}
	if err := vk.InitInstance(inst); err != nil {
		vk.DestroyInstance(inst, nil)
		return nil, fmt.Errorf("vk: loading instance functions: %w", err)
	}
	in := &instance{inst: inst, version: app.ApiVersion}
	if validation {
		dci := vk.DebugReportCallbackCreateInfo{
			SType: vk.StructureTypeDebugReportCallbackCreateInfo,
			Flags: vk.DebugReportFlags(vk.DebugReportErrorBit | vk.DebugReportWarningBit |
				vk.DebugReportPerformanceWarningBit),
			PfnCallback: debugCallback,
		}
		if res := vk.CreateDebugReportCallback(inst, &dci, nil, &in.callback); res != vk.Success {
			vk.DestroyInstance(inst, nil)
			return nil, fmt.Errorf("vk: creating the validation callback: %w", vk.Error(res))
		}
	}
	return in, nil
}

func (in *instance) physicalDevices() ([]vk.PhysicalDevice, error) {
	var n uint32
	if res := vk.EnumeratePhysicalDevices(in.inst, &n, nil); res != vk.Success {
		return nil, fmt.Errorf("vk: enumerating devices: %w", vk.Error(res))
	}
	if n == 0 {
		return nil, fmt.Errorf("vk: the Vulkan loader found no device: %s", installHint)
	}
	pds := make([]vk.PhysicalDevice, n)
	if res := vk.EnumeratePhysicalDevices(in.inst, &n, pds); res != vk.Success {
		return nil, fmt.Errorf("vk: enumerating devices: %w", vk.Error(res))
	}
	return pds[:n], nil
}

func (in *instance) destroy() {
	if in.callback != vk.NullDebugReportCallback {
		vk.DestroyDebugReportCallback(in.inst, in.callback, nil)
	}
	vk.DestroyInstance(in.inst, nil)
}
