package ref

import (
	"fmt"
	"math"
)

// AdamStep applies one torch.optim.Adam update (no weight decay, no
// amsgrad, maximize=False) to p in place, updating the moments m and v in
// place too. t is the step number after incrementing, so the first call
// uses t = 1. The operation order follows PyTorch's single-tensor path:
// step_size = lr/bc1, denom = sqrt(v)/sqrt(bc2) + eps, so that eps enters
// exactly where PyTorch puts it.
func AdamStep(p, g, m, v *Tensor, lr, b1, b2, eps float64, t int) {
	const op = "AdamStep"
	mustSameShape(op, "g", "p", g, p)
	mustSameShape(op, "m", "p", m, p)
	mustSameShape(op, "v", "p", v, p)
	if t < 1 {
		panic(fmt.Sprintf("ref: %s: step t must be >= 1, got %d", op, t))
	}
	bc1 := 1 - math.Pow(b1, float64(t))
	bc2 := 1 - math.Pow(b2, float64(t))
	stepSize := lr / bc1
	bc2Sqrt := math.Sqrt(bc2)
	for i, gi := range g.Data {
		m.Data[i] = b1*m.Data[i] + (1-b1)*gi
		v.Data[i] = b2*v.Data[i] + (1-b2)*gi*gi
		denom := math.Sqrt(v.Data[i])/bc2Sqrt + eps
		p.Data[i] -= stepSize * (m.Data[i] / denom)
	}
}
