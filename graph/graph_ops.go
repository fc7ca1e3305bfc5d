package graph

// The graph's op table: each builder below declares one op once — its shape
// rule, FLOP count, forward recording and backward in terms of Rec ops.

func shape4(v *Value) (n, c, h, w int) { return v.Shape[0], v.Shape[1], v.Shape[2], v.Shape[3] }

func (g *Graph) want4(op string, vs ...*Value) bool {
	for _, v := range vs {
		if v == nil || len(v.Shape) != 4 {
			g.fail("%s: want a 4-D tensor", op)
			return false
		}
	}
	return true
}

// Conv2d is PyTorch's Conv2d: x [N,Ci,H,W], w [Co,Ci,KH,KW], b [Co] or nil.
func (g *Graph) Conv2d(x, w, b *Value, stride, pad int) *Value {
	if !g.want4("conv2d", x, w) {
		return g.add(&node{op: "conv2d"}, []int{1}, x)
	}
	n, ci, h, wd := shape4(x)
	co, wci, kh, kw := shape4(w)
	oh, ow := Conv2dOutSize(h, kh, stride, pad), Conv2dOutSize(wd, kw, stride, pad)
	return g.convLayer("conv2d", x, w, b, wci == ci && oh >= 1 && ow >= 1, []int{n, co, oh, ow},
		Conv2dFLOPs(n, ci, co, oh, ow, kh, kw), stride, pad,
		(*Rec).Conv2d, (*Rec).Conv2dBackwardData, (*Rec).Conv2dBackwardWeight)
}

// ConvTranspose2d is PyTorch's ConvTranspose2d (output_padding 0):
// x [N,Ci,H,W], w [Ci,Co,KH,KW], b [Co] or nil.
func (g *Graph) ConvTranspose2d(x, w, b *Value, stride, pad int) *Value {
	if !g.want4("conv_transpose2d", x, w) {
		return g.add(&node{op: "conv_transpose2d"}, []int{1}, x)
	}
	n, ci, h, wd := shape4(x)
	wci, co, kh, kw := shape4(w)
	oh, ow := ConvTranspose2dOutSize(h, kh, stride, pad), ConvTranspose2dOutSize(wd, kw, stride, pad)
	return g.convLayer("conv_transpose2d", x, w, b, wci == ci && oh >= 1 && ow >= 1, []int{n, co, oh, ow},
		ConvTranspose2dFLOPs(n, ci, co, h, wd, kh, kw), stride, pad,
		(*Rec).ConvTranspose2d, (*Rec).ConvTranspose2dBackwardData, (*Rec).ConvTranspose2dBackwardWeight)
}

// convLayer is the node both convolution kinds share: x and w, an optional
// bias [Co] (out[1]), the kind's forward, data- and weight-gradient Rec ops,
// and ChannelSum of the output gradient as the bias gradient. fits is the
// caller's verdict on the input and weight shapes.
func (g *Graph) convLayer(op string, x, w, b *Value, fits bool, out []int, flops float64, stride, pad int,
	fwd func(r *Rec, y, x, w, b *Tensor, stride, pad int),
	data func(r *Rec, dx, w, dy *Tensor, stride, pad int, acc bool),
	weight func(r *Rec, dw, x, dy *Tensor, stride, pad int, acc bool)) *Value {
	if !fits || (b != nil && (len(b.Shape) != 1 || b.Shape[0] != out[1])) {
		g.fail("%s: x %v, w %v, stride %d, pad %d do not fit", op, x.Shape, w.Shape, stride, pad)
	}
	ins := []*Value{x, w}
	if b != nil {
		ins = append(ins, b)
	}
	nd := &node{op: op, flops: flops,
		fwd: func(r *Rec, in []*Tensor, y *Tensor, _ []*Tensor) {
			var bias *Tensor
			if len(in) > 2 {
				bias = in[2]
			}
			fwd(r, y, in[0], in[1], bias, stride, pad)
		},
		bwd: func(c *bwdCtx) {
			if c.gin[0] != nil {
				data(c.r, c.gin[0], c.in[1], c.gout, stride, pad, c.acc[0])
			}
			if c.gin[1] != nil {
				weight(c.r, c.gin[1], c.in[0], c.gout, stride, pad, c.acc[1])
			}
			if len(c.gin) > 2 && c.gin[2] != nil {
				c.r.ChannelSum(c.gin[2], c.gout, c.acc[2])
			}
		}}
	return g.add(nd, out, ins...)
}

