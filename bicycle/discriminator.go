package bicycle

import "bicycle-vk/graph"

// Discriminator holds the two PatchGANs of one of the four discriminators:
// d_1 on a 2x average-pooled input (14x14 patches at 128) and d_2 on the
// full input (30x30 patches). Scores are raw (LSGAN, no sigmoid).
type Discriminator struct {
	module
	d1, d2 []*conv
}

// NewDiscriminator declares the parameters of the discriminator whose
// files and names carry prefix-free d_1/d_2 names (one per file).
func NewDiscriminator(g *graph.Graph, cfg Config) *Discriminator {
	m := &Discriminator{module: module{g: g}}
	in, w := cfg.dIn(), cfg.NDF
	// d_1: index 0 of its Sequential is the AvgPool.
	m.d1 = []*conv{
		m.newConv("d_1.1.conv_block", in, w/2, 4, 2, 1, false, false),
		m.newConv("d_1.2.conv_block", w/2, w, 4, 2, 1, false, true),
		m.newConv("d_1.3.conv_block", w, 2*w, 4, 1, 1, false, true),
		m.newConv("d_1.4.conv_block", 2*w, 1, 4, 1, 1, false, false),
	}
	m.d2 = []*conv{
		m.newConv("d_2.0.conv_block", in, w, 4, 2, 1, false, false),
		m.newConv("d_2.1.conv_block", w, 2*w, 4, 2, 1, false, true),
		m.newConv("d_2.2.conv_block", 2*w, 4*w, 4, 1, 1, false, true),
		m.newConv("d_2.3.conv_block", 4*w, 1, 4, 1, 1, false, false),
	}
	return m
}

func patchGAN(g *graph.Graph, layers []*conv, x *graph.Value, frozen bool) *graph.Value {
	for i, c := range layers {
		x = c.apply(g, x, frozen)
		if i < len(layers)-1 {
			x = g.LeakyReLU(x, lreluSlope)
		}
	}
	return x
}

// Forward builds both scales' score maps for x ([N,3 or 6,S,S]).
func (m *Discriminator) Forward(g *graph.Graph, x *graph.Value, frozen bool) (s1, s2 *graph.Value) {
	s1 = patchGAN(g, m.d1, g.AvgPool2d(x, 3, 2, 1), frozen)
	s2 = patchGAN(g, m.d2, x, frozen)
	return s1, s2
}
