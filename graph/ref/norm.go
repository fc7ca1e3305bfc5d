package ref

import (
	"fmt"
	"math"
)

// instanceStats returns the per-(n,c) mean and 1/sqrt(var+eps) with the
// biased variance, which is what PyTorch normalises with in training mode.
func instanceStats(x *Tensor, eps float64, op string) (mean, rstd []float64) {
	N, C, H, W := dims4(op, "x", x)
	M := H * W
	if M == 0 {
		panic(fmt.Sprintf("ref: %s: empty spatial size in shape %v", op, x.Shape))
	}
	mean, rstd = make([]float64, N*C), make([]float64, N*C)
	for p := range N * C {
		xp := x.Data[p*M:][:M]
		s := 0.0
		for _, v := range xp {
			s += v
		}
		mu := s / float64(M)
		ss := 0.0
		for _, v := range xp {
			d := v - mu
			ss += d * d
		}
		mean[p] = mu
		rstd[p] = 1 / math.Sqrt(ss/float64(M)+eps)
	}
	return mean, rstd
}

// InstanceNorm2d is torch.nn.InstanceNorm2d(affine=True) in training mode:
// statistics per (n,c) over H*W, biased variance, eps inside the sqrt.
// gamma and beta are [C]; a nil gamma means 1 and a nil beta means 0, which
// gives the affine=False variant for free.
func InstanceNorm2d(x, gamma, beta *Tensor, eps float64) *Tensor {
	const op = "InstanceNorm2d"
	N, C, H, W := dims4(op, "x", x)
	mustVec(op, "gamma", gamma, C)
	mustVec(op, "beta", beta, C)
	mean, rstd := instanceStats(x, eps, op)
	M := H * W
	y := New(x.Shape...)
	for n := range N {
		for c := range C {
			p := n*C + c
			g, b := 1.0, 0.0
			if gamma != nil {
				g = gamma.Data[c]
			}
			if beta != nil {
				b = beta.Data[c]
			}
			xp, yp := x.Data[p*M:][:M], y.Data[p*M:][:M]
			for i, v := range xp {
				yp[i] = (v-mean[p])*rstd[p]*g + b
			}
		}
	}
	return y
}

// InstanceNorm2dBackward returns the gradients of InstanceNorm2d's x, gamma
// and beta given dy (gamma nil means 1, as in the forward). It recomputes
// the statistics from x so callers need not keep them around.
func InstanceNorm2dBackward(x, gamma, dy *Tensor, eps float64) (dx, dgamma, dbeta *Tensor) {
	const op = "InstanceNorm2dBackward"
	N, C, H, W := dims4(op, "x", x)
	mustVec(op, "gamma", gamma, C)
	mustSameShape(op, "dy", "x", dy, x)
	mean, rstd := instanceStats(x, eps, op)
	M := H * W
	fm := float64(M)
	dx, dgamma, dbeta = New(x.Shape...), New(C), New(C)
	for n := range N {
		for c := range C {
			p := n*C + c
			g := 1.0
			if gamma != nil {
				g = gamma.Data[c]
			}
			xp, gp, dxp := x.Data[p*M:][:M], dy.Data[p*M:][:M], dx.Data[p*M:][:M]
			// With xhat = (x-mean)*rstd and d = dy*gamma:
			// dx = rstd * (d - mean(d) - xhat*mean(d*xhat)).
			sumG, sumGX := 0.0, 0.0
			for i, v := range xp {
				xh := (v - mean[p]) * rstd[p]
				sumG += gp[i]
				sumGX += gp[i] * xh
			}
			dgamma.Data[c] += sumGX
			dbeta.Data[c] += sumG
			mD, mDX := g*sumG/fm, g*sumGX/fm
			for i, v := range xp {
				xh := (v - mean[p]) * rstd[p]
				dxp[i] = rstd[p] * (g*gp[i] - mD - xh*mDX)
			}
		}
	}
	return dx, dgamma, dbeta
}