// InstanceNorm2d is PyTorch's InstanceNorm2d(affine=True): per-(n,c)
// statistics over H*W, biased variance.
func (g *Graph) InstanceNorm2d(x, gamma, beta *Value, eps float32) *Value {
	if !g.want4("instance_norm2d", x) {
		return g.add(&node{op: "instance_norm2d"}, []int{1}, x)
	}
	n, c, _, _ := shape4(x)
	if len(gamma.Shape) != 1 || gamma.Shape[0] != c || len(beta.Shape) != 1 || beta.Shape[0] != c {
		g.fail("instance_norm2d: x %v with gamma %v, beta %v", x.Shape, gamma.Shape, beta.Shape)
	}
	stats, err := g.e.NewTensor(n * c * 2)
	if err != nil {
		g.fail("instance_norm2d statistics: %v", err)
	} else {
		g.auxes = append(g.auxes, stats)
	}
	nd := &node{op: "instance_norm2d", aux: []*Tensor{stats},
		fwd: func(r *Rec, in []*Tensor, out *Tensor, aux []*Tensor) {
			r.InstanceNorm2d(out, in[0], in[1], in[2], aux[0], eps)
		},
		bwd: func(c *bwdCtx) {
			if c.gin[0] == nil && c.gin[1] == nil && c.gin[2] == nil {
				return
			}
			// The shader writes all three gradients: unwanted ones go to scratch.
			c.r.InstanceNorm2dBackward(c.ginOrScratch(0), c.ginOrScratch(1), c.ginOrScratch(2),
				c.in[0], c.in[1], c.aux[0], c.gout, c.accumulates(0), c.accumulates(1))
		}}
	return g.add(nd, x.Shape, x, gamma, beta)
}

// unaryNode is an elementwise op whose backward reads its input (saveOut
// false) or its output (saveOut true).
func (g *Graph) unaryNode(op string, x *Value, fwd func(r *Rec, y, x *Tensor),
	bwd func(r *Rec, dx, saved, dy *Tensor, acc bool), saveOut bool) *Value {
	nd := &node{op: op,
		fwd: func(r *Rec, in []*Tensor, out *Tensor, _ []*Tensor) { fwd(r, out, in[0]) },
		bwd: func(c *bwdCtx) {
			if c.gin[0] == nil {
				return
			}
			saved := c.in[0]
			if saveOut {
				saved = c.out
			}
			bwd(c.r, c.gin[0], saved, c.gout, c.acc[0])
		}}
	return g.add(nd, x.Shape, x)
}

// LeakyReLU: x > 0 ? x : slope*x.
func (g *Graph) LeakyReLU(x *Value, slope float32) *Value {
	return g.unaryNode("leaky_relu", x,
		func(r *Rec, y, x *Tensor) { r.LeakyReLU(y, x, slope) },
		func(r *Rec, dx, x, dy *Tensor, acc bool) { r.LeakyReLUBackward(dx, x, dy, slope, acc) }, false)
}

// ReLU: max(x, 0).
func (g *Graph) ReLU(x *Value) *Value {
	return g.unaryNode("relu", x, (*Rec).ReLU, (*Rec).ReLUBackward, false)
}

// Tanh: tanh(x).
func (g *Graph) Tanh(x *Value) *Value {
	return g.unaryNode("tanh", x, (*Rec).Tanh, (*Rec).TanhBackward, true)
}

