package vk

import (
	"fmt"
	"sort"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

const (
	unifiedFlags = vk.MemoryPropertyFlags(vk.MemoryPropertyDeviceLocalBit | vk.MemoryPropertyHostVisibleBit |
		vk.MemoryPropertyHostCoherentBit)
	deviceFlags  = vk.MemoryPropertyFlags(vk.MemoryPropertyDeviceLocalBit)
	stagingFlags = vk.MemoryPropertyFlags(vk.MemoryPropertyHostVisibleBit | vk.MemoryPropertyHostCoherentBit)

	// DefaultBlockSize is the size of the memory blocks tensors are
	// sub-allocated from; larger requests get a block of their own.
	DefaultBlockSize = 64 << 20
)

func memoryProperties(pd vk.PhysicalDevice) vk.PhysicalDeviceMemoryProperties {
	var mem vk.PhysicalDeviceMemoryProperties
	vk.GetPhysicalDeviceMemoryProperties(pd, &mem)
	mem.Deref()
	for i := range mem.MemoryTypes[:mem.MemoryTypeCount] {
		mem.MemoryTypes[i].Deref()
	}
	for i := range mem.MemoryHeaps[:mem.MemoryHeapCount] {
		mem.MemoryHeaps[i].Deref()
	}
	return mem
}

func findMemoryType(mem vk.PhysicalDeviceMemoryProperties, typeBits uint32, want vk.MemoryPropertyFlags) (uint32, bool) {
	for i := uint32(0); i < mem.MemoryTypeCount; i++ {
		if typeBits&(1<<i) != 0 && mem.MemoryTypes[i].PropertyFlags&want == want {
			return i, true
		}
	}
	return 0, false
}

// block is one VkDeviceMemory with one VkBuffer over all of it; tensors are
// ranges of it. Free ranges are kept sorted by offset and merged on release.
type block struct {
	mem    vk.DeviceMemory
	buf    vk.Buffer
	size   uint64
	mapped unsafe.Pointer // nil unless the memory is host-visible
	free   []span
	used   uint64
	bytes  uint64 // what was allocated from the heap (>= size)
	addr   uint64 // device address of buf, 0 where addresses are off
}

// span is a byte range [off, off+size) of a block.
type span struct{ off, size uint64 }

func (s span) end() uint64 { return s.off + s.size }

func (b *block) alloc(size, align uint64) (uint64, bool) {
	for i, f := range b.free {
		start := (f.off + align - 1) / align * align
		if start+size > f.end() {
			continue
		}
		// Split f into the part before start (alignment waste) and after.
		var rest []span
		if start > f.off {
			rest = append(rest, span{f.off, start - f.off})
		}
		if start+size < f.end() {
			rest = append(rest, span{start + size, f.end() - start - size})
		}
		b.free = append(b.free[:i], append(rest, b.free[i+1:]...)...)
		b.used += size
		return start, true
	}
	return 0, false
}

func (b *block) release(s span) {
	b.used -= s.size
	i := sort.Search(len(b.free), func(i int) bool { return b.free[i].off > s.off })
	b.free = append(b.free, span{})
	copy(b.free[i+1:], b.free[i:])
	b.free[i] = s
	// Merge with neighbours so that large tensors can reuse the space.
	if i+1 < len(b.free) && b.free[i].end() == b.free[i+1].off {
		b.free[i].size += b.free[i+1].size
		b.free = append(b.free[:i+1], b.free[i+2:]...)
	}
	if i > 0 && b.free[i-1].end() == b.free[i].off {
		b.free[i-1].size += b.free[i].size
		b.free = append(b.free[:i], b.free[i+1:]...)
	}
}

// Buffer is a range of device memory holding one tensor's data. Its size is
// a multiple of 4 bytes; shaders see it as a float or uint array.
type Buffer struct {
	blk  *block
	span span
	dev  *Device
}

// Size is the buffer's length in bytes.
func (b *Buffer) Size() uint64 { return b.span.size }

// Floats is the buffer's length in 4-byte words.
func (b *Buffer) Floats() int { return int(b.span.size / 4) }

func (d *Device) newBlock(size uint64, flags vk.MemoryPropertyFlags) (*block, error) {
	usage := vk.BufferUsageFlags(vk.BufferUsageStorageBufferBit | vk.BufferUsageTransferSrcBit |
		vk.BufferUsageTransferDstBit)
	if d.addressFn != nil {
		usage |= bufferShaderDeviceAddressBit
	}
	bci := vk.BufferCreateInfo{
		SType:       vk.StructureTypeBufferCreateInfo,
		Size:        vk.DeviceSize(size),
		Usage:       usage,
		SharingMode: vk.SharingModeExclusive,
	}
	var buf vk.Buffer
	if res := vk.CreateBuffer(d.dev, &bci, nil, &buf); res != vk.Success {
		return nil, fmt.Errorf("vk: creating a %d-byte buffer: %w", size, vk.Error(res))
	}
	var req vk.MemoryRequirements
	vk.GetBufferMemoryRequirements(d.dev, buf, &req)
	req.Deref()
	typ, ok := findMemoryType(d.mem, req.MemoryTypeBits, flags)
	if !ok {
		vk.DestroyBuffer(d.dev, buf, nil)
		return nil, fmt.Errorf("vk: device %q has no memory type with flags %#x for storage buffers", d.Info.Name, flags)
	}
	heap := d.mem.MemoryHeaps[d.mem.MemoryTypes[typ].HeapIndex]
	mai := vk.MemoryAllocateInfo{
		SType:           vk.StructureTypeMemoryAllocateInfo,
		AllocationSize:  req.Size,
		MemoryTypeIndex: typ,
		PNext:           d.allocFlags,
	}
	var mem vk.DeviceMemory
	if res := vk.AllocateMemory(d.dev, &mai, nil, &mem); res != vk.Success {
		vk.DestroyBuffer(d.dev, buf, nil)
		if res == vk.ErrorOutOfDeviceMemory || res == vk.ErrorOutOfHostMemory {
			return nil, fmt.Errorf("vk: out of device memory: asked for a %.1f MiB block with %.1f MiB already in use "+
				"on a %.1f GiB heap of %q; use smaller sizes (--img_size, widths) or another device",
				float64(req.Size)/(1<<20), float64(d.allocated)/(1<<20), float64(heap.Size)/(1<<30), d.Info.Name)
		}
		return nil, fmt.Errorf("vk: allocating %d bytes: %w", req.Size, vk.Error(res))
	}
	if res := vk.BindBufferMemory(d.dev, buf, mem, 0); res != vk.Success {
		vk.FreeMemory(d.dev, mem, nil)
		vk.DestroyBuffer(d.dev, buf, nil)
		return nil, fmt.Errorf("vk: binding buffer memory: %w", vk.Error(res))
	}
	b := &block{mem: mem, buf: buf, size: size, free: []span{{0, size}}, bytes: uint64(req.Size)}
	if d.addressFn != nil {
		b.addr = d.blockAddress(buf)
	}
	if flags&vk.MemoryPropertyFlags(vk.MemoryPropertyHostVisibleBit) != 0 {
		var mapped unsafe.Pointer
		if res := vk.MapMemory(d.dev, mem, 0, vk.DeviceSize(vk.WholeSize), 0, &mapped); res != vk.Success {
			vk.FreeMemory(d.dev, mem, nil)
			vk.DestroyBuffer(d.dev, buf, nil)
			return nil, fmt.Errorf("vk: mapping memory: %w", vk.Error(res))
		}
		b.mapped = mapped
	}
	d.allocated += uint64(req.Size)
	return b, nil
}

func (d *Device) destroyBlock(b *block) {
	if b.mapped != nil {
		vk.UnmapMemory(d.dev, b.mem)
	}
	vk.DestroyBuffer(d.dev, b.buf, nil)
	vk.FreeMemory(d.dev, b.mem, nil)
	d.allocated -= b.bytes
}

// Alloc returns a buffer of at least size bytes (rounded up to 4), carved
// from a shared block. Its contents are undefined until written.
func (d *Device) Alloc(size uint64) (*Buffer, error) {
	if size == 0 {
		size = 4
	}
	size = (size + 3) &^ 3
	if size > uint64(d.Info.Limits.MaxStorageBufferRange) {
		return nil, fmt.Errorf("vk: a %d-byte tensor exceeds the device's storage buffer range of %d bytes",
			size, d.Info.Limits.MaxStorageBufferRange)
	}
	align := d.Info.Limits.MinStorageBufferAlign
	if align < 16 {
		align = 16
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, b := range d.blocks {
		if off, ok := b.alloc(size, align); ok {
			return &Buffer{blk: b, span: span{off, size}, dev: d}, nil
		}
	}
	bsize := uint64(DefaultBlockSize)
	if size > bsize {
		bsize = size
	}
	var b *block
	var err error
	withoutGC(func() { b, err = d.newBlock(bsize, d.tensorFlags) })
	if err != nil {
		return nil, err
	}
	d.blocks = append(d.blocks, b)
	off, _ := b.alloc(size, align)
	return &Buffer{blk: b, span: span{off, size}, dev: d}, nil
}

// Free returns the buffer's range to its block. Blocks are kept until Close:
// the next network usually needs the same sizes again.
func (b *Buffer) Free() {
	if b == nil || b.blk == nil {
		return
	}
	b.dev.mu.Lock()
	b.blk.release(b.span)
	b.dev.mu.Unlock()
	b.blk = nil
}

// DeviceBytes reports how many bytes of device memory the blocks hold and how
// many of them are handed out to live buffers.
func (d *Device) DeviceBytes() (allocated, inUse uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, b := range d.blocks {
		inUse += b.used
	}
	return d.allocated, inUse
}

func floatBytes(f []float32) []byte {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*len(f))
}

// Write copies data into the buffer starting at its first element. It must
// not overlap a submitted run that is still executing.
func (b *Buffer) Write(data []float32) error { return b.WriteBytes(0, floatBytes(data)) }

// Read copies the buffer's first len(dst) elements into dst.
func (b *Buffer) Read(dst []float32) error { return b.ReadBytes(0, floatBytes(dst)) }

// WriteBytes copies src into the buffer at byte offset off.
func (b *Buffer) WriteBytes(off uint64, src []byte) error {
	if off+uint64(len(src)) > b.span.size {
		return fmt.Errorf("vk: write of %d bytes at %d overflows a %d-byte buffer", len(src), off, b.span.size)
	}
	if b.blk.mapped != nil {
		dst := unsafe.Slice((*byte)(unsafe.Add(b.blk.mapped, b.span.off+off)), len(src))
		copy(dst, src)
		return nil
	}
	return b.dev.staged(b, off, src, true)
}

// ReadBytes fills dst from the buffer at byte offset off.
func (b *Buffer) ReadBytes(off uint64, dst []byte) error {
	if off+uint64(len(dst)) > b.span.size {
		return fmt.Errorf("vk: read of %d bytes at %d overflows a %d-byte buffer", len(dst), off, b.span.size)
	}
	if b.blk.mapped != nil {
		src := unsafe.Slice((*byte)(unsafe.Add(b.blk.mapped, b.span.off+off)), len(dst))
		copy(dst, src)
		return nil
	}
	return b.dev.staged(b, off, dst, false)
}

// staged moves data between host memory and a device-local buffer through a
// host-visible staging block and a one-shot copy, for devices without
// unified memory.
func (d *Device) staged(b *Buffer, off uint64, data []byte, toDevice bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := uint64(len(data))
	if n == 0 {
		return nil
	}
	if d.staging == nil || d.staging.size < n {
		if d.staging != nil {
			d.destroyBlock(d.staging)
			d.staging = nil
		}
		size := uint64(DefaultBlockSize)
		for size < n {
			size *= 2
		}
		s, err := d.newBlock(size, stagingFlags)
		if err != nil {
			return err
		}
		d.staging = s
	}
	host := unsafe.Slice((*byte)(d.staging.mapped), n)
	if toDevice {
		copy(host, data)
	}
	region := vk.BufferCopy{Size: vk.DeviceSize(n)}
	src, dst := d.staging.buf, b.blk.buf
	if toDevice {
		region.DstOffset = vk.DeviceSize(b.span.off + off)
	} else {
		region.SrcOffset = vk.DeviceSize(b.span.off + off)
		src, dst = dst, src
	}
	err := d.oneShot(func(cb vk.CommandBuffer) {
		vk.CmdCopyBuffer(cb, src, dst, 1, []vk.BufferCopy{region})
	})
	if err != nil {
		return err
	}
	if !toDevice {
		copy(data, host)
	}
	return nil
}
