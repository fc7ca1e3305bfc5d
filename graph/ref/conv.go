package ref

import "fmt"

// convOut is PyTorch's Conv2d output size (floor division, no dilation).
func convOut(op string, in, k, stride, pad int) int {
	if stride < 1 || pad < 0 {
		panic(fmt.Sprintf("ref: %s: need stride >= 1 and pad >= 0, got stride %d pad %d", op, stride, pad))
	}
	if in+2*pad < k {
		panic(fmt.Sprintf("ref: %s: kernel %d larger than padded input %d+2*%d", op, k, in, pad))
	}
	return (in+2*pad-k)/stride + 1
}

// convTOut is PyTorch's ConvTranspose2d output size with output_padding 0.
func convTOut(op string, in, k, stride, pad int) int {
	if stride < 1 || pad < 0 {
		panic(fmt.Sprintf("ref: %s: need stride >= 1 and pad >= 0, got stride %d pad %d", op, stride, pad))
	}
	o := (in-1)*stride - 2*pad + k
	if o < 1 {
		panic(fmt.Sprintf("ref: %s: non-positive output size %d (in %d, k %d, stride %d, pad %d)", op, o, in, k, stride, pad))
	}
	return o
}

// tapRange returns the indices o in [lo, hi), clipped to [0, n), for which
// tap k lands inside [0, size): 0 <= o*stride - pad + k < size. Hoisting
// this out of the inner loops removes the per-element bounds branches.
func tapRange(k, stride, pad, size, n int) (lo, hi int) {
	if d := pad - k; d > 0 {
		lo = (d + stride - 1) / stride
	}
	last := size - 1 + pad - k
	if last < 0 {
		return 0, 0
	}
	hi = min(n, last/stride+1)
	return lo, max(lo, hi)
}

// Conv2d is torch.nn.functional.conv2d with groups=1 and no dilation; w is
// [Co,Ci,KH,KW] and the same stride and padding apply to both spatial dims.
func Conv2d(x, w, b *Tensor, stride, pad int) *Tensor {
	const op = "Conv2d"
	N, Ci, H, W := dims4(op, "x", x)
	Co, wCi, KH, KW := dims4(op, "w", w)
	if wCi != Ci {
		panic(fmt.Sprintf("ref: %s: x has %d channels but w expects %d (w shape %v)", op, Ci, wCi, w.Shape))
	}
	mustVec(op, "b", b, Co)
	OH, OW := convOut(op, H, KH, stride, pad), convOut(op, W, KW, stride, pad)
	y := New(N, Co, OH, OW)
	for n := range N {
		for co := range Co {
			yp := y.Data[(n*Co+co)*OH*OW:][:OH*OW]
			if b != nil {
				for i := range yp {
					yp[i] = b.Data[co]
				}
			}
			for ci := range Ci {
				xp := x.Data[(n*Ci+ci)*H*W:][:H*W]
				wp := w.Data[(co*Ci+ci)*KH*KW:][:KH*KW]
				for ky := range KH {
					for kx := range KW {
						wv := wp[ky*KW+kx]
						oy0, oy1 := tapRange(ky, stride, pad, H, OH)
						ox0, ox1 := tapRange(kx, stride, pad, W, OW)
						for oy := oy0; oy < oy1; oy++ {
							iy := oy*stride - pad + ky
							for ox := ox0; ox < ox1; ox++ {
								ix := ox*stride - pad + kx
								yp[oy*OW+ox] += wv * xp[iy*W+ix]
							}
						}
					}
				}
			}
		}
	}
	return y
}

// Conv2dBackward returns the gradients of Conv2d's x, w and bias given dy;
// db is always returned so callers with a bias need no second pass.
func Conv2dBackward(x, w, dy *Tensor, stride, pad int) (dx, dw, db *Tensor) {
	const op = "Conv2dBackward"
	N, Ci, H, W := dims4(op, "x", x)
	Co, wCi, KH, KW := dims4(op, "w", w)
	if wCi != Ci {
		panic(fmt.Sprintf("ref: %s: x has %d channels but w expects %d (w shape %v)", op, Ci, wCi, w.Shape))
	}
	OH, OW := convOut(op, H, KH, stride, pad), convOut(op, W, KW, stride, pad)
	mustSameShape(op, "dy", "expected", dy, &Tensor{Shape: []int{N, Co, OH, OW}})
	dx, dw, db = New(x.Shape...), New(w.Shape...), New(Co)
	for n := range N {
		for co := range Co {
			gp := dy.Data[(n*Co+co)*OH*OW:][:OH*OW]
			for _, g := range gp {
				db.Data[co] += g
			}
			for ci := range Ci {
				xp := x.Data[(n*Ci+ci)*H*W:][:H*W]
				dxp := dx.Data[(n*Ci+ci)*H*W:][:H*W]
				wp := w.Data[(co*Ci+ci)*KH*KW:][:KH*KW]
				dwp := dw.Data[(co*Ci+ci)*KH*KW:][:KH*KW]
				for ky := range KH {
					for kx := range KW {
						wv := wp[ky*KW+kx]
						acc := 0.0
						oy0, oy1 := tapRange(ky, stride, pad, H, OH)
						ox0, ox1 := tapRange(kx, stride, pad, W, OW)
						for oy := oy0; oy < oy1; oy++ {
							iy := oy*stride - pad + ky
							for ox := ox0; ox < ox1; ox++ {
								ix := ox*stride - pad + kx
								g := gp[oy*OW+ox]
								acc += g * xp[iy*W+ix]
								dxp[iy*W+ix] += g * wv
							}
						}
						dwp[ky*KW+kx] += acc
					}
				}
			}
		}
	}
	return dx, dw, db
}

