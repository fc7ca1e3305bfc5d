package vk

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	vk "github.com/vulkan-go/vulkan"
)

// DeviceType orders devices by preference: lower is better.
type DeviceType int

// Device types in order of preference (ncnn's order: discrete GPUs first, CPUs last).
const (
	Discrete DeviceType = iota
	Integrated
	Virtual
	CPU
	Other
)

func (t DeviceType) String() string {
	return [...]string{"discrete GPU", "integrated GPU", "virtual GPU", "CPU", "other"}[t]
}

func deviceType(t vk.PhysicalDeviceType) DeviceType {
	switch t {
	case vk.PhysicalDeviceTypeDiscreteGpu:
		return Discrete
	case vk.PhysicalDeviceTypeIntegratedGpu:
		return Integrated
	case vk.PhysicalDeviceTypeVirtualGpu:
		return Virtual
	case vk.PhysicalDeviceTypeCpu:
		return CPU
	}
	return Other
}

// MemoryHeap is one of the device's memory heaps.
type MemoryHeap struct {
	Size        uint64
	DeviceLocal bool
}

// Limits are the device limits that decide how compute work is shaped.
type Limits struct {
	MaxSharedMemory         uint32
	MaxWorkGroupInvocations uint32
	MaxWorkGroupSize        [3]uint32
	MaxWorkGroupCount       [3]uint32
	MaxStorageBufferRange   uint32
	MinStorageBufferAlign   uint64
	MaxPushConstantsSize    uint32
	TimestampPeriodNs       float32
	Timestamps              bool
}

// DeviceInfo describes one physical device as `bicycle-vk devices` lists it.
type DeviceInfo struct {
	Index      int
	Name       string
	Type       DeviceType
	VendorID   uint32
	Vendor     string
	Driver     string // driver version decoded the vendor's way
	APIVersion string
	Heaps      []MemoryHeap
	Limits     Limits
	// UnifiedMemory is true where a device-local memory type is also
	// host-visible and coherent and the device is a CPU or integrated GPU, so
	// tensors can be mapped instead of staged.
	UnifiedMemory bool
	// BufferAddress: the device offers bufferDeviceAddress (Vulkan 1.2), so
	// shaders can read tensors through GL_EXT_buffer_reference pointers.
	BufferAddress bool
	// SubgroupSize and SubgroupShuffle: the compute subgroup width and whether
	// subgroupShuffle is supported (Vulkan 1.1); 0 and false if unknown.
	SubgroupSize    uint32
	SubgroupShuffle bool
}

func vendorName(id uint32) string {
	switch id {
	case 0x10de:
		return "NVIDIA"
	case 0x1002:
		return "AMD"
	case 0x8086:
		return "Intel"
	case 0x13b5:
		return "ARM"
	case 0x5143:
		return "Qualcomm"
	case 0x106b:
		return "Apple"
	case 0x10005:
		return "Mesa"
	}
	return fmt.Sprintf("0x%04x", id)
}

// driverVersion decodes driverVersion, whose packing is vendor-defined.
func driverVersion(vendor, v uint32) string {
	if vendor == 0x10de {
		return fmt.Sprintf("%d.%d.%d.%d", v>>22, (v>>14)&0xff, (v>>6)&0xff, v&0x3f)
	}
	return fmt.Sprintf("%d.%d.%d", v>>22, (v>>12)&0x3ff, v&0xfff)
}

func apiVersion(v uint32) string {
	return fmt.Sprintf("%d.%d.%d", v>>22, (v>>12)&0x3ff, v&0xfff)
}

