package vk

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

const (
	// MaxBindings is the number of storage buffers in the one descriptor-set
	// layout every op shader shares: binding i is Dispatch.Args[i].
	MaxBindings = 8
	// PushConstantBytes is the push-constant block every shader may use; 128
	// bytes is the minimum every Vulkan device guarantees.
	PushConstantBytes = 128
)

// Kernel is a compute pipeline: one shader with one set of specialization
// constants. Kernels are cached by the device and live until Close.
type Kernel struct {
	Name string
	Spec []uint32
	pipe vk.Pipeline
}

// pipelineCache builds each (shader, constants) pipeline once.
type pipelineCache struct {
	setLayout vk.DescriptorSetLayout
	layout    vk.PipelineLayout
	modules   map[string]vk.ShaderModule
	kernels   map[string]*Kernel
}

func (c *pipelineCache) init(d *Device) error {
	c.modules = map[string]vk.ShaderModule{}
	c.kernels = map[string]*Kernel{}
	bindings := make([]vk.DescriptorSetLayoutBinding, MaxBindings)
	for i := range bindings {
		bindings[i] = vk.DescriptorSetLayoutBinding{
			Binding:         uint32(i),
			DescriptorType:  vk.DescriptorTypeStorageBuffer,
			DescriptorCount: 1,
			StageFlags:      vk.ShaderStageFlags(vk.ShaderStageComputeBit),
		}
	}
	lci := vk.DescriptorSetLayoutCreateInfo{
		SType:        vk.StructureTypeDescriptorSetLayoutCreateInfo,
		BindingCount: MaxBindings,
		PBindings:    bindings,
	}
	var setLayout vk.DescriptorSetLayout
	if res := vk.CreateDescriptorSetLayout(d.dev, &lci, nil, &setLayout); res != vk.Success {
		return fmt.Errorf("vk: creating the descriptor set layout: %w", vk.Error(res))
	}
	c.setLayout = setLayout
	pci := vk.PipelineLayoutCreateInfo{
		SType:                  vk.StructureTypePipelineLayoutCreateInfo,
		SetLayoutCount:         1,
		PSetLayouts:            []vk.DescriptorSetLayout{c.setLayout},
		PushConstantRangeCount: 1,
		PPushConstantRanges: []vk.PushConstantRange{{
			StageFlags: vk.ShaderStageFlags(vk.ShaderStageComputeBit),
			Size:       PushConstantBytes,
		}},
	}
	var layout vk.PipelineLayout
	if res := vk.CreatePipelineLayout(d.dev, &pci, nil, &layout); res != vk.Success {
		return fmt.Errorf("vk: creating the pipeline layout: %w", vk.Error(res))
	}
	c.layout = layout
	return nil
}

func (c *pipelineCache) destroy(d *Device) {
	for _, k := range c.kernels {
		vk.DestroyPipeline(d.dev, k.pipe, nil)
	}
	for _, m := range c.modules {
		vk.DestroyShaderModule(d.dev, m, nil)
	}
	if c.layout != vk.NullPipelineLayout {
		vk.DestroyPipelineLayout(d.dev, c.layout, nil)
	}
	if c.setLayout != vk.NullDescriptorSetLayout {
		vk.DestroyDescriptorSetLayout(d.dev, c.setLayout, nil)
	}
	c.kernels, c.modules = nil, nil
}

// Kernel returns the pipeline for the named SPIR-V module with the given
// specialization constants (constant_id i takes spec[i], as 32-bit words).
// The first call per (name, spec) compiles; later calls hit the cache.
func (d *Device) Kernel(name string, spirv []byte, spec ...uint32) (k *Kernel, err error) {
	withoutGC(func() { k, err = d.kernel(name, spirv, spec) })
	return k, err
}

func (d *Device) kernel(name string, spirv []byte, spec []uint32) (*Kernel, error) {
	key := fmt.Sprint(name, spec)
	d.mu.Lock()
	defer d.mu.Unlock()
	c := &d.pipes
	if k, ok := c.kernels[key]; ok {
		return k, nil
	}
	mod, ok := c.modules[name]
	if !ok {
		if len(spirv) == 0 || len(spirv)%4 != 0 || binary.LittleEndian.Uint32(spirv) != 0x07230203 {
			return nil, fmt.Errorf("vk: shader %q is not SPIR-V (%d bytes); rebuild it with ./build.sh", name, len(spirv))
		}
		words := make([]uint32, len(spirv)/4)
		for i := range words {
			words[i] = binary.LittleEndian.Uint32(spirv[4*i:])
		}
		mci := vk.ShaderModuleCreateInfo{
			SType:    vk.StructureTypeShaderModuleCreateInfo,
			CodeSize: uint(len(spirv)),
			PCode:    words,
		}
		if res := vk.CreateShaderModule(d.dev, &mci, nil, &mod); res != vk.Success {
			return nil, fmt.Errorf("vk: creating shader module %q: %w", name, vk.Error(res))
		}
		c.modules[name] = mod
	}
	var pin runtime.Pinner
	defer pin.Unpin()
	stage := vk.PipelineShaderStageCreateInfo{
		SType:  vk.StructureTypePipelineShaderStageCreateInfo,
		Stage:  vk.ShaderStageComputeBit,
		Module: mod,
		PName:  "main\x00",
	}
	if len(spec) > 0 {
		entries := make([]vk.SpecializationMapEntry, len(spec))
		for i := range spec {
			entries[i] = vk.SpecializationMapEntry{ConstantID: uint32(i), Offset: uint32(4 * i), Size: 4}
		}
		data := append([]uint32(nil), spec...)
		pin.Pin(&data[0])
		stage.PSpecializationInfo = []vk.SpecializationInfo{{
			MapEntryCount: uint32(len(spec)),
			PMapEntries:   entries,
			DataSize:      uint(4 * len(spec)),
			PData:         unsafe.Pointer(&data[0]),
		}}
	}
	cpi := vk.ComputePipelineCreateInfo{
		SType:  vk.StructureTypeComputePipelineCreateInfo,
		Stage:  stage,
		Layout: c.layout,
	}
	pipes := make([]vk.Pipeline, 1)
	if res := vk.CreateComputePipelines(d.dev, vk.NullPipelineCache, 1, []vk.ComputePipelineCreateInfo{cpi}, nil, pipes); res != vk.Success {
		return nil, fmt.Errorf("vk: compiling pipeline %s: %w", key, vk.Error(res))
	}
	k := &Kernel{Name: name, Spec: append([]uint32(nil), spec...), pipe: pipes[0]}
	c.kernels[key] = k
	return k, nil
}

// String names the kernel with its constants, as profiles print it.
func (k *Kernel) String() string {
	if len(k.Spec) == 0 {
		return k.Name
	}
	s := make([]string, len(k.Spec))
	for i, v := range k.Spec {
		s[i] = fmt.Sprint(v)
	}
	return k.Name + "<" + strings.Join(s, ",") + ">"
}
