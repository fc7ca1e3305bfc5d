package vk

import "testing"

func TestBlockAllocFreeMerge(t *testing.T) {
	b := &block{size: 1024, free: []span{{0, 1024}}}
	o1, ok1 := b.alloc(100, 64)
	o2, ok2 := b.alloc(100, 64)
	o3, ok3 := b.alloc(700, 64)
	if !ok1 || !ok2 || !ok3 || o1 != 0 || o2 != 128 || o3 != 256 {
		t.Fatalf("offsets %d %d %d (%v %v %v), want 0 128 256", o1, o2, o3, ok1, ok2, ok3)
	}
	if _, ok := b.alloc(200, 64); ok {
		t.Fatal("allocated past the end of the block")
	}
	b.release(span{o2, 100})
	b.release(span{o1, 100})
	// 0..228 is free again, merged: 200 bytes fit at offset 0.
	if o, ok := b.alloc(200, 64); !ok || o != 0 {
		t.Fatalf("after merge: offset %d ok %v, want 0 true", o, ok)
	}
	b.release(span{0, 200})
	b.release(span{o3, 700})
	if len(b.free) != 1 || b.free[0] != (span{0, 1024}) || b.used != 0 {
		t.Fatalf("everything released: free %v used %d, want one span of 1024", b.free, b.used)
	}
}

func TestChooseDevice(t *testing.T) {
	infos := []DeviceInfo{
		{Index: 0, Name: "llvmpipe (LLVM 15.0.6, 256 bits)", Type: CPU},
		{Index: 1, Name: "Intel(R) UHD Graphics 620", Type: Integrated},
		{Index: 2, Name: "NVIDIA H200", Type: Discrete},
		{Index: 3, Name: "Virtio-GPU Venus", Type: Virtual},
	}
	cases := []struct {
		sel     string
		infos   []DeviceInfo
		want    int
		wantErr bool
	}{
		{"", infos, 2, false},
		{"", infos[:2], 1, false},
		{"", []DeviceInfo{infos[0], infos[3]}, 3, false},
		{"0", infos, 0, false},
		{"llvmpipe", infos, 0, false},
		{"h200", infos, 2, false},
		{"7", infos, 0, true},
		{"radeon", infos, 0, true},
	}
	for _, c := range cases {
		got, err := chooseDevice(c.infos, c.sel)
		if (err != nil) != c.wantErr || (!c.wantErr && got != c.want) {
			t.Errorf("chooseDevice(%q) = %d, %v; want %d, error %v", c.sel, got, err, c.want, c.wantErr)
		}
	}
}

func TestPush(t *testing.T) {
	b := Push(1, -2, float32(1.5), true, uint32(7))
	want := []byte{1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0, 0, 0xc0, 0x3f, 1, 0, 0, 0, 7, 0, 0, 0}
	if string(b) != string(want) {
		t.Errorf("Push = %v, want %v", b, want)
	}
}

func TestPushAddress(t *testing.T) {
	b := Push(uint64(0x0102030405060708), 3)
	want := []byte{8, 7, 6, 5, 4, 3, 2, 1, 3, 0, 0, 0}
	if string(b) != string(want) {
		t.Errorf("Push = %v, want %v", b, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("Push of a uint64 at a 4-byte offset did not panic")
		}
	}()
	Push(1, uint64(2))
}
