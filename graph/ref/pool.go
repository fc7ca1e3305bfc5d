package ref

import "fmt"

// poolOut validates AvgPool2d parameters and returns the output size.
// PyTorch rejects pad > k/2, which is also what guarantees every window
// has at least one in-bounds tap (so the divisor is never zero).
func poolOut(op string, in, k, stride, pad int) int {
	if k < 1 || stride < 1 || pad < 0 || pad > k/2 {
		panic(fmt.Sprintf("ref: %s: need k >= 1, stride >= 1, 0 <= pad <= k/2; got k %d stride %d pad %d", op, k, stride, pad))
	}
	if in+2*pad < k {
		panic(fmt.Sprintf("ref: %s: kernel %d larger than padded input %d+2*%d", op, k, in, pad))
	}
	return (in+2*pad-k)/stride + 1
}

// poolWindow clips the window of output index o to [0, in).
func poolWindow(o, k, stride, pad, in int) (lo, hi int) {
	lo = o*stride - pad
	hi = min(lo+k, in)
	lo = max(lo, 0)
	return lo, hi
}

// AvgPool2d is torch.nn.AvgPool2d(k, stride, pad, ceil_mode=False,
// count_include_pad=False): each output divides by its number of in-bounds
// taps, so border outputs are true means of the pixels they cover.
func AvgPool2d(x *Tensor, k, stride, pad int) *Tensor {
	const op = "AvgPool2d"
	N, C, H, W := dims4(op, "x", x)
	OH, OW := poolOut(op, H, k, stride, pad), poolOut(op, W, k, stride, pad)
	y := New(N, C, OH, OW)
	for p := range N * C {
		xp, yp := x.Data[p*H*W:][:H*W], y.Data[p*OH*OW:][:OH*OW]
		for oy := range OH {
			y0, y1 := poolWindow(oy, k, stride, pad, H)
			for ox := range OW {
				x0, x1 := poolWindow(ox, k, stride, pad, W)
				s := 0.0
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						s += xp[iy*W+ix]
					}
				}
				yp[oy*OW+ox] = s / float64((y1-y0)*(x1-x0))
			}
		}
	}
	return y
}

// AvgPool2dBackward spreads each dy over its window with the same divisor
// as the forward. x is only needed for its shape, since the output size
// does not determine the input size.
func AvgPool2dBackward(x *Tensor, dy *Tensor, k, stride, pad int) *Tensor {
	const op = "AvgPool2dBackward"
	N, C, H, W := dims4(op, "x", x)
	OH, OW := poolOut(op, H, k, stride, pad), poolOut(op, W, k, stride, pad)
	mustSameShape(op, "dy", "expected", dy, &Tensor{Shape: []int{N, C, OH, OW}})
	dx := New(x.Shape...)
	for p := range N * C {
		dxp, gp := dx.Data[p*H*W:][:H*W], dy.Data[p*OH*OW:][:OH*OW]
		for oy := range OH {
			y0, y1 := poolWindow(oy, k, stride, pad, H)
			for ox := range OW {
				x0, x1 := poolWindow(ox, k, stride, pad, W)
				g := gp[oy*OW+ox] / float64((y1-y0)*(x1-x0))
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						dxp[iy*W+ix] += g
					}
				}
			}
		}
	}
	return dx
}
