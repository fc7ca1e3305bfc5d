package graph

import (
	"fmt"
	"sort"

	"bicycle-vk/vk"
)

// Seed is a loss to backpropagate with its weight: a phase minimises the
// weighted sum of its seeds.
type Seed struct {
	Loss   *Value
	Weight float32
}

// PhaseSpec says what one recorded phase does: backpropagate Seeds into
// the Train parameters (and whatever lies between), then step Optimizers.
// Keep names computed values to read after Run; seed losses are kept.
type PhaseSpec struct {
	Name       string
	Seeds      []Seed
	Train      []*Param
	Keep       []*Value
	Optimizers []*Adam
	Profile    bool // record per-dispatch timestamps
}

// Phase is a compiled, recorded phase: Run replays it.
type Phase struct {
	Name       string
	g          *Graph
	rec        *Rec
	store      map[*Value]*Tensor // computed values (roots) of this phase
	optimizers []*Adam
	// FLOPs counts the phase's convolution and linear work (multiply-add = 2).
	FLOPs float64
}

// slot is a device buffer that holds, one after another, activations and
// gradients whose lifetimes do not overlap (shared by every phase: phases
// run one after another).
type slot struct {
	floats int
	buf    *vk.Buffer
}

// interval is one tensor's lifetime in a phase's step order.
type interval struct {
	start, end int
	floats     int
	slot       int
	assign     func(*vk.Buffer) // called with the slot's buffer once allocated
}

// plan is a phase under construction.
type plan struct {
	spec      PhaseSpec
	fwd       []*node
	bwd       []*node // active in backward, in backward order
	train     map[*Param]bool
	reqGrad   map[*Value]bool
	gradNeed  map[*Value]bool
	intervals []*interval
	kept      map[*Value]bool
	phase     *Phase
	grads     map[*Value]*Tensor // gradient storage of computed values
}

// Compile plans and records the phases. Activations and intermediate
// gradients share slots by liveness, within and across phases (also those of
// earlier Compile calls, whose slots keep their size); parameters, their
// gradients and Adam moments are persistent. Phases run one at a time.
func (g *Graph) Compile(specs ...PhaseSpec) ([]*Phase, error) {
	if g.err != nil {
		return nil, g.err
	}
	plans := make([]*plan, len(specs))
	for i, s := range specs {
		p, err := g.planPhase(s)
		if err != nil {
			return nil, err
		}
		plans[i] = p
	}
	// Assign slots phase by phase: every slot is free when a phase starts.
	for _, p := range plans {
		sort.SliceStable(p.intervals, func(a, b int) bool { return p.intervals[a].start < p.intervals[b].start })
		busy := make([]int, len(g.slots))
		for i := range busy {
			busy[i] = -1
		}
		for _, iv := range p.intervals {
			best := -1
			for si, s := range g.slots {
				// A slot that already has a buffer (an earlier Compile's phases
				// hold it) cannot grow.
				if busy[si] >= iv.start || (s.buf != nil && s.floats < iv.floats) {
					continue
				}
				switch {
				case best < 0:
					best = si
				case s.floats >= iv.floats && (g.slots[best].floats < iv.floats || s.floats < g.slots[best].floats):
					best = si // smallest slot that fits
				case g.slots[best].floats < iv.floats && s.floats > g.slots[best].floats:
					best = si // else the largest, to grow
				}
			}
			if best < 0 {
				g.slots = append(g.slots, &slot{})
				busy = append(busy, -1)
				best = len(g.slots) - 1
			}
			if g.slots[best].floats < iv.floats {
				g.slots[best].floats = iv.floats
			}
			busy[best] = iv.end
			iv.slot = best
		}
	}
	for _, s := range g.slots {
		if s.buf == nil {
			buf, err := g.e.Dev.Alloc(uint64(4 * s.floats))
			if err != nil {
				return nil, fmt.Errorf("graph: activation memory: %w", err)
			}
			s.buf = buf
		}
	}
	phases := make([]*Phase, len(plans))
	for i, p := range plans {
		for _, iv := range p.intervals {
			iv.assign(g.slots[iv.slot].buf)
		}
		if err := g.record(p); err != nil {
			for _, ph := range phases[:i] {
				ph.Close()
			}
			return nil, err
		}
		phases[i] = p.phase
	}
	g.phases = append(g.phases, phases...)
	return phases, nil
}

