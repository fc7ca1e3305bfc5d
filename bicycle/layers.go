package bicycle

import (
	"fmt"

	"bicycle-vk/graph"
)

// Slope of every LeakyReLU and eps of every InstanceNorm in the networks.
const (
	lreluSlope = 0.2
	inEps      = 1e-5
)

// module collects a network's parameters under their PyTorch state_dict
// names, in declaration order.
type module struct {
	g      *graph.Graph
	params []*graph.Param
}

func (m *module) param(name string, shape ...int) *graph.Param {
	p := m.g.Param(name, shape...)
	m.params = append(m.params, p)
	return p
}

// Params lists the network's parameters in state_dict order.
func (m *module) Params() []*graph.Param { return m.params }

// use returns a parameter's value, detached when the network is frozen for
// this use (gradients flow through it to its input, not into it).
func use(g *graph.Graph, p *graph.Param, frozen bool) *graph.Value {
	if frozen {
		return g.Detach(p.Value)
	}
	return p.Value
}

// conv is a convolution (or transposed convolution) with bias and an
// optional instance norm after it.
type conv struct {
	w, b        *graph.Param
	gamma, beta *graph.Param // nil without norm
	stride, pad int
	transposed  bool
}

// newConv declares prefix.0.{weight,bias} and, with norm,
// prefix.1.{weight,bias}, as nn.Sequential numbers them.
func (m *module) newConv(prefix string, ci, co, k, stride, pad int, transposed, norm bool) *conv {
	c := &conv{stride: stride, pad: pad, transposed: transposed}
	if transposed {
		c.w = m.param(prefix+".0.weight", ci, co, k, k)
	} else {
		c.w = m.param(prefix+".0.weight", co, ci, k, k)
	}
	c.b = m.param(prefix+".0.bias", co)
	if norm {
		c.gamma = m.param(prefix+".1.weight", co)
		c.beta = m.param(prefix+".1.bias", co)
	}
	return c
}

// apply runs the convolution and, if it has one, the norm.
func (c *conv) apply(g *graph.Graph, x *graph.Value, frozen bool) *graph.Value {
	var y *graph.Value
	if c.transposed {
		y = g.ConvTranspose2d(x, use(g, c.w, frozen), use(g, c.b, frozen), c.stride, c.pad)
	} else {
		y = g.Conv2d(x, use(g, c.w, frozen), use(g, c.b, frozen), c.stride, c.pad)
	}
	if c.gamma != nil {
		y = g.InstanceNorm2d(y, use(g, c.gamma, frozen), use(g, c.beta, frozen), inEps)
	}
	return y
}

func name(format string, args ...any) string { return fmt.Sprintf(format, args...) }
