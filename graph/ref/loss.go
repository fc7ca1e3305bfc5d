package ref

import (
	"fmt"
	"math"
)

// mustNonEmpty panics for reductions whose mean would divide by zero.
func mustNonEmpty(op string, x *Tensor) {
	if x.Len() == 0 {
		panic(fmt.Sprintf("ref: %s: empty input (shape %v)", op, x.Shape))
	}
}

// MSEConst is mean((x-target)^2), the least-squares GAN loss against a
// constant real/fake label.
func MSEConst(x *Tensor, target float64) *Tensor {
	mustNonEmpty("MSEConst", x)
	s := 0.0
	for _, v := range x.Data {
		d := v - target
		s += d * d
	}
	return Scalar(s / float64(x.Len()))
}

// MSEConstBackward returns g*2*(x-target)/n for upstream scalar gradient g.
func MSEConstBackward(x *Tensor, target, g float64) *Tensor {
	mustNonEmpty("MSEConstBackward", x)
	k := 2 * g / float64(x.Len())
	dx := New(x.Shape...)
	for i, v := range x.Data {
		dx.Data[i] = k * (v - target)
	}
	return dx
}

// L1Mean is mean(|a-b|), torch.nn.L1Loss with reduction='mean'.
func L1Mean(a, b *Tensor) *Tensor {
	mustSameShape("L1Mean", "a", "b", a, b)
	mustNonEmpty("L1Mean", a)
	s := 0.0
	for i := range a.Data {
		s += math.Abs(a.Data[i] - b.Data[i])
	}
	return Scalar(s / float64(a.Len()))
}

// L1MeanBackward returns g*sign(a-b)/n and its negation, with sign(0) = 0
// as in PyTorch.
func L1MeanBackward(a, b *Tensor, g float64) (da, db *Tensor) {
	mustSameShape("L1MeanBackward", "a", "b", a, b)
	mustNonEmpty("L1MeanBackward", a)
	k := g / float64(a.Len())
	da, db = New(a.Shape...), New(a.Shape...)
	for i := range a.Data {
		d := a.Data[i] - b.Data[i]
		var s float64
		switch {
		case d > 0:
			s = k
		case d < 0:
			s = -k
		}
		da.Data[i], db.Data[i] = s, -s
	}
	return da, db
}

// KL is the Gaussian KL divergence to N(0,1) summed over all elements,
// sum(0.5*(mu^2 + exp(logvar) - logvar - 1)); any batch averaging is the
// caller's business.
func KL(mu, logvar *Tensor) *Tensor {
	mustSameShape("KL", "logvar", "mu", logvar, mu)
	s := 0.0
	for i, m := range mu.Data {
		lv := logvar.Data[i]
		s += 0.5 * (m*m + math.Exp(lv) - lv - 1)
	}
	return Scalar(s)
}

// KLBackward returns g*mu and g*0.5*(exp(logvar)-1).
func KLBackward(mu, logvar *Tensor, g float64) (dmu, dlogvar *Tensor) {
	mustSameShape("KLBackward", "logvar", "mu", logvar, mu)
	dmu, dlogvar = New(mu.Shape...), New(mu.Shape...)
	for i, m := range mu.Data {
		dmu.Data[i] = g * m
		dlogvar.Data[i] = g * 0.5 * (math.Exp(logvar.Data[i]) - 1)
	}
	return dmu, dlogvar
}

// Sum reduces all elements to a shape [1] tensor.
func Sum(x *Tensor) *Tensor {
	s := 0.0
	for _, v := range x.Data {
		s += v
	}
	return Scalar(s)
}

// SumBackward broadcasts g to x's shape.
func SumBackward(x *Tensor, g float64) *Tensor {
	dx := New(x.Shape...)
	for i := range dx.Data {
		dx.Data[i] = g
	}
	return dx
}

// Mean reduces all elements to their average, shape [1].
func Mean(x *Tensor) *Tensor {
	mustNonEmpty("Mean", x)
	return Scalar(Sum(x).Data[0] / float64(x.Len()))
}

// MeanBackward broadcasts g/n to x's shape.
func MeanBackward(x *Tensor, g float64) *Tensor {
	mustNonEmpty("MeanBackward", x)
	return SumBackward(x, g/float64(x.Len()))
}