func (g *Graph) planPhase(spec PhaseSpec) (*plan, error) {
	p := &plan{spec: spec, train: map[*Param]bool{}, reqGrad: map[*Value]bool{}, gradNeed: map[*Value]bool{},
		kept: map[*Value]bool{}, grads: map[*Value]*Tensor{},
		phase: &Phase{Name: spec.Name, g: g, store: map[*Value]*Tensor{}, optimizers: spec.Optimizers}}
	for _, t := range spec.Train {
		p.train[t] = true
	}
	seedOf := map[*node]bool{}
	for _, s := range spec.Seeds {
		if s.Loss == nil || s.Loss.src == nil || !s.Loss.src.loss || s.Loss.base != nil {
			return nil, fmt.Errorf("graph: phase %s: a seed is not a loss value", spec.Name)
		}
		seedOf[s.Loss.src] = true
		p.kept[s.Loss] = true
	}
	for _, k := range spec.Keep {
		if k.root().kind != kindComputed {
			return nil, fmt.Errorf("graph: phase %s: kept values must be computed", spec.Name)
		}
		p.kept[k.root()] = true
	}

	// Forward: every node the seeds and kept values depend on, in creation
	// (topological) order.
	need := map[*node]bool{}
	var stack []*Value
	for v := range p.kept {
		stack = append(stack, v)
	}
	for len(stack) > 0 {
		v := stack[len(stack)-1].root()
		stack = stack[:len(stack)-1]
		if v.kind == kindComputed && !need[v.src] {
			need[v.src] = true
			stack = append(stack, v.src.ins...)
		}
	}
	for _, n := range g.nodes {
		if need[n] {
			p.fwd = append(p.fwd, n)
		}
	}

	// requiresGrad: depends, through no Detach, on a trained parameter.
	for _, v := range g.values {
		switch {
		case v.base != nil:
			p.reqGrad[v] = false
		case v.kind == kindParam:
			p.reqGrad[v] = p.train[v.param]
		case v.kind == kindComputed:
			for _, in := range v.src.ins {
				if p.reqGrad[in] {
					p.reqGrad[v] = true
				}
			}
		}
	}
	// Backward: nodes whose output gradient is wanted, in reverse order.
	for i := len(p.fwd) - 1; i >= 0; i-- {
		n := p.fwd[i]
		if !(seedOf[n] || p.gradNeed[n.out]) || !p.reqGrad[n.out] {
			continue
		}
		p.bwd = append(p.bwd, n)
		for _, in := range n.ins {
			if p.reqGrad[in] {
				p.gradNeed[in] = true
			}
		}
	}
	for _, t := range spec.Train {
		if t.Grad == nil {
			grad, err := g.e.NewTensor(t.Value.Shape...)
			if err != nil {
				return nil, fmt.Errorf("graph: gradient of %s: %w", t.Name, err)
			}
			t.Grad = grad
		}
	}

	// Lifetimes. Forward step i is i; backward step j is len(fwd)+j.
	step := map[*node]int{}
	for i, n := range p.fwd {
		step[n] = i
	}
	last := map[*Value]int{}
	use := func(v *Value, s int) {
		v = v.root()
		if s > last[v] {
			last[v] = s
		}
	}
	for i, n := range p.fwd {
		for _, in := range n.ins {
			use(in, i)
		}
		use(n.out, i)
	}
	nf := len(p.fwd)
	gradFirst := map[*Value]int{}
	for j, n := range p.bwd {
		s := nf + j
		for _, in := range n.ins {
			use(in, s)
			if p.gradNeed[in] && in.kind == kindComputed {
				if _, ok := gradFirst[in]; !ok {
					gradFirst[in] = s
				}
			}
		}
		use(n.out, s)
	}
	for _, n := range p.fwd {
		v := n.out
		if p.kept[v] {
			t, err := g.e.NewTensor(v.Shape...)
			if err != nil {
				return nil, err
			}
			p.phase.store[v] = t
			g.auxes = append(g.auxes, t)
			continue
		}
		p.intervals = append(p.intervals, &interval{start: step[n], end: last[v], floats: v.Len(),
			assign: func(b *vk.Buffer) { p.phase.store[v] = &Tensor{Shape: v.Shape, Buf: b} }})
	}
	for j, n := range p.bwd {
		v := n.out
		if n.loss {
			continue
		}
		first, ok := gradFirst[v]
		if !ok {
			first = nf + j
		}
		p.intervals = append(p.intervals, &interval{start: first, end: nf + j, floats: v.Len(),
			assign: func(b *vk.Buffer) { p.grads[v] = &Tensor{Shape: v.Shape, Buf: b} }})
	}
	return p, nil
}

// tensorOf resolves a value's storage within a phase.
func (p *plan) tensorOf(v *Value) *Tensor {
	r := v.root()
	if r.kind == kindComputed {
		return p.phase.store[r]
	}
	return r.t
}