// AvgPool2d is PyTorch's AvgPool2d with count_include_pad=False.
func (g *Graph) AvgPool2d(x *Value, k, stride, pad int) *Value {
	if !g.want4("avg_pool2d", x) {
		return g.add(&node{op: "avg_pool2d"}, []int{1}, x)
	}
	n, c, h, w := shape4(x)
	oh, ow := Conv2dOutSize(h, k, stride, pad), Conv2dOutSize(w, k, stride, pad)
	if oh < 1 || ow < 1 || pad > k/2 {
		g.fail("avg_pool2d: x %v with kernel %d, stride %d, pad %d", x.Shape, k, stride, pad)
	}
	nd := &node{op: "avg_pool2d",
		fwd: func(r *Rec, in []*Tensor, out *Tensor, _ []*Tensor) { r.AvgPool2d(out, in[0], k, stride, pad) },
		bwd: func(c *bwdCtx) {
			if c.gin[0] != nil {
				c.r.AvgPool2dBackward(c.gin[0], c.gout, k, stride, pad, c.acc[0])
			}
		}}
	return g.add(nd, []int{n, c, oh, ow}, x)
}

// Linear is PyTorch's Linear: x [N,I] (or [N,I,1,1]), w [O,I], b [O] or nil.
func (g *Graph) Linear(x, w, b *Value) *Value {
	n := x.Shape[0]
	in := x.Len() / n
	if len(w.Shape) != 2 || w.Shape[1] != in || (b != nil && (len(b.Shape) != 1 || b.Shape[0] != w.Shape[0])) {
		g.fail("linear: x %v, w %v do not fit", x.Shape, w.Shape)
	}
	o := w.Shape[0]
	ins := []*Value{x, w}
	if b != nil {
		ins = append(ins, b)
	}
	nd := &node{op: "linear", flops: 2 * float64(n*in*o),
		fwd: func(r *Rec, in []*Tensor, out *Tensor, _ []*Tensor) {
			var bias *Tensor
			if len(in) > 2 {
				bias = in[2]
			}
			r.Linear(out, flat2(in[0]), in[1], bias)
		},
		bwd: func(c *bwdCtx) {
			if c.gin[0] != nil {
				c.r.LinearBackwardData(flat2(c.gin[0]), c.in[1], c.gout, c.acc[0])
			}
			if c.gin[1] != nil {
				c.r.LinearBackwardWeight(c.gin[1], flat2(c.in[0]), c.gout, c.acc[1])
			}
			if len(c.gin) > 2 && c.gin[2] != nil {
				c.r.ChannelSum(c.gin[2], c.gout, c.acc[2])
			}
		}}
	return g.add(nd, []int{n, o}, ins...)
}

// flat2 views an [N,...] tensor as [N, rest].
func flat2(t *Tensor) *Tensor {
	if len(t.Shape) == 2 {
		return t
	}
	return &Tensor{Shape: []int{t.Shape[0], t.Len() / t.Shape[0]}, Buf: t.Buf}
}

// Concat concatenates along channels (dim 1), in argument order.
func (g *Graph) Concat(xs ...*Value) *Value {
	if len(xs) == 0 {
		g.fail("concat: no inputs")
		return nil
	}
	shape := append([]int(nil), xs[0].Shape...)
	shape[1] = 0
	for _, x := range xs {
		if len(x.Shape) != len(shape) || x.Shape[0] != shape[0] || NumElements(x.Shape[2:]) != NumElements(shape[2:]) {
			g.fail("concat: %v does not match %v", x.Shape, xs[0].Shape)
		}
		shape[1] += x.Shape[1]
	}
	nd := &node{op: "concat",
		fwd: func(r *Rec, in []*Tensor, out *Tensor, _ []*Tensor) { r.Concat(out, in...) },
		bwd: func(c *bwdCtx) {
			off := 0
			for i, gi := range c.gin {
				ch := c.in[i].Shape[1]
				if gi != nil {
					c.r.CopyChannels(gi, 0, c.gout, off, ch, c.acc[i])
				}
				off += ch
			}
		}}
	return g.add(nd, shape, xs...)
}

// TileZ repeats z [N,Z] over an h x w map: [N,Z,h,w].
func (g *Graph) TileZ(z *Value, h, w int) *Value {
	if len(z.Shape) != 2 {
		g.fail("tile_z: z %v is not [N,Z]", z.Shape)
	}
	nd := &node{op: "tile_z",
		fwd: func(r *Rec, in []*Tensor, out *Tensor, _ []*Tensor) { r.TileZ(out, in[0]) },
		bwd: func(c *bwdCtx) {
			if c.gin[0] != nil {
				c.r.SpatialSum(c.gin[0], c.gout, c.acc[0])
			}
		}}
	return g.add(nd, []int{z.Shape[0], z.Shape[1], h, w}, z)
}

