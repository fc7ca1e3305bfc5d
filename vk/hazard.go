package vk

// Access is one buffer a dispatch binds, and whether it may write it. Binding
// i of the shader is Args[i] of the dispatch.
type Access struct {
	Buf   *Buffer
	Write bool
}

// In is a buffer the dispatch only reads.
func In(b *Buffer) Access { return Access{Buf: b} }

// Out is a buffer the dispatch writes (or reads and writes).
func Out(b *Buffer) Access { return Access{Buf: b, Write: true} }

// region is a byte range of one memory block.
type region struct {
	blk *block
	span
}

func (a region) overlaps(b region) bool {
	return a.blk == b.blk && a.off < b.end() && b.off < a.end()
}

// hazards holds what the dispatches recorded since the last barrier read and
// wrote. A new dispatch needs a barrier before it exactly when it reads a
// range written since the barrier (read after write), or writes a range read
// or written since the barrier (write after read, write after write).
// Dispatches that touch disjoint data run with no barrier between them.
type hazards struct {
	reads, writes []region
}

func regionOf(a Access) region { return region{a.Buf.blk, a.Buf.span} }

func anyOverlap(rs []region, r region) bool {
	for _, x := range rs {
		if x.overlaps(r) {
			return true
		}
	}
	return false
}

// needsBarrier reports whether a dispatch with these accesses must wait for
// the dispatches recorded since the last barrier.
func (h *hazards) needsBarrier(args []Access) bool {
	for _, a := range args {
		r := regionOf(a)
		if anyOverlap(h.writes, r) || (a.Write && anyOverlap(h.reads, r)) {
			return true
		}
	}
	return false
}

// record notes a dispatch's accesses, first clearing them if a barrier was
// placed before it.
func (h *hazards) record(args []Access, barrier bool) {
	if barrier {
		h.reads, h.writes = h.reads[:0], h.writes[:0]
	}
	for _, a := range args {
		if a.Write {
			h.writes = append(h.writes, regionOf(a))
		} else {
			h.reads = append(h.reads, regionOf(a))
		}
	}
}