func (g *Graph) record(p *plan) error {
	ph := p.phase
	r := g.e.NewRec(p.spec.Profile)
	ph.rec = r
	for _, n := range p.fwd {
		in := make([]*Tensor, len(n.ins))
		for i, v := range n.ins {
			in[i] = p.tensorOf(v)
		}
		n.fwd(r, in, p.tensorOf(n.out), n.aux)
		ph.FLOPs += n.flops
	}
	contributed := map[*Value]bool{}
	seeds := map[*node]float32{}
	for _, s := range p.spec.Seeds {
		seeds[s.Loss.src] += s.Weight
	}
	for _, n := range p.bwd {
		uses := 0 // each unwanted gradient of one node gets its own scratch
		scratch := func(shape []int) *Tensor { uses++; return g.scratch(shape, uses) }
		c := &bwdCtx{r: r, in: make([]*Tensor, len(n.ins)), out: p.tensorOf(n.out), aux: n.aux,
			gin: make([]*Tensor, len(n.ins)), acc: make([]bool, len(n.ins)), scratch: scratch}
		if n.loss {
			c.seed = seeds[n]
		} else {
			c.gout = p.grads[n.out]
		}
		for i, v := range n.ins {
			c.in[i] = p.tensorOf(v)
			if !p.gradNeed[v] {
				continue
			}
			if v.kind == kindParam {
				c.gin[i] = v.param.Grad
			} else {
				c.gin[i] = p.grads[v]
			}
			c.acc[i] = contributed[v]
			contributed[v] = true
			if i < 2 {
				ph.FLOPs += n.flops
			}
		}
		n.bwd(c)
	}
	for _, o := range p.spec.Optimizers {
		for _, prm := range o.Params {
			if contributed[prm.Value] {
				r.Adam(prm.Data, prm.Grad, prm.m, prm.v, o.hyper)
			}
		}
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("graph: recording phase %s: %w", p.spec.Name, err)
	}
	return nil
}

// scratch returns a graph-owned tensor of the given shape whose contents
// nobody reads: the nth (from 1) scratch of that size, shared with other
// nodes' nth scratch.
func (g *Graph) scratch(shape []int, nth int) *Tensor {
	n := NumElements(shape)
	for _, t := range g.scratches {
		if t.Len() == n {
			if nth--; nth == 0 {
				return &Tensor{Shape: shape, Buf: t.Buf}
			}
		}
	}
	t, err := g.e.NewTensor(n)
	if err != nil {
		g.fail("scratch: %v", err)
		return nil
	}
	g.scratches = append(g.scratches, t)
	return &Tensor{Shape: shape, Buf: t.Buf}
}

// Run advances the phase's optimizers, replays the phase and waits for it.
func (p *Phase) Run() error {
	for _, o := range p.optimizers {
		if err := o.advance(); err != nil {
			return err
		}
	}
	return p.rec.Run()
}

// Tensor returns a computed value's storage in this phase: valid after Run
// for kept values and seed losses (others may be overwritten by later
// steps). Inputs and parameters return their own storage.
func (p *Phase) Tensor(v *Value) *Tensor {
	r := v.root()
	if r.kind != kindComputed {
		return r.t
	}
	return p.store[r]
}

// Read downloads a kept value after Run.
func (p *Phase) Read(v *Value) ([]float32, error) {
	t := p.Tensor(v)
	if t == nil {
		return nil, fmt.Errorf("graph: phase %s does not compute that value", p.Name)
	}
	return t.Download()
}

// Recorder exposes the phase's recording (timings, barrier counts).
func (p *Phase) Recorder() *vk.Recorder { return p.rec.Recorder() }

// Close releases the phase's recording.
func (p *Phase) Close() { p.rec.Close() }

// MemoryReport breaks down the device memory a graph holds.
type MemoryReport struct {
	Parameters, Gradients, AdamMoments, Activations, Other int64
}

// Total is the sum of the parts.
func (m MemoryReport) Total() int64 {
	return m.Parameters + m.Gradients + m.AdamMoments + m.Activations + m.Other
}

// Memory reports what the graph holds on the device after Compile: the peak,
// since nothing is allocated while phases run.
func (g *Graph) Memory() MemoryReport {
	var m MemoryReport
	size := func(t *Tensor) int64 {
		if t == nil || t.Buf == nil {
			return 0
		}
		return int64(t.Buf.Size())
	}
	for _, p := range g.params {
		m.Parameters += size(p.Data)
		m.Gradients += size(p.Grad)
		m.AdamMoments += size(p.m) + size(p.v)
	}
	for _, s := range g.slots {
		if s.buf != nil {
			m.Activations += int64(s.buf.Size())
		}
	}
	for _, v := range g.values {
		if v.kind == kindInput && v.base == nil {
			m.Other += size(v.t)
		}
	}
	for _, t := range append(g.auxes, g.scratches...) {
		m.Other += size(t)
	}
	return m
}