// Add is a + b (same shapes).
func (g *Graph) Add(a, b *Value) *Value {
	if !SameShape(a.Shape, b.Shape) {
		g.fail("add: %v and %v", a.Shape, b.Shape)
	}
	nd := &node{op: "add",
		fwd: func(r *Rec, in []*Tensor, out *Tensor, _ []*Tensor) { r.Add(out, in[0], in[1]) },
		bwd: func(c *bwdCtx) {
			for i, gi := range c.gin {
				if gi != nil {
					c.r.Scale(gi, c.gout, 1, c.acc[i])
				}
			}
		}}
	return g.add(nd, a.Shape, a, b)
}

// Reparam is mu + eps * exp(logvar/2), eps an input holding N(0,1) noise.
func (g *Graph) Reparam(mu, logvar, eps *Value) *Value {
	if !SameShape(mu.Shape, logvar.Shape) || !SameShape(mu.Shape, eps.Shape) {
		g.fail("reparam: mu %v, logvar %v, eps %v", mu.Shape, logvar.Shape, eps.Shape)
	}
	nd := &node{op: "reparam",
		fwd: func(r *Rec, in []*Tensor, out *Tensor, _ []*Tensor) { r.Reparam(out, in[0], in[1], in[2]) },
		bwd: func(c *bwdCtx) {
			if c.gin[0] == nil && c.gin[1] == nil {
				return
			}
			c.r.ReparamBackward(c.ginOrScratch(0), c.ginOrScratch(1), c.in[1], c.in[2], c.gout,
				c.accumulates(0), c.accumulates(1))
		}}
	return g.add(nd, mu.Shape, mu, logvar, eps)
}

// MSEConst is the loss mean((x - target)^2), a [1] value.
func (g *Graph) MSEConst(x *Value, target float32) *Value {
	nd := &node{op: "mse", loss: true,
		fwd: func(r *Rec, in []*Tensor, out *Tensor, _ []*Tensor) { r.MSEConst(out, in[0], target) },
		bwd: func(c *bwdCtx) {
			if c.gin[0] != nil {
				c.r.MSEConstBackward(c.gin[0], c.in[0], target, c.seed, c.acc[0])
			}
		}}
	return g.add(nd, []int{1}, x)
}

// L1Mean is the loss mean(|a - b|), a [1] value.
func (g *Graph) L1Mean(a, b *Value) *Value {
	if a.Len() != b.Len() {
		g.fail("l1: %v and %v", a.Shape, b.Shape)
	}
	nd := &node{op: "l1", loss: true,
		fwd: func(r *Rec, in []*Tensor, out *Tensor, _ []*Tensor) { r.L1Mean(out, in[0], in[1]) },
		bwd: func(c *bwdCtx) {
			if c.gin[0] != nil {
				c.r.L1MeanBackward(c.gin[0], c.in[0], c.in[1], c.seed, c.acc[0])
			}
			if c.gin[1] != nil {
				c.r.L1MeanBackward(c.gin[1], c.in[1], c.in[0], c.seed, c.acc[1])
			}
		}}
	return g.add(nd, []int{1}, a, b)
}

// KL is the loss sum(0.5 * (mu^2 + exp(logvar) - logvar - 1)), a [1] value.
func (g *Graph) KL(mu, logvar *Value) *Value {
	if !SameShape(mu.Shape, logvar.Shape) {
		g.fail("kl: mu %v, logvar %v", mu.Shape, logvar.Shape)
	}
	nd := &node{op: "kl", loss: true,
		fwd: func(r *Rec, in []*Tensor, out *Tensor, _ []*Tensor) { r.KL(out, in[0], in[1]) },
		bwd: func(c *bwdCtx) {
			if c.gin[0] == nil && c.gin[1] == nil {
				return
			}
			c.r.KLBackward(c.ginOrScratch(0), c.ginOrScratch(1), c.in[0], c.in[1], c.seed,
				c.accumulates(0), c.accumulates(1))
		}}
	return g.add(nd, []int{1}, mu, logvar)
}
