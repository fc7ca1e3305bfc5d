package ref

import "math"

// Add is a + b for equal shapes; its backward passes dy to both inputs.
func Add(a, b *Tensor) *Tensor {
	mustSameShape("Add", "a", "b", a, b)
	y := New(a.Shape...)
	for i := range y.Data {
		y.Data[i] = a.Data[i] + b.Data[i]
	}
	return y
}

// Scale is s*x; being linear, its backward is Scale(dy, s).
func Scale(x *Tensor, s float64) *Tensor {
	y := New(x.Shape...)
	for i, v := range x.Data {
		y.Data[i] = s * v
	}
	return y
}

// Exp is the elementwise exponential.
func Exp(x *Tensor) *Tensor {
	y := New(x.Shape...)
	for i, v := range x.Data {
		y.Data[i] = math.Exp(v)
	}
	return y
}

// ExpBackward takes the forward output y, since d exp(x)/dx = y.
func ExpBackward(y, dy *Tensor) *Tensor {
	mustSameShape("ExpBackward", "dy", "y", dy, y)
	dx := New(y.Shape...)
	for i, v := range y.Data {
		dx.Data[i] = dy.Data[i] * v
	}
	return dx
}

// Reparam is the VAE reparameterisation z = mu + eps*exp(logvar/2), which
// keeps the sample differentiable in mu and logvar; eps is a fixed input.
func Reparam(mu, logvar, eps *Tensor) *Tensor {
	mustSameShape("Reparam", "logvar", "mu", logvar, mu)
	mustSameShape("Reparam", "eps", "mu", eps, mu)
	z := New(mu.Shape...)
	for i := range z.Data {
		z.Data[i] = mu.Data[i] + eps.Data[i]*math.Exp(0.5*logvar.Data[i])
	}
	return z
}

// ReparamBackward returns the gradients of Reparam's mu and logvar given dz
// (eps is noise and gets no gradient).
func ReparamBackward(logvar, eps, dz *Tensor) (dmu, dlogvar *Tensor) {
	mustSameShape("ReparamBackward", "eps", "logvar", eps, logvar)
	mustSameShape("ReparamBackward", "dz", "logvar", dz, logvar)
	dmu, dlogvar = dz.Clone(), New(logvar.Shape...)
	for i, v := range logvar.Data {
		dlogvar.Data[i] = dz.Data[i] * eps.Data[i] * 0.5 * math.Exp(0.5*v)
	}
	return dmu, dlogvar
}