// ConvTranspose2d is torch.nn.functional.conv_transpose2d with
// output_padding 0, groups=1 and no dilation. Note w is [Ci,Co,KH,KW], the
// PyTorch layout, so it is the adjoint of Conv2d with the same weight tensor.
func ConvTranspose2d(x, w, b *Tensor, stride, pad int) *Tensor {
	const op = "ConvTranspose2d"
	N, Ci, H, W := dims4(op, "x", x)
	wCi, Co, KH, KW := dims4(op, "w", w)
	if wCi != Ci {
		panic(fmt.Sprintf("ref: %s: x has %d channels but w expects %d (w shape %v)", op, Ci, wCi, w.Shape))
	}
	mustVec(op, "b", b, Co)
	OH, OW := convTOut(op, H, KH, stride, pad), convTOut(op, W, KW, stride, pad)
	y := New(N, Co, OH, OW)
	for n := range N {
		for co := range Co {
			yp := y.Data[(n*Co+co)*OH*OW:][:OH*OW]
			if b != nil {
				for i := range yp {
					yp[i] = b.Data[co]
				}
			}
			for ci := range Ci {
				xp := x.Data[(n*Ci+ci)*H*W:][:H*W]
				wp := w.Data[(ci*Co+co)*KH*KW:][:KH*KW]
				for ky := range KH {
					for kx := range KW {
						wv := wp[ky*KW+kx]
						iy0, iy1 := tapRange(ky, stride, pad, OH, H)
						ix0, ix1 := tapRange(kx, stride, pad, OW, W)
						for iy := iy0; iy < iy1; iy++ {
							oy := iy*stride - pad + ky
							for ix := ix0; ix < ix1; ix++ {
								ox := ix*stride - pad + kx
								yp[oy*OW+ox] += wv * xp[iy*W+ix]
							}
						}
					}
				}
			}
		}
	}
	return y
}

// ConvTranspose2dBackward returns the gradients of ConvTranspose2d's x, w
// and bias given dy.
func ConvTranspose2dBackward(x, w, dy *Tensor, stride, pad int) (dx, dw, db *Tensor) {
	const op = "ConvTranspose2dBackward"
	N, Ci, H, W := dims4(op, "x", x)
	wCi, Co, KH, KW := dims4(op, "w", w)
	if wCi != Ci {
		panic(fmt.Sprintf("ref: %s: x has %d channels but w expects %d (w shape %v)", op, Ci, wCi, w.Shape))
	}
	OH, OW := convTOut(op, H, KH, stride, pad), convTOut(op, W, KW, stride, pad)
	mustSameShape(op, "dy", "expected", dy, &Tensor{Shape: []int{N, Co, OH, OW}})
	dx, dw, db = New(x.Shape...), New(w.Shape...), New(Co)
	for n := range N {
		for co := range Co {
			gp := dy.Data[(n*Co+co)*OH*OW:][:OH*OW]
			for _, g := range gp {
				db.Data[co] += g
			}
			for ci := range Ci {
				xp := x.Data[(n*Ci+ci)*H*W:][:H*W]
				dxp := dx.Data[(n*Ci+ci)*H*W:][:H*W]
				wp := w.Data[(ci*Co+co)*KH*KW:][:KH*KW]
				dwp := dw.Data[(ci*Co+co)*KH*KW:][:KH*KW]
				for ky := range KH {
					for kx := range KW {
						wv := wp[ky*KW+kx]
						acc := 0.0
						iy0, iy1 := tapRange(ky, stride, pad, OH, H)
						ix0, ix1 := tapRange(kx, stride, pad, OW, W)
						for iy := iy0; iy < iy1; iy++ {
							oy := iy*stride - pad + ky
							for ix := ix0; ix < ix1; ix++ {
								ox := ix*stride - pad + kx
								g := gp[oy*OW+ox]
								acc += g * xp[iy*W+ix]
								dxp[iy*W+ix] += g * wv
							}
						}
						dwp[ky*KW+kx] += acc
					}
				}
			}
		}
	}
	return dx, dw, db
}
