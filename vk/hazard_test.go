package vk

import "testing"

func TestNeedsBarrier(t *testing.T) {
	a, b := &block{}, &block{}
	buf := func(blk *block, off, size uint64) *Buffer { return &Buffer{blk: blk, span: span{off, size}} }
	x := buf(a, 0, 64)
	xHigh := buf(a, 64, 64) // adjacent to x, not overlapping
	xMid := buf(a, 32, 64)  // overlaps both
	y := buf(b, 0, 64)      // same offsets as x, other block
	cases := []struct {
		name    string
		pending []Access
		next    []Access
		want    bool
	}{
		{"read after write", []Access{Out(x)}, []Access{In(x)}, true},
		{"write after write", []Access{Out(x)}, []Access{Out(x)}, true},
		{"write after read", []Access{In(x)}, []Access{Out(x)}, true},
		{"read after read", []Access{In(x)}, []Access{In(x)}, false},
		{"adjacent ranges", []Access{Out(x)}, []Access{In(xHigh), Out(xHigh)}, false},
		{"partial overlap", []Access{Out(xHigh)}, []Access{In(xMid)}, true},
		{"other block", []Access{Out(x)}, []Access{In(y), Out(y)}, false},
		{"nothing pending", nil, []Access{In(x), Out(x)}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var h hazards
			h.record(c.pending, false)
			if got := h.needsBarrier(c.next); got != c.want {
				t.Errorf("needsBarrier = %v, want %v", got, c.want)
			}
		})
	}
}

func TestHazardsClearAtBarrier(t *testing.T) {
	blk := &block{}
	x := &Buffer{blk: blk, span: span{0, 16}}
	y := &Buffer{blk: blk, span: span{16, 16}}
	var h hazards
	h.record([]Access{Out(x)}, false)
	h.record([]Access{In(x), Out(y)}, true) // barrier placed: x's write is now visible
	if h.needsBarrier([]Access{In(x)}) {
		t.Error("a write before the last barrier still counts as pending")
	}
	if !h.needsBarrier([]Access{In(y)}) {
		t.Error("the write after the last barrier was forgotten")
	}
}
