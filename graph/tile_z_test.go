package graph

import (
	"testing"

	"bicycle-vk/graph/ref"
)

// TestTileZ broadcasts z over maps of several sizes. Tolerance 0: the values
// are float32 already (randRounded32) and only copied.
func TestTileZ(t *testing.T) {
	e := engine(t)
	cases := []struct{ n, z, h, w int }{
		{1, 1, 1, 1},
		{3, 8, 1, 1},
		{1, 8, 2, 2},
		{3, 7, 5, 3},
		{3, 8, 128, 128},
		{1, 512, 2, 2},
	}
	for ci, c := range cases {
		t.Run("", func(t *testing.T) {
			z := randRounded32(rng(uint64(300+ci)), c.n, c.z)
			y := empty(t, e, c.n, c.z, c.h, c.w)
			r := e.NewRec(false)
			r.TileZ(y, upload(t, e, z))
			run(t, r)
			expectClose(t, "tile_z", y, ref.TileZ(z, c.h, c.w), 0)
		})
	}
}

func TestTileZShapeErrors(t *testing.T) {
	e := engine(t)
	z := empty(t, e, 2, 8)
	for _, shape := range [][]int{{2, 8}, {2, 7, 3, 3}, {1, 8, 3, 3}, {2, 8, 3}} {
		r := e.NewRec(false)
		r.TileZ(empty(t, e, shape...), z)
		if r.Err() == nil || r.Recorder().Len() != 0 {
			t.Errorf("y %v: err %v, %d dispatches", shape, r.Err(), r.Recorder().Len())
		}
		r.Close()
	}
}
