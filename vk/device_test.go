package vk

import (
	"fmt"
	"os"
	"testing"

	vkapi "github.com/vulkan-go/vulkan"

	"bicycle-vk/shaders"
)

// open opens the default device (validation as BICYCLE_VK_VALIDATION says)
// and fails the test on any validation message.
func open(t *testing.T, opts Options) *Device {
	t.Helper()
	TakeValidationMessages()
	d, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.Close()
		if msgs := TakeValidationMessages(); len(msgs) > 0 {
			t.Errorf("validation layer: %d message(s), first: %s", len(msgs), msgs[0])
		}
	})
	return d
}

// scaleKernel is unary.comp's SCALE mode: y (+)= alpha*x.
func scaleKernel(t *testing.T, d *Device) *Kernel {
	code, err := shaders.SPIRV("unary")
	if err != nil {
		t.Fatal(err)
	}
	k, err := d.Kernel("unary", code, 4)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func scale(k *Kernel, y, x *Buffer, alpha float32, acc bool) Dispatch {
	n := x.Floats()
	return Dispatch{Kernel: k, Args: []Access{In(x), In(x), Out(y)}, Push: Push(n, alpha, acc),
		Groups: [3]uint32{uint32((n + 255) / 256), 1, 1}}
}

func filled(t *testing.T, d *Device, n int, v float32) *Buffer {
	t.Helper()
	b, err := d.Alloc(uint64(4 * n))
	if err != nil {
		t.Fatal(err)
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = v
	}
	if err := b.Write(data); err != nil {
		t.Fatal(err)
	}
	return b
}

func expectAll(t *testing.T, b *Buffer, want float32) {
	t.Helper()
	got := make([]float32, b.Floats())
	if err := b.Read(got); err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != want {
			t.Fatalf("element %d = %v, want %v", i, v, want)
		}
	}
}

// TestDependentChain records x1 = 2*x0, x2 = 3*x1, x3 = x3 + 5*x2 (read
// after write, and a read-modify-write) and then overwrites x0 (write after
// read): each dispatch must wait for the one before it.
func TestDependentChain(t *testing.T) {
	for _, staging := range []bool{false, true} {
		t.Run(fmt.Sprintf("staging=%v", staging), func(t *testing.T) {
			d := open(t, Options{ForceStaging: staging})
			k := scaleKernel(t, d)
			const n = 1 << 20
			x0, x1, x2, x3 := filled(t, d, n, 1), filled(t, d, n, 0), filled(t, d, n, 0), filled(t, d, n, 10)
			r := d.NewRecorder(false)
			defer r.Close()
			for _, ds := range []Dispatch{scale(k, x1, x0, 2, false), scale(k, x2, x1, 3, false),
				scale(k, x3, x2, 5, true), scale(k, x0, x3, 0.5, false)} {
				if err := r.Add(ds); err != nil {
					t.Fatal(err)
				}
			}
			want := []bool{false, true, true, true}
			for i, w := range want {
				if r.BarrierBefore(i) != w {
					t.Errorf("barrier before dispatch %d = %v, want %v", i, r.BarrierBefore(i), w)
				}
			}
			if err := r.Run(); err != nil {
				t.Fatal(err)
			}
			expectAll(t, x1, 2)
			expectAll(t, x2, 6)
			expectAll(t, x3, 40)
			expectAll(t, x0, 20)
		})
	}
}

// TestIndependentChains interleaves two chains that share no buffer: the
// second chain's dispatches need no barrier of their own.
func TestIndependentChains(t *testing.T) {
	d := open(t, Options{})
	k := scaleKernel(t, d)
	const n = 4096
	a0, a1, a2 := filled(t, d, n, 1), filled(t, d, n, 0), filled(t, d, n, 0)
	b0, b1, b2 := filled(t, d, n, 2), filled(t, d, n, 0), filled(t, d, n, 0)
	r := d.NewRecorder(true)
	defer r.Close()
	for _, ds := range []Dispatch{scale(k, a1, a0, 3, false), scale(k, b1, b0, 5, false),
		scale(k, a2, a1, 7, false), scale(k, b2, b1, 11, false)} {
		if err := r.Add(ds); err != nil {
			t.Fatal(err)
		}
	}
	// a2 waits for a1; b1 and b2 ride along: b2's input b1 was written before
	// that barrier.
	want := []bool{false, false, true, false}
	for i, w := range want {
		if r.BarrierBefore(i) != w {
			t.Errorf("barrier before dispatch %d = %v, want %v", i, r.BarrierBefore(i), w)
		}
	}
	if r.Barriers() != 1 {
		t.Errorf("%d barriers, want 1", r.Barriers())
	}
	if err := r.Run(); err != nil {
		t.Fatal(err)
	}
	expectAll(t, a2, 21)
	expectAll(t, b2, 110)
	if d.Info.Limits.Timestamps {
		ts, err := r.Timings()
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != 4 {
			t.Fatalf("%d timings, want 4", len(ts))
		}
	}
}

