package graph

import (
	"fmt"

	"bicycle-vk/shaders"
	"bicycle-vk/vk"
)

// Engine binds the op library to one device: it loads shaders into cached
// pipelines and holds the per-device tuning of the convolution kernels.
type Engine struct {
	Dev  *vk.Device
	Tune Tuning
}

// NewEngine prepares the op library for dev, tuned for its kind.
func NewEngine(dev *vk.Device) *Engine {
	t := TuningFor(dev.Info)
	if !dev.Addresses() { // opened with vk.Options.NoAddresses
		t.GemmConv, t.GemmConvT, t.GemmWGrad, t.GemmFew, t.GemmRows, t.GemmRowsT, t.GemmSmallT =
			ConvTile{}, ConvTile{}, ConvTile{}, ConvTile{}, ConvTile{}, ConvTile{}, ConvTile{}
	}
	return &Engine{Dev: dev, Tune: t}
}

// kernel returns the pipeline of an embedded shader with the given
// specialization constants.
func (e *Engine) kernel(name string, spec ...uint32) (*vk.Kernel, error) {
	code, err := shaders.SPIRV(name)
	if err != nil {
		return nil, err
	}
	return e.Dev.Kernel(name, code, spec...)
}

// Rec records ops into one command buffer. The first error (a bad shape, a
// pipeline that failed to build) sticks: later ops are skipped and Run
// returns it, so that a block of op calls needs one error check.
type Rec struct {
	e   *Engine
	r   *vk.Recorder
	err error
}

// NewRec starts a recording; profile adds per-dispatch timestamps.
func (e *Engine) NewRec(profile bool) *Rec {
	return &Rec{e: e, r: e.Dev.NewRecorder(profile)}
}

// Err is the first error met while recording.
func (r *Rec) Err() error { return r.err }

// Recorder exposes the underlying recorder (barrier counts, timings).
func (r *Rec) Recorder() *vk.Recorder { return r.r }

// Run submits what was recorded and waits; replaying a recording needs only
// another Run.
func (r *Rec) Run() error {
	if r.err != nil {
		return r.err
	}
	return r.r.Run()
}

// Close releases the recording.
func (r *Rec) Close() { r.r.Close() }

// fail records the first error.
func (r *Rec) fail(op string, format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("graph: %s: %s", op, fmt.Sprintf(format, args...))
	}
}

// dispatch adds one shader dispatch unless an earlier op failed.
func (r *Rec) dispatch(op, shader string, spec []uint32, groups [3]uint32, push []byte, args ...vk.Access) {
	if r.err != nil {
		return
	}
	k, err := r.e.kernel(shader, spec...)
	if err != nil {
		r.err = fmt.Errorf("graph: %s: %w", op, err)
		return
	}
	if err := r.r.Add(vk.Dispatch{Kernel: k, Args: args, Push: push, Groups: groups, Label: op}); err != nil {
		r.err = fmt.Errorf("graph: %s: %w", op, err)
	}
}

// maxGroups caps 1-D grids; shaders loop over the rest (grid-stride).
const maxGroups = 65535

// groups1D is the grid for n items at per items per workgroup.
func groups1D(n, per int) [3]uint32 {
	g := (n + per - 1) / per
	if g > maxGroups {
		g = maxGroups
	}
	if g < 1 {
		g = 1
	}
	return [3]uint32{uint32(g), 1, 1}
}

// groups2D is a grid of at least ceil(n/per) workgroups for shaders without
// a grid-stride loop: rows of up to maxGroups, which such a shader numbers
// flat as y*gl_NumWorkGroups.x + x (the last row may run past n).
func groups2D(n, per int) [3]uint32 {
	g := max(1, ceilDiv(n, per))
	gx := min(g, maxGroups)
	return [3]uint32{uint32(gx), uint32(ceilDiv(g, gx)), 1}
}

// vec4Items is the number of invocations of a shader that takes n floats
// as n/4 vec4s plus the n%4 left over one at a time.
func vec4Items(n int) int { return n/4 + n%4 }

// boolSpec is a boolean specialization constant's value.
func boolSpec(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
