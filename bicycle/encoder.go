package bicycle

import "bicycle-vk/graph"

// resBlock is E_ResNet's block: main = IN, LReLU, Conv3x3(i->i), IN, LReLU,
// Conv3x3(i->o), AvgPool(2); shortcut = AvgPool(2), Conv1x1(i->o).
type resBlock struct {
	in1g, in1b, in2g, in2b *graph.Param
	conv1, conv2, short    *conv
}

// Encoder is E_ResNet: B -> (mu, logvar).
type Encoder struct {
	module
	cfg           Config
	conv          *conv
	blocks        []*resBlock
	fcMu, fcLv    [2]*graph.Param // weight, bias
	width, poolTo int             // final channels; final map size (the global pool's kernel)
}

// NewEncoder declares E's parameters in g.
func NewEncoder(g *graph.Graph, cfg Config) *Encoder {
	m := &Encoder{module: module{g: g}, cfg: cfg}
	// A bare nn.Conv2d in the spec: conv.{weight,bias}, not conv.0.*.
	m.conv = &conv{w: m.param("conv.weight", cfg.NEF, 3, 4, 4), b: m.param("conv.bias", cfg.NEF), stride: 2, pad: 1}
	widths := []int{cfg.NEF, 2 * cfg.NEF, 3 * cfg.NEF, 4 * cfg.NEF}
	// One more ResBlock(4nef->4nef) per doubling above 128.
	for s := cfg.ImgSize; s > 128; s /= 2 {
		widths = append(widths, 4*cfg.NEF)
	}
	for i := 0; i+1 < len(widths); i++ {
		ci, co := widths[i], widths[i+1]
		p := name("res_blocks.%d", i)
		b := &resBlock{
			in1g: m.param(p+".conv.0.weight", ci), in1b: m.param(p+".conv.0.bias", ci),
		}
		b.conv1 = &conv{w: m.param(p+".conv.2.weight", ci, ci, 3, 3), b: m.param(p+".conv.2.bias", ci), stride: 1, pad: 1}
		b.in2g, b.in2b = m.param(p+".conv.3.weight", ci), m.param(p+".conv.3.bias", ci)
		b.conv2 = &conv{w: m.param(p+".conv.5.weight", co, ci, 3, 3), b: m.param(p+".conv.5.bias", co), stride: 1, pad: 1}
		b.short = &conv{w: m.param(p+".short_cut.1.weight", co, ci, 1, 1), b: m.param(p+".short_cut.1.bias", co), stride: 1}
		m.blocks = append(m.blocks, b)
	}
	m.width = widths[len(widths)-1]
	m.poolTo = cfg.ImgSize >> (len(m.blocks) + 1)
	m.fcMu = [2]*graph.Param{m.param("fc_mu.weight", cfg.NZ, m.width), m.param("fc_mu.bias", cfg.NZ)}
	m.fcLv = [2]*graph.Param{m.param("fc_logvar.weight", cfg.NZ, m.width), m.param("fc_logvar.bias", cfg.NZ)}
	return m
}

// Forward builds E(b): b [N,3,S,S] -> mu, logvar [N,NZ].
func (m *Encoder) Forward(g *graph.Graph, b *graph.Value, frozen bool) (mu, logvar *graph.Value) {
	x := m.conv.apply(g, b, frozen)
	for _, blk := range m.blocks {
		h := g.InstanceNorm2d(x, use(g, blk.in1g, frozen), use(g, blk.in1b, frozen), inEps)
		h = blk.conv1.apply(g, g.LeakyReLU(h, lreluSlope), frozen)
		h = g.InstanceNorm2d(h, use(g, blk.in2g, frozen), use(g, blk.in2b, frozen), inEps)
		h = blk.conv2.apply(g, g.LeakyReLU(h, lreluSlope), frozen)
		h = g.AvgPool2d(h, 2, 2, 0)
		s := blk.short.apply(g, g.AvgPool2d(x, 2, 2, 0), frozen)
		x = g.Add(h, s)
	}
	x = g.AvgPool2d(g.LeakyReLU(x, lreluSlope), m.poolTo, m.poolTo, 0)
	mu = g.Linear(x, use(g, m.fcMu[0], frozen), use(g, m.fcMu[1], frozen))
	logvar = g.Linear(x, use(g, m.fcLv[0], frozen), use(g, m.fcLv[1], frozen))
	return mu, logvar
}
