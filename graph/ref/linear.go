package ref

import "fmt"

// Linear is torch.nn.functional.linear: x [N,I], w [O,I] (PyTorch's
// out-by-in layout), b [O] or nil; y = x w^T + b.
func Linear(x, w, b *Tensor) *Tensor {
	const op = "Linear"
	N, I := dims2(op, "x", x)
	O, wI := dims2(op, "w", w)
	if wI != I {
		panic(fmt.Sprintf("ref: %s: x has %d features but w expects %d (w shape %v)", op, I, wI, w.Shape))
	}
	mustVec(op, "b", b, O)
	y := New(N, O)
	for n := range N {
		xr := x.Data[n*I:][:I]
		for o := range O {
			wr := w.Data[o*I:][:I]
			s := 0.0
			if b != nil {
				s = b.Data[o]
			}
			for i, v := range xr {
				s += v * wr[i]
			}
			y.Data[n*O+o] = s
		}
	}
	return y
}

// LinearBackward returns the gradients of Linear's x, w and bias given dy.
func LinearBackward(x, w, dy *Tensor) (dx, dw, db *Tensor) {
	const op = "LinearBackward"
	N, I := dims2(op, "x", x)
	O, wI := dims2(op, "w", w)
	if wI != I {
		panic(fmt.Sprintf("ref: %s: x has %d features but w expects %d (w shape %v)", op, I, wI, w.Shape))
	}
	mustSameShape(op, "dy", "expected", dy, &Tensor{Shape: []int{N, O}})
	dx, dw, db = New(N, I), New(O, I), New(O)
	for n := range N {
		xr, dxr := x.Data[n*I:][:I], dx.Data[n*I:][:I]
		for o := range O {
			g := dy.Data[n*O+o]
			db.Data[o] += g
			wr, dwr := w.Data[o*I:][:I], dw.Data[o*I:][:I]
			for i := range I {
				dxr[i] += g * wr[i]
				dwr[i] += g * xr[i]
			}
		}
	}
	return dx, dw, db
}
