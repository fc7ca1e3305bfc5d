package ref

import "fmt"

// splitDim1 views a shape of rank >= 2 as [outer, C, inner] so that channel
// concatenation works the same for NCHW maps and [N,F] feature vectors.
func splitDim1(op string, t *Tensor) (outer, c, inner int) {
	if len(t.Shape) < 2 {
		panic(fmt.Sprintf("ref: %s: need rank >= 2, got shape %v", op, t.Shape))
	}
	inner = 1
	for _, d := range t.Shape[2:] {
		inner *= d
	}
	return t.Shape[0], t.Shape[1], inner
}

// Concat is torch.cat(xs, dim=1): all inputs must agree on every dimension
// but the channel one.
func Concat(xs ...*Tensor) *Tensor {
	const op = "Concat"
	if len(xs) == 0 {
		panic("ref: Concat: no inputs")
	}
	outer, _, inner := splitDim1(op, xs[0])
	total := 0
	for k, x := range xs {
		o, c, in := splitDim1(op, x)
		if len(x.Shape) != len(xs[0].Shape) || o != outer || in != inner {
			panic(fmt.Sprintf("ref: %s: input %d shape %v incompatible with input 0 shape %v", op, k, x.Shape, xs[0].Shape))
		}
		for d := 2; d < len(x.Shape); d++ {
			if x.Shape[d] != xs[0].Shape[d] {
				panic(fmt.Sprintf("ref: %s: input %d shape %v incompatible with input 0 shape %v", op, k, x.Shape, xs[0].Shape))
			}
		}
		total += c
	}
	shape := append([]int(nil), xs[0].Shape...)
	shape[1] = total
	y := New(shape...)
	for n := range outer {
		dst := y.Data[n*total*inner:]
		for _, x := range xs {
			c := x.Shape[1]
			copy(dst, x.Data[n*c*inner:][:c*inner])
			dst = dst[c*inner:]
		}
	}
	return y
}

// ConcatBackward splits dy along dim 1 into pieces with the given channel
// counts, which must add up to dy's channel count.
func ConcatBackward(dy *Tensor, channels []int) []*Tensor {
	const op = "ConcatBackward"
	outer, total, inner := splitDim1(op, dy)
	sum := 0
	for _, c := range channels {
		if c < 0 {
			panic(fmt.Sprintf("ref: %s: negative channel count in %v", op, channels))
		}
		sum += c
	}
	if sum != total {
		panic(fmt.Sprintf("ref: %s: channels %v sum to %d but dy has %d (shape %v)", op, channels, sum, total, dy.Shape))
	}
	out := make([]*Tensor, len(channels))
	for k, c := range channels {
		shape := append([]int(nil), dy.Shape...)
		shape[1] = c
		out[k] = New(shape...)
	}
	for n := range outer {
		src := dy.Data[n*total*inner:]
		for k, c := range channels {
			copy(out[k].Data[n*c*inner:][:c*inner], src[:c*inner])
			src = src[c*inner:]
		}
	}
	return out
}

// TileZ broadcasts a latent z [N,Z] over an h x w map, giving [N,Z,h,w],
// so it can be concatenated with image channels.
func TileZ(z *Tensor, h, w int) *Tensor {
	N, Z := dims2("TileZ", "z", z)
	if h < 1 || w < 1 {
		panic(fmt.Sprintf("ref: TileZ: need positive h and w, got %d x %d", h, w))
	}
	y := New(N, Z, h, w)
	for p, v := range z.Data {
		yp := y.Data[p*h*w:][:h*w]
		for i := range yp {
			yp[i] = v
		}
	}
	return y
}

// TileZBackward sums dy [N,Z,H,W] over the map, giving [N,Z].
func TileZBackward(dy *Tensor) *Tensor {
	N, Z, H, W := dims4("TileZBackward", "dy", dy)
	dz := New(N, Z)
	for p := range N * Z {
		s := 0.0
		for _, g := range dy.Data[p*H*W:][:H*W] {
			s += g
		}
		dz.Data[p] = s
	}
	return dz
}
