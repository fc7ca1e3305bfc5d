package vk

import (
	"fmt"
	"os"
	"sync"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// Options choose and configure the device.
type Options struct {
	// Device is an index or a case-insensitive name substring; empty means
	// BICYCLE_VK_DEVICE, and if that is unset too, the preferred device.
	Device string
	// Validation enables VK_LAYER_KHRONOS_validation and collects its
	// messages (TakeValidationMessages). BICYCLE_VK_VALIDATION=1 turns it on too.
	Validation bool
	// ForceStaging keeps tensors in device-local memory and moves data
	// through a staging buffer even where memory is unified, so that the
	// discrete-GPU path can be tested on lavapipe.
	ForceStaging bool
	// NoAddresses leaves bufferDeviceAddress off even where the device has
	// it, so the engine falls back to its descriptor-only kernels.
	// BICYCLE_VK_NO_ADDRESSES=1 sets it too.
	NoAddresses bool
}

// Device is an open logical device with one compute queue.
type Device struct {
	Info DeviceInfo

	inst   *instance
	pd     vk.PhysicalDevice
	dev    vk.Device
	queue  vk.Queue
	family uint32
	mem    vk.PhysicalDeviceMemoryProperties

	// tensorFlags is the memory kind tensors live in: unified (mapped) or
	// device-local (staged).
	tensorFlags vk.MemoryPropertyFlags

	mu        sync.Mutex // guards blocks, staging, allocated and the one-shot pool
	blocks    []*block
	staging   *block
	allocated uint64

	// addressFn (vkGetBufferDeviceAddress) and allocFlags (a C
	// VkMemoryAllocateFlagsInfo) are set when buffer device addresses are on.
	addressFn, allocFlags unsafe.Pointer

	cmdPool vk.CommandPool
	fence   vk.Fence // for one-shot copies

	pipes pipelineCache
	dummy *Buffer // bound to the bindings a dispatch leaves unused

	recorders map[*Recorder]struct{} // open recorders, closed by Close
}

// Open creates a device as opts say. Close releases everything it made.
func Open(opts Options) (d *Device, err error) {
	withoutGC(func() { d, err = openDevice(opts) })
	return d, err
}

func openDevice(opts Options) (*Device, error) {
	if opts.Device == "" {
		opts.Device = os.Getenv("BICYCLE_VK_DEVICE")
	}
	if os.Getenv("BICYCLE_VK_VALIDATION") == "1" {
		opts.Validation = true
	}
	if os.Getenv("BICYCLE_VK_NO_ADDRESSES") == "1" {
		opts.NoAddresses = true
	}
	in, err := newInstance(opts.Validation)
	if err != nil {
		return nil, err
	}
	pds, err := in.physicalDevices()
	if err != nil {
		in.destroy()
		return nil, err
	}
	infos := make([]DeviceInfo, len(pds))
	for i, pd := range pds {
		infos[i] = describe(in, i, pd)
	}
	idx, err := chooseDevice(infos, opts.Device)
	if err != nil {
		in.destroy()
		return nil, err
	}
	d := &Device{Info: infos[idx], inst: in, pd: pds[idx], mem: memoryProperties(pds[idx])}
	if err := d.init(opts); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func (d *Device) init(opts Options) error {
	var n uint32
	vk.GetPhysicalDeviceQueueFamilyProperties(d.pd, &n, nil)
	fams := make([]vk.QueueFamilyProperties, n)
	vk.GetPhysicalDeviceQueueFamilyProperties(d.pd, &n, fams)
	found := false
	for i := range fams[:n] {
		fams[i].Deref()
		if fams[i].QueueFlags&vk.QueueFlags(vk.QueueComputeBit) != 0 {
			d.family, found = uint32(i), true
			if fams[i].TimestampValidBits == 0 {
				d.Info.Limits.Timestamps = false
			}
			break
		}
	}
	if !found {
		return fmt.Errorf("vk: device %q has no compute queue", d.Info.Name)
	}
	dci := vk.DeviceCreateInfo{
		SType:                vk.StructureTypeDeviceCreateInfo,
		QueueCreateInfoCount: 1,
		PQueueCreateInfos: []vk.DeviceQueueCreateInfo{{
			SType:            vk.StructureTypeDeviceQueueCreateInfo,
			QueueFamilyIndex: d.family,
			QueueCount:       1,
			PQueuePriorities: []float32{1},
		}},
	}
	addresses := d.Info.BufferAddress && !opts.NoAddresses
	if addresses {
		feats := addressFeatures()
		defer freeC(feats)
		dci.PNext = feats
	}
	// Handles go through locals: cgo rejects pointers into structs that hold Go pointers.
	var dev vk.Device
	if res := vk.CreateDevice(d.pd, &dci, nil, &dev); res != vk.Success {
		return fmt.Errorf("vk: creating a logical device on %q: %w", d.Info.Name, vk.Error(res))
	}
	d.dev = dev
	if addresses {
		d.enableAddresses()
	}
	var queue vk.Queue
	vk.GetDeviceQueue(d.dev, d.family, 0, &queue)
	d.queue = queue

	d.tensorFlags = deviceFlags
	if d.Info.UnifiedMemory && !opts.ForceStaging {
		d.tensorFlags = unifiedFlags
	}
	if opts.ForceStaging {
		d.Info.UnifiedMemory = false
	}
	pci := vk.CommandPoolCreateInfo{
		SType:            vk.StructureTypeCommandPoolCreateInfo,
		Flags:            vk.CommandPoolCreateFlags(vk.CommandPoolCreateResetCommandBufferBit),
		QueueFamilyIndex: d.family,
	}
	var pool vk.CommandPool
	if res := vk.CreateCommandPool(d.dev, &pci, nil, &pool); res != vk.Success {
		return fmt.Errorf("vk: creating a command pool: %w", vk.Error(res))
	}
	d.cmdPool = pool
	var err error
	if d.fence, err = d.newFence(); err != nil {
		return err
	}
	if err := d.pipes.init(d); err != nil {
		return err
	}
	d.dummy, err = d.Alloc(16)
	return err
}

func (d *Device) newFence() (vk.Fence, error) {
	var f vk.Fence
	fci := vk.FenceCreateInfo{SType: vk.StructureTypeFenceCreateInfo}
	if res := vk.CreateFence(d.dev, &fci, nil, &f); res != vk.Success {
		return f, fmt.Errorf("vk: creating a fence: %w", vk.Error(res))
	}
	return f, nil
}

func (d *Device) allocCommandBuffer() (vk.CommandBuffer, error) {
	cbs := make([]vk.CommandBuffer, 1)
	ai := vk.CommandBufferAllocateInfo{
		SType:              vk.StructureTypeCommandBufferAllocateInfo,
		CommandPool:        d.cmdPool,
		Level:              vk.CommandBufferLevelPrimary,
		CommandBufferCount: 1,
	}
	if res := vk.AllocateCommandBuffers(d.dev, &ai, cbs); res != vk.Success {
		return nil, fmt.Errorf("vk: allocating a command buffer: %w", vk.Error(res))
	}
	return cbs[0], nil
}

// fullBarrier makes every earlier write on the queue visible to every later
// access, host reads included. It brackets one-shot copies and recorded runs,
// so that work in separate submissions is ordered without per-buffer tracking.
func fullBarrier(cb vk.CommandBuffer) {
	all := vk.AccessFlags(vk.AccessShaderReadBit | vk.AccessShaderWriteBit | vk.AccessTransferReadBit |
		vk.AccessTransferWriteBit | vk.AccessHostReadBit | vk.AccessHostWriteBit)
	vk.CmdPipelineBarrier(cb,
		vk.PipelineStageFlags(vk.PipelineStageComputeShaderBit|vk.PipelineStageTransferBit|vk.PipelineStageHostBit),
		vk.PipelineStageFlags(vk.PipelineStageComputeShaderBit|vk.PipelineStageTransferBit|vk.PipelineStageHostBit),
		0, 1, []vk.MemoryBarrier{{SType: vk.StructureTypeMemoryBarrier, SrcAccessMask: all, DstAccessMask: all}},
		0, nil, 0, nil)
}

// submitWait submits one command buffer and blocks until it has finished.
func (d *Device) submitWait(cb vk.CommandBuffer, fence vk.Fence) (err error) {
	withoutGC(func() { err = d.submit(cb, fence) })
	if err != nil {
		return err
	}
	return d.wait(fence)
}

// submit queues one command buffer (vulkan-go converts the submit info,
// hence withoutGC in submitWait).
func (d *Device) submit(cb vk.CommandBuffer, fence vk.Fence) error {
	si := vk.SubmitInfo{
		SType:              vk.StructureTypeSubmitInfo,
		CommandBufferCount: 1,
		PCommandBuffers:    []vk.CommandBuffer{cb},
	}
	if res := vk.QueueSubmit(d.queue, 1, []vk.SubmitInfo{si}, fence); res != vk.Success {
		return fmt.Errorf("vk: queue submit: %w", vk.Error(res))
	}
	return nil
}

// wait blocks on a fence and resets it.
func (d *Device) wait(fence vk.Fence) error {
	fences := []vk.Fence{fence}
	if res := vk.WaitForFences(d.dev, 1, fences, vk.True, ^uint64(0)); res != vk.Success {
		return fmt.Errorf("vk: waiting for the device: %w", vk.Error(res))
	}
	if res := vk.ResetFences(d.dev, 1, fences); res != vk.Success {
		return fmt.Errorf("vk: resetting a fence: %w", vk.Error(res))
	}
	return nil
}

// oneShot records fn into a temporary command buffer, runs it and waits.
// The caller holds d.mu.
func (d *Device) oneShot(fn func(cb vk.CommandBuffer)) (err error) {
	withoutGC(func() { err = d.oneShotLocked(fn) })
	return err
}

func (d *Device) oneShotLocked(fn func(cb vk.CommandBuffer)) error {
	cb, err := d.allocCommandBuffer()
	if err != nil {
		return err
	}
	defer vk.FreeCommandBuffers(d.dev, d.cmdPool, 1, []vk.CommandBuffer{cb})
	bi := vk.CommandBufferBeginInfo{
		SType: vk.StructureTypeCommandBufferBeginInfo,
		Flags: vk.CommandBufferUsageFlags(vk.CommandBufferUsageOneTimeSubmitBit),
	}
	if res := vk.BeginCommandBuffer(cb, &bi); res != vk.Success {
		return fmt.Errorf("vk: begin command buffer: %w", vk.Error(res))
	}
	fullBarrier(cb)
	fn(cb)
	fullBarrier(cb)
	if res := vk.EndCommandBuffer(cb); res != vk.Success {
		return fmt.Errorf("vk: end command buffer: %w", vk.Error(res))
	}
	if err := d.submit(cb, d.fence); err != nil {
		return err
	}
	return d.wait(d.fence)
}

// WaitIdle blocks until the device has finished all submitted work.
func (d *Device) WaitIdle() {
	if d.dev != nil {
		vk.DeviceWaitIdle(d.dev)
	}
}

// Close waits for the device and destroys everything Open and later calls
// created. Buffers and recorders must not be used afterwards.
func (d *Device) Close() error {
	if d.dev != nil {
		vk.DeviceWaitIdle(d.dev)
		for r := range d.recorders {
			r.Close()
		}
		d.pipes.destroy(d)
		for _, b := range d.blocks {
			d.destroyBlock(b)
		}
		d.blocks = nil
		if d.staging != nil {
			d.destroyBlock(d.staging)
			d.staging = nil
		}
		if d.fence != vk.NullFence {
			vk.DestroyFence(d.dev, d.fence, nil)
		}
		if d.cmdPool != vk.NullCommandPool {
			vk.DestroyCommandPool(d.dev, d.cmdPool, nil)
		}
		vk.DestroyDevice(d.dev, nil)
		if d.allocFlags != nil {
			freeC(d.allocFlags)
			d.allocFlags, d.addressFn = nil, nil
		}
		d.dev = nil
	}
	if d.inst != nil {
		d.inst.destroy()
		d.inst = nil
	}
	return nil
}
