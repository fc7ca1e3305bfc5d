package ref

import (
	"fmt"
	"testing"
)

func TestLinearGrad(t *testing.T) {
	cases := []struct {
		n, in, out int
		bias       bool
	}{
		{1, 1, 1, true},
		{3, 5, 7, true},
		{2, 64, 8, false},
		{1, 512, 16, true}, // wide input exercises subsampling
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("n%d_in%d_out%d_bias%v", c.n, c.in, c.out, c.bias), func(t *testing.T) {
			rng := newRNG(uint64(700 + i))
			x, w := Rand(rng, c.n, c.in), Rand(rng, c.out, c.in)
			var b *Tensor
			if c.bias {
				b = Rand(rng, c.out)
			}
			r := Rand(rng, c.n, c.out)
			dx, dw, db := LinearBackward(x, w, r)
			ps := []param{{"x", x, dx}, {"w", w, dw}}
			if b != nil {
				ps = append(ps, param{"b", b, db})
			}
			gradCheck(t, rng, func() float64 { return project(Linear(x, w, b), r) }, ps)
		})
	}
}

func TestLinearForwardHand(t *testing.T) {
	x := FromData([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	w := FromData([]float64{1, 0, 0, 0, 1, 1}, 2, 3) // w is [out, in]
	b := FromData([]float64{10, 20}, 2)
	assertClose(t, "Linear", Linear(x, w, b), FromData([]float64{11, 25, 14, 31}, 2, 2), 0)
}
