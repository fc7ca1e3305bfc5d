package bicycle

import "bicycle-vk/graph"

// Generator is the U-Net G(A, z): z tiled over the image and concatenated
// to A's channels at the input only; log2(img_size) levels, skips
// concatenated up-path first.
type Generator struct {
	module
	cfg  Config
	down []*conv
	up   []*conv
}

// NewGenerator declares G's parameters in g.
func NewGenerator(g *graph.Graph, cfg Config) *Generator {
	m := &Generator{module: module{g: g}, cfg: cfg}
	L := cfg.levels()
	ch := make([]int, L+1) // ch[k]: channels out of down_k
	ch[0] = 3 + cfg.NZ
	for k := 1; k <= L; k++ {
		ch[k] = cfg.NGF * min(1<<(k-1), 8)
		// No norm on the outermost level nor on the 1x1 innermost map (the
		// seed's code normalised it to a constant).
		m.down = append(m.down, m.newConv(name("downsample_%d.conv_block", k), ch[k-1], ch[k], 4, 2, 1, false, k > 1 && k < L))
	}
	for k := 1; k <= L; k++ {
		in := ch[L-k+1]
		if k > 1 {
			in = ch[L-k+1] * 2
		}
		out := 3
		if k < L {
			out = ch[L-k]
		}
		m.up = append(m.up, m.newConv(name("upsample_%d.deconv_block", k), in, out, 4, 2, 1, true, k < L))
	}
	return m
}

// Forward builds G(a, z): a [N,3,S,S], z [N,NZ] -> [N,3,S,S] in [-1,1].
func (m *Generator) Forward(g *graph.Graph, a, z *graph.Value, frozen bool) *graph.Value {
	s := m.cfg.ImgSize
	x := g.Concat(a, g.TileZ(z, s, s))
	L := len(m.down)
	skips := make([]*graph.Value, L)
	for k, c := range m.down {
		x = g.LeakyReLU(c.apply(g, x, frozen), lreluSlope)
		skips[k] = x
	}
	for k, c := range m.up {
		if k > 0 {
			x = g.Concat(x, skips[L-1-k])
		}
		x = c.apply(g, x, frozen)
		if k < L-1 {
			x = g.ReLU(x)
		} else {
			x = g.Tanh(x)
		}
	}
	return x
}