// TestReplay runs one recording three times: a captured phase.
func TestReplay(t *testing.T) {
	d := open(t, Options{})
	k := scaleKernel(t, d)
	x := filled(t, d, 1000, 1)
	r := d.NewRecorder(false)
	defer r.Close()
	if err := r.Add(scale(k, x, x, 2, false)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := r.Run(); err != nil {
			t.Fatal(err)
		}
	}
	expectAll(t, x, 8)
	// Host writes between runs are seen by the next run.
	if err := x.Write(make([]float32, 1000)); err != nil {
		t.Fatal(err)
	}
	if err := r.Run(); err != nil {
		t.Fatal(err)
	}
	expectAll(t, x, 0)
}

func TestBadDispatches(t *testing.T) {
	d := open(t, Options{})
	k := scaleKernel(t, d)
	x := filled(t, d, 4, 1)
	freed := filled(t, d, 4, 1)
	freed.Free()
	r := d.NewRecorder(false)
	defer r.Close()
	cases := map[string]Dispatch{
		"no kernel":     {Args: []Access{In(x)}, Groups: [3]uint32{1, 1, 1}},
		"zero groups":   {Kernel: k, Args: []Access{In(x)}},
		"freed buffer":  {Kernel: k, Args: []Access{In(freed)}, Groups: [3]uint32{1, 1, 1}},
		"too many args": {Kernel: k, Args: make([]Access, MaxBindings+1), Groups: [3]uint32{1, 1, 1}},
		"big push":      {Kernel: k, Args: []Access{In(x)}, Push: make([]byte, PushConstantBytes+4), Groups: [3]uint32{1, 1, 1}},
	}
	for name, ds := range cases {
		if err := r.Add(ds); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := d.Alloc(uint64(d.Info.Limits.MaxStorageBufferRange) + 4); err == nil {
		t.Error("a buffer over maxStorageBufferRange was accepted")
	}
	if _, err := d.Kernel("junk", []byte{1, 2, 3, 4}); err == nil {
		t.Error("non-SPIR-V accepted")
	}
}

func TestDeviceSelection(t *testing.T) {
	infos, err := ListDevices()
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) == 0 {
		t.Fatal("no devices listed")
	}
	d := open(t, Options{Device: "0"})
	if d.Info.Name != infos[0].Name {
		t.Errorf("device 0 is %q, listed as %q", d.Info.Name, infos[0].Name)
	}
	if _, err := Open(Options{Device: "no such device anywhere"}); err == nil {
		t.Error("a selector matching nothing was accepted")
	}
}

// TestValidationReports proves the validation plumbing works: a
// deliberately invalid call must produce a message. Without
// BICYCLE_VK_VALIDATION=1 there is no layer to ask.
func TestValidationReports(t *testing.T) {
	if os.Getenv("BICYCLE_VK_VALIDATION") != "1" {
		t.Skip("validation layer not enabled (BICYCLE_VK_VALIDATION=1)")
	}
	d, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	TakeValidationMessages()
	var f vkapi.Fence
	// Wrong sType on purpose.
	ci := vkapi.FenceCreateInfo{SType: vkapi.StructureTypeBufferCreateInfo}
	if vkapi.CreateFence(d.dev, &ci, nil, &f) == vkapi.Success {
		vkapi.DestroyFence(d.dev, f, nil)
	}
	if msgs := TakeValidationMessages(); len(msgs) == 0 {
		t.Error("an invalid sType produced no validation message")
	}
}

// TestBufferAddresses checks the device addresses the gather kernels read
// through: where the device has them, buffers sub-allocated from one block
// sit at the block's address plus their offset; NoAddresses turns them off.
func TestBufferAddresses(t *testing.T) {
	d := open(t, Options{})
	if !d.Info.BufferAddress {
		if d.Addresses() {
			t.Error("addresses on for a device without bufferDeviceAddress")
		}
		t.Skip("device has no bufferDeviceAddress")
	}
	if !d.Addresses() {
		t.Fatal("device has bufferDeviceAddress but addresses are off")
	}
	a, b := filled(t, d, 100, 1), filled(t, d, 100, 2)
	if a.blk != b.blk {
		t.Fatal("two small buffers landed in different blocks")
	}
	if a.Address() == 0 || b.Address()-a.Address() != b.span.off-a.span.off {
		t.Errorf("addresses %#x and %#x for offsets %d and %d", a.Address(), b.Address(), a.span.off, b.span.off)
	}
	off := open(t, Options{NoAddresses: true})
	if off.Addresses() || filled(t, off, 4, 0).Address() != 0 {
		t.Error("NoAddresses left addresses on")
	}
}
