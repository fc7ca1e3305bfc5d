package graph

import (
	"fmt"
)

// Graph is a static network of ops over inputs, parameters and other
// values. It is built once; Compile turns chosen losses and parameters into
// recorded phases (forward, reverse-mode backward, optimizer steps) that are
// replayed every iteration.
type Graph struct {
	e         *Engine
	values    []*Value
	nodes     []*node
	params    []*Param
	err       error
	slots     []*slot   // activation storage shared by every compiled phase
	auxes     []*Tensor // per-node saved statistics and kept outputs, owned by the graph
	scratches []*Tensor
	phases    []*Phase // compiled phases, closed with the graph
}

// NewGraph starts an empty graph on e.
func (e *Engine) NewGraph() *Graph { return &Graph{e: e} }

type valueKind int

const (
	kindInput valueKind = iota
	kindParam
	kindComputed
)

// Value is a tensor-valued point of the graph: an input, a parameter, or
// the output of an op.
type Value struct {
	Shape []int
	g     *Graph
	id    int
	kind  valueKind
	src   *node  // producer, for computed values
	param *Param // for parameter values
	// detached values share the storage of base and stop gradients.
	base *Value
	t    *Tensor // storage; for computed values assigned by Compile
}

// Len is the number of elements.
func (v *Value) Len() int { return NumElements(v.Shape) }

// Tensor is the value's device storage (inputs and parameters always; a
// computed value only after Compile, and only while its phase keeps it).
func (v *Value) Tensor() *Tensor { return v.root().t }

func (v *Value) root() *Value {
	for v.base != nil {
		v = v.base
	}
	return v
}

// Param is a trainable tensor with its gradient and optimizer state.
type Param struct {
	Name  string
	Value *Value
	Data  *Tensor
	Grad  *Tensor // allocated by Compile when a phase trains the parameter
	m, v  *Tensor // Adam moments
}

// node is one op instance: its inputs, output, recorded forward and the
// backward that turns the output's gradient into its inputs' gradients.
type node struct {
	op    string
	ins   []*Value
	out   *Value
	aux   []*Tensor // saved forward state (instance-norm statistics)
	flops float64   // forward FLOPs; each wanted data or weight gradient costs the same again
	fwd   func(r *Rec, in []*Tensor, out *Tensor, aux []*Tensor)
	bwd   func(c *bwdCtx)
	// loss nodes produce a [1] scalar; their backward takes the loss weight
	// (seed) instead of an output gradient.
	loss bool
}

// bwdCtx is what a node's backward sees.
type bwdCtx struct {
	r    *Rec
	in   []*Tensor
	out  *Tensor
	aux  []*Tensor
	gout *Tensor   // gradient of the output (nil for loss nodes)
	seed float32   // weight of a loss node
	gin  []*Tensor // gradient of each input; nil where not needed
	acc  []bool    // accumulate into gin[i] rather than overwrite
	// scratch returns a throw-away tensor for a gradient a shader must
	// write but nobody wants.
	scratch func(shape []int) *Tensor
}

// ginOrScratch is input i's gradient, or scratch of its shape where nobody
// wants it (for shaders that write several gradients at once).
func (c *bwdCtx) ginOrScratch(i int) *Tensor {
	if c.gin[i] != nil {
		return c.gin[i]
	}
	return c.scratch(c.in[i].Shape)
}

// accumulates says whether input i's gradient is wanted and added to
// rather than overwritten.
func (c *bwdCtx) accumulates(i int) bool { return c.acc[i] && c.gin[i] != nil }

// Err is the first error met while building (a shape mismatch).
func (g *Graph) Err() error { return g.err }

func (g *Graph) fail(format string, args ...any) {
	if g.err == nil {
		g.err = fmt.Errorf("graph: "+format, args...)
	}
}

func (g *Graph) newValue(kind valueKind, shape []int) *Value {
	v := &Value{Shape: append([]int(nil), shape...), g: g, id: len(g.values), kind: kind}
	g.values = append(g.values, v)
	return v
}

// Input declares a value the caller writes before each run (images,
// noise). Its storage is fixed, so a recorded phase sees new data.
func (g *Graph) Input(shape ...int) *Value {
	v := g.newValue(kindInput, shape)
	t, err := g.e.NewTensor(shape...)
	if err != nil {
		g.fail("input %v: %v", shape, err)
		return v
	}
	v.t = t
	return v
}

// Param declares a named trainable tensor (uninitialised: upload its data).
func (g *Graph) Param(name string, shape ...int) *Param {
	v := g.newValue(kindParam, shape)
	p := &Param{Name: name, Value: v}
	v.param = p
	t, err := g.e.NewTensor(shape...)
	if err != nil {
		g.fail("parameter %s %v: %v", name, shape, err)
	} else {
		v.t, p.Data = t, t
	}
	g.params = append(g.params, p)
	return p
}

// Params lists every parameter in declaration order.
func (g *Graph) Params() []*Param { return g.params }

// Detach returns v with gradients stopped: the same storage, and no
// gradient flows back through it. Using a network's parameters through
// Detach freezes that network for one use while its input still gets
// gradients (the latent loss through E into G).
func (g *Graph) Detach(v *Value) *Value {
	d := g.newValue(v.kind, v.Shape)
	d.base = v
	return d
}

// add creates a node and its output value.
func (g *Graph) add(n *node, outShape []int, ins ...*Value) *Value {
	for _, in := range ins {
		if in == nil {
			g.fail("%s: nil input", n.op)
		} else if in.g != g {
			g.fail("%s: input from another graph", n.op)
		}
	}
	n.ins = ins
	n.out = g.newValue(kindComputed, outShape)
	n.out.src = n
	g.nodes = append(g.nodes, n)
	return n.out
}

// Close releases the graph's compiled phases and frees every tensor it owns.
func (g *Graph) Close() {
	for _, ph := range g.phases {
		ph.Close()
	}
	g.phases = nil
	for _, v := range g.values {
		if v.kind != kindComputed && v.base == nil && v.t != nil {
			v.t.Free()
			v.t = nil
		}
	}
	for _, p := range g.params {
		p.Grad.Free()
		p.m.Free()
		p.v.Free()
	}
	for _, s := range g.slots {
		s.buf.Free()
	}
	for _, a := range append(g.auxes, g.scratches...) {
		a.Free()
	}
	g.slots, g.auxes, g.scratches = nil, nil, nil
}
