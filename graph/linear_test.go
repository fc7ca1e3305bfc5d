package graph

import (
	"fmt"
	"testing"

	"bicycle-vk/graph/ref"
)

func TestLinear(t *testing.T) {
	e := engine(t)
	cases := []struct {
		N, I, O int
		acc     bool
	}{
		{1, 1, 1, false},
		{3, 7, 5, true},
		{1, 256, 8, false}, // the encoder's heads
		{3, 512, 8, true},
		{3, 64, 64, false},
		{2, 33, 130, false},
	}
	for ci, c := range cases {
		t.Run(fmt.Sprintf("%dx%dx%d", c.N, c.I, c.O), func(t *testing.T) {
			g := rng(uint64(400 + ci))
			x, w, b, dy := rand32(g, 0, c.N, c.I), rand32(g, 0, c.O, c.I), rand32(g, 0, c.O), rand32(g, 0, c.N, c.O)
			wdx, wdw, wdb := ref.LinearBackward(x, w, dy)
			var dx, dw, db *Tensor
			if c.acc {
				p0, p1, p2 := rand32(g, 0, c.N, c.I), rand32(g, 0, c.O, c.I), rand32(g, 0, c.O)
				dx, dw, db = upload(t, e, p0), upload(t, e, p1), upload(t, e, p2)
				wdx, wdw, wdb = ref.Add(p0, wdx), ref.Add(p1, wdw), ref.Add(p2, wdb)
			} else {
				dx, dw, db = empty(t, e, c.N, c.I), empty(t, e, c.O, c.I), empty(t, e, c.O)
			}
			gx, gw, gdy := upload(t, e, x), upload(t, e, w), upload(t, e, dy)
			y := empty(t, e, c.N, c.O)
			r := e.NewRec(false)
			r.Linear(y, gx, gw, upload(t, e, b))
			r.LinearBackwardData(dx, gw, gdy, c.acc)
			r.LinearBackwardWeight(dw, gx, gdy, c.acc)
			r.ChannelSum(db, gdy, c.acc)
			run(t, r)
			// Sequential dot products of I, O and N terms respectively.
			check(t, "y", y, ref.Linear(x, w, b), tolFor(c.I+1))
			check(t, "dx", dx, wdx, tolFor(c.O))
			check(t, "dw", dw, wdw, tolFor(c.N))
			check(t, "db", db, wdb, tolFor(c.N))
		})
	}
}
