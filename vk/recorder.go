package vk

import (
	"errors"
	"fmt"
	"time"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// Dispatch is one compute shader invocation grid with its buffers and push
// constants.
type Dispatch struct {
	Kernel *Kernel
	Args   []Access // binding i is Args[i]; at most MaxBindings
	Push   []byte   // at most PushConstantBytes, see Push
	Groups [3]uint32
	Label  string // what profiles group the dispatch under (the op's name)
}

// Timing is the GPU time of one recorded dispatch.
type Timing struct {
	Label  string
	Kernel string
	Ns     float64
}

// Recorder collects dispatches and turns them into one command buffer with a
// barrier exactly where a dispatch depends on an earlier one (see hazards).
// The command buffer is built on the first Run and replayed by later Runs, so
// a recorded phase costs one submit and one fence wait per Run.
type Recorder struct {
	dev      *Device
	ops      []Dispatch
	barrier  []bool // barrier[i]: a barrier precedes ops[i]
	hz       hazards
	profile  bool
	built    bool
	cb       vk.CommandBuffer
	fence    vk.Fence
	descPool vk.DescriptorPool
	queries  vk.QueryPool
	closed   bool
	lastRun  time.Duration // wall time of the last Run's submit and wait
}

// NewRecorder starts an empty recording. With profile, Run also records a
// timestamp around every dispatch (if the device supports timestamps).
func (d *Device) NewRecorder(profile bool) *Recorder {
	r := &Recorder{dev: d, profile: profile && d.Info.Limits.Timestamps}
	d.mu.Lock()
	if d.recorders == nil {
		d.recorders = map[*Recorder]struct{}{}
	}
	d.recorders[r] = struct{}{}
	d.mu.Unlock()
	return r
}

// Add appends a dispatch. Its buffers must stay allocated while the
// recorder is used. Adding to a recorder that already ran rebuilds its
// command buffer on the next Run.
func (r *Recorder) Add(ds Dispatch) error {
	if r.closed {
		return errors.New("vk: Add on a closed recorder")
	}
	if ds.Kernel == nil {
		return errors.New("vk: dispatch without a kernel")
	}
	if len(ds.Args) > MaxBindings {
		return fmt.Errorf("vk: %s binds %d buffers, at most %d", ds.Kernel, len(ds.Args), MaxBindings)
	}
	if len(ds.Push) > PushConstantBytes {
		return fmt.Errorf("vk: %s pushes %d bytes, at most %d", ds.Kernel, len(ds.Push), PushConstantBytes)
	}
	lim := r.dev.Info.Limits.MaxWorkGroupCount
	for i, g := range ds.Groups {
		if g == 0 || g > lim[i] {
			return fmt.Errorf("vk: %s dispatch of %v workgroups: each count must be 1..%v", ds.Kernel, ds.Groups, lim)
		}
	}
	for i, a := range ds.Args {
		if a.Buf == nil || a.Buf.blk == nil {
			return fmt.Errorf("vk: %s binding %d is a nil or freed buffer", ds.Kernel, i)
		}
	}
	ds.Args = append([]Access(nil), ds.Args...)
	ds.Push = append([]byte(nil), ds.Push...)
	b := r.hz.needsBarrier(ds.Args)
	r.hz.record(ds.Args, b)
	r.ops = append(r.ops, ds)
	r.barrier = append(r.barrier, b)
	if r.built {
		r.release()
	}
	return nil
}

// Len is the number of recorded dispatches.
func (r *Recorder) Len() int { return len(r.ops) }

// Barriers is the number of barriers between recorded dispatches.
func (r *Recorder) Barriers() int {
	n := 0
	for _, b := range r.barrier {
		if b {
			n++
		}
	}
	return n
}

// BarrierBefore reports whether dispatch i waits for the ones before it.
func (r *Recorder) BarrierBefore(i int) bool { return r.barrier[i] }

// Run submits the recording and waits for it to finish.
func (r *Recorder) Run() error {
	if r.closed {
		return errors.New("vk: Run on a closed recorder")
	}
	if len(r.ops) == 0 {
		return nil
	}
	if !r.built {
		var err error
		withoutGC(func() { err = r.build() })
		if err != nil {
			r.release()
			return err
		}
	}
	start := time.Now()
	err := r.dev.submitWait(r.cb, r.fence)
	r.lastRun = time.Since(start)
	return err
}

// LastRunTime is the wall time the last Run spent submitting and waiting
// for the device: the dispatches plus what the driver does around them.
func (r *Recorder) LastRunTime() time.Duration { return r.lastRun }

func (r *Recorder) build() error {
	d := r.dev
	n := uint32(len(r.ops))
	var err error
	if r.cb, err = d.allocCommandBuffer(); err != nil {
		return err
	}
	if r.fence, err = d.newFence(); err != nil {
		return err
	}
	pci := vk.DescriptorPoolCreateInfo{
		SType:         vk.StructureTypeDescriptorPoolCreateInfo,
		MaxSets:       n,
		PoolSizeCount: 1,
		PPoolSizes:    []vk.DescriptorPoolSize{{Type: vk.DescriptorTypeStorageBuffer, DescriptorCount: n * MaxBindings}},
	}
	var descPool vk.DescriptorPool
	if res := vk.CreateDescriptorPool(d.dev, &pci, nil, &descPool); res != vk.Success {
		return fmt.Errorf("vk: creating a descriptor pool for %d dispatches: %w", n, vk.Error(res))
	}
	r.descPool = descPool
	layouts := make([]vk.DescriptorSetLayout, n)
	for i := range layouts {
		layouts[i] = d.pipes.setLayout
	}
	sets := make([]vk.DescriptorSet, n)
	ai := vk.DescriptorSetAllocateInfo{
		SType:              vk.StructureTypeDescriptorSetAllocateInfo,
		DescriptorPool:     r.descPool,
		DescriptorSetCount: n,
		PSetLayouts:        layouts,
	}
	if res := vk.AllocateDescriptorSets(d.dev, &ai, &sets[0]); res != vk.Success {
		return fmt.Errorf("vk: allocating %d descriptor sets: %w", n, vk.Error(res))
	}
	writes := make([]vk.WriteDescriptorSet, 0, int(n)*MaxBindings)
	for i, op := range r.ops {
		for b := 0; b < MaxBindings; b++ {
			buf := d.dummy
			if b < len(op.Args) {
				buf = op.Args[b].Buf
			}
			writes = append(writes, vk.WriteDescriptorSet{
				SType:           vk.StructureTypeWriteDescriptorSet,
				DstSet:          sets[i],
				DstBinding:      uint32(b),
				DescriptorCount: 1,
				DescriptorType:  vk.DescriptorTypeStorageBuffer,
				PBufferInfo: []vk.DescriptorBufferInfo{{
					Buffer: buf.blk.buf,
					Offset: vk.DeviceSize(buf.span.off),
					Range:  vk.DeviceSize(buf.span.size),
				}},
			})
		}
	}
	vk.UpdateDescriptorSets(d.dev, uint32(len(writes)), writes, 0, nil)

	if r.profile {
		qci := vk.QueryPoolCreateInfo{
			SType:      vk.StructureTypeQueryPoolCreateInfo,
			QueryType:  vk.QueryTypeTimestamp,
			QueryCount: 2 * n,
		}
		var queries vk.QueryPool
		if res := vk.CreateQueryPool(d.dev, &qci, nil, &queries); res != vk.Success {
			return fmt.Errorf("vk: creating a timestamp query pool: %w", vk.Error(res))
		}
		r.queries = queries
	}

	bi := vk.CommandBufferBeginInfo{SType: vk.StructureTypeCommandBufferBeginInfo}
	if res := vk.BeginCommandBuffer(r.cb, &bi); res != vk.Success {
		return fmt.Errorf("vk: begin command buffer: %w", vk.Error(res))
	}
	if r.profile {
		vk.CmdResetQueryPool(r.cb, r.queries, 0, 2*n)
	}
	fullBarrier(r.cb)
	layout := d.pipes.layout
	var bound vk.Pipeline
	for i, op := range r.ops {
		if r.barrier[i] {
			computeBarrier(r.cb)
		}
		if r.profile {
			vk.CmdWriteTimestamp(r.cb, vk.PipelineStageBottomOfPipeBit, r.queries, uint32(2*i))
		}
		if op.Kernel.pipe != bound {
			vk.CmdBindPipeline(r.cb, vk.PipelineBindPointCompute, op.Kernel.pipe)
			bound = op.Kernel.pipe
		}
		vk.CmdBindDescriptorSets(r.cb, vk.PipelineBindPointCompute, layout, 0, 1, sets[i:i+1], 0, nil)
		if len(op.Push) > 0 {
			push := make([]byte, (len(op.Push)+3)&^3)
			copy(push, op.Push)
			vk.CmdPushConstants(r.cb, layout, vk.ShaderStageFlags(vk.ShaderStageComputeBit), 0,
				uint32(len(push)), unsafe.Pointer(&push[0]))
		}
		vk.CmdDispatch(r.cb, op.Groups[0], op.Groups[1], op.Groups[2])
		if r.profile {
			vk.CmdWriteTimestamp(r.cb, vk.PipelineStageBottomOfPipeBit, r.queries, uint32(2*i+1))
		}
	}
	fullBarrier(r.cb)
	if res := vk.EndCommandBuffer(r.cb); res != vk.Success {
		return fmt.Errorf("vk: end command buffer: %w", vk.Error(res))
	}
	r.built = true
	return nil
}

// computeBarrier orders a dispatch after the ones before it and makes their
// writes visible to it.
func computeBarrier(cb vk.CommandBuffer) {
	vk.CmdPipelineBarrier(cb,
		vk.PipelineStageFlags(vk.PipelineStageComputeShaderBit),
		vk.PipelineStageFlags(vk.PipelineStageComputeShaderBit),
		0, 1, []vk.MemoryBarrier{{
			SType:         vk.StructureTypeMemoryBarrier,
			SrcAccessMask: vk.AccessFlags(vk.AccessShaderWriteBit),
			DstAccessMask: vk.AccessFlags(vk.AccessShaderReadBit | vk.AccessShaderWriteBit),
		}}, 0, nil, 0, nil)
}

// Timings returns each dispatch's GPU time from the last Run of a profiling
// recorder, in recording order.
func (r *Recorder) Timings() ([]Timing, error) {
	if !r.profile {
		return nil, errors.New("vk: recorder was not created with profiling, or the device has no timestamps")
	}
	if !r.built {
		return nil, errors.New("vk: Timings before Run")
	}
	n := 2 * len(r.ops)
	ts := make([]uint64, n)
	res := vk.GetQueryPoolResults(r.dev.dev, r.queries, 0, uint32(n), uint(8*n), unsafe.Pointer(&ts[0]), 8,
		vk.QueryResultFlags(vk.QueryResult64Bit|vk.QueryResultWaitBit))
	if res != vk.Success {
		return nil, fmt.Errorf("vk: reading timestamps: %w", vk.Error(res))
	}
	period := float64(r.dev.Info.Limits.TimestampPeriodNs)
	out := make([]Timing, len(r.ops))
	for i, op := range r.ops {
		out[i] = Timing{Label: op.Label, Kernel: op.Kernel.String(), Ns: float64(ts[2*i+1]-ts[2*i]) * period}
	}
	return out, nil
}

// release frees the built command buffer and its descriptor sets, keeping
// the recorded dispatches.
func (r *Recorder) release() {
	d := r.dev
	if r.cb != nil {
		vk.FreeCommandBuffers(d.dev, d.cmdPool, 1, []vk.CommandBuffer{r.cb})
		r.cb = nil
	}
	if r.fence != vk.NullFence {
		vk.DestroyFence(d.dev, r.fence, nil)
		r.fence = vk.NullFence
	}
	if r.descPool != vk.NullDescriptorPool {
		vk.DestroyDescriptorPool(d.dev, r.descPool, nil)
		r.descPool = vk.NullDescriptorPool
	}
	if r.queries != vk.NullQueryPool {
		vk.DestroyQueryPool(d.dev, r.queries, nil)
		r.queries = vk.NullQueryPool
	}
	r.built = false
}

// Reset forgets every dispatch so the recorder can record anew.
func (r *Recorder) Reset() {
	r.release()
	r.ops, r.barrier = r.ops[:0], r.barrier[:0]
	r.hz = hazards{}
}

// Close releases the recorder's Vulkan objects. It is safe to call twice.
func (r *Recorder) Close() {
	if r.closed {
		return
	}
	r.release()
	r.closed = true
	r.dev.mu.Lock()
	delete(r.dev.recorders, r)
	r.dev.mu.Unlock()
}