func describe(in *instance, index int, pd vk.PhysicalDevice) DeviceInfo {
	var props vk.PhysicalDeviceProperties
	vk.GetPhysicalDeviceProperties(pd, &props)
	props.Deref()
	props.Limits.Deref()
	l := props.Limits
	info := DeviceInfo{
		Index:      index,
		Name:       vk.ToString(props.DeviceName[:]),
		Type:       deviceType(props.DeviceType),
		VendorID:   props.VendorID,
		Vendor:     vendorName(props.VendorID),
		Driver:     driverName(in.inst, pd, in.version, props.ApiVersion),
		APIVersion: apiVersion(props.ApiVersion),
		Limits: Limits{
			MaxSharedMemory:         l.MaxComputeSharedMemorySize,
			MaxWorkGroupInvocations: l.MaxComputeWorkGroupInvocations,
			MaxWorkGroupSize:        l.MaxComputeWorkGroupSize,
			MaxWorkGroupCount:       l.MaxComputeWorkGroupCount,
			MaxStorageBufferRange:   l.MaxStorageBufferRange,
			MinStorageBufferAlign:   uint64(l.MinStorageBufferOffsetAlignment),
			MaxPushConstantsSize:    l.MaxPushConstantsSize,
			TimestampPeriodNs:       l.TimestampPeriod,
			Timestamps:              l.TimestampComputeAndGraphics == vk.True,
		},
	}
	addressing(in.inst, pd, in.version, props.ApiVersion, &info)
	if info.Driver == "" {
		info.Driver = "version " + driverVersion(props.VendorID, props.DriverVersion)
	}
	mem := memoryProperties(pd)
	for i := uint32(0); i < mem.MemoryHeapCount; i++ {
		h := mem.MemoryHeaps[i]
		info.Heaps = append(info.Heaps, MemoryHeap{
			Size:        uint64(h.Size),
			DeviceLocal: h.Flags&vk.MemoryHeapFlags(vk.MemoryHeapDeviceLocalBit) != 0,
		})
	}
	if info.Type == CPU || info.Type == Integrated {
		_, info.UnifiedMemory = findMemoryType(mem, ^uint32(0), unifiedFlags)
	}
	return info
}

// Describe prints the device the way `bicycle-vk devices` shows it.
func (d DeviceInfo) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%d] %s\n", d.Index, d.Name)
	fmt.Fprintf(&b, "    type %s, vendor %s, driver %s, Vulkan %s\n", d.Type, d.Vendor, d.Driver, d.APIVersion)
	for i, h := range d.Heaps {
		kind := "host"
		if h.DeviceLocal {
			kind = "device-local"
		}
		fmt.Fprintf(&b, "    heap %d: %.1f GiB %s\n", i, float64(h.Size)/(1<<30), kind)
	}
	l := d.Limits
	fmt.Fprintf(&b, "    shared memory %d B, workgroup %d invocations (max %v), workgroup count %v\n",
		l.MaxSharedMemory, l.MaxWorkGroupInvocations, l.MaxWorkGroupSize, l.MaxWorkGroupCount)
	fmt.Fprintf(&b, "    storage buffer range %d MiB, offset alignment %d B, push constants %d B, timestamps %v\n",
		l.MaxStorageBufferRange>>20, l.MinStorageBufferAlign, l.MaxPushConstantsSize, l.Timestamps)
	fmt.Fprintf(&b, "    subgroup %d lanes, shuffle %v, buffer device addresses %v\n",
		d.SubgroupSize, d.SubgroupShuffle, d.BufferAddress)
	if d.UnifiedMemory {
		b.WriteString("    memory: unified (tensors mapped directly)\n")
	} else {
		b.WriteString("    memory: discrete (staging copies)\n")
	}
	return b.String()
}

// ListDevices returns every Vulkan device the loader sees, in enumeration order.
func ListDevices() (infos []DeviceInfo, err error) {
	withoutGC(func() { infos, err = listDevices() })
	return infos, err
}

func listDevices() ([]DeviceInfo, error) {
	in, err := newInstance(false)
	if err != nil {
		return nil, err
	}
	defer in.destroy()
	pds, err := in.physicalDevices()
	if err != nil {
		return nil, err
	}
	infos := make([]DeviceInfo, len(pds))
	for i, pd := range pds {
		infos[i] = describe(in, i, pd)
	}
	return infos, nil
}

// chooseDevice picks by selector (an index or a case-insensitive name
// substring) or, with an empty selector, by preference order: discrete,
// integrated, virtual, CPU; ties keep enumeration order.
func chooseDevice(infos []DeviceInfo, selector string) (int, error) {
	if selector != "" {
		if i, err := strconv.Atoi(selector); err == nil {
			if i < 0 || i >= len(infos) {
				return 0, fmt.Errorf("vk: device index %d out of range: %d device(s), see `bicycle-vk devices`", i, len(infos))
			}
			return i, nil
		}
		for _, d := range infos {
			if strings.Contains(strings.ToLower(d.Name), strings.ToLower(selector)) {
				return d.Index, nil
			}
		}
		names := make([]string, len(infos))
		for i, d := range infos {
			names[i] = fmt.Sprintf("[%d] %s", d.Index, d.Name)
		}
		return 0, fmt.Errorf("vk: no device matches %q; devices: %s", selector, strings.Join(names, ", "))
	}
	order := make([]DeviceInfo, len(infos))
	copy(order, infos)
	sort.SliceStable(order, func(a, b int) bool { return order[a].Type < order[b].Type })
	return order[0].Index, nil
}
