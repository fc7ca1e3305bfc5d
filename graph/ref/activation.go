package ref

import "math"

// LeakyReLU uses PyTorch's convention x > 0 ? x : slope*x.
func LeakyReLU(x *Tensor, slope float64) *Tensor {
	y := New(x.Shape...)
	for i, v := range x.Data {
		if v > 0 {
			y.Data[i] = v
		} else {
			y.Data[i] = slope * v
		}
	}
	return y
}

// LeakyReLUBackward uses slope at x == 0, matching PyTorch's x > 0 test.
func LeakyReLUBackward(x, dy *Tensor, slope float64) *Tensor {
	mustSameShape("LeakyReLUBackward", "dy", "x", dy, x)
	dx := New(x.Shape...)
	for i, v := range x.Data {
		if v > 0 {
			dx.Data[i] = dy.Data[i]
		} else {
			dx.Data[i] = slope * dy.Data[i]
		}
	}
	return dx
}

// ReLU is max(x, 0).
func ReLU(x *Tensor) *Tensor { return LeakyReLU(x, 0) }

// ReLUBackward passes dy where x > 0 and zero elsewhere (including x == 0,
// as PyTorch does).
func ReLUBackward(x, dy *Tensor) *Tensor { return LeakyReLUBackward(x, dy, 0) }

// Tanh is the elementwise hyperbolic tangent.
func Tanh(x *Tensor) *Tensor {
	y := New(x.Shape...)
	for i, v := range x.Data {
		y.Data[i] = math.Tanh(v)
	}
	return y
}

// TanhBackward takes the forward output y, as PyTorch saves it, and
// returns dy*(1-y^2).
func TanhBackward(y, dy *Tensor) *Tensor {
	mustSameShape("TanhBackward", "dy", "y", dy, y)
	dx := New(y.Shape...)
	for i, v := range y.Data {
		dx.Data[i] = dy.Data[i] * (1 - v*v)
	}
	return dx
}
