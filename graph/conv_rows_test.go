package graph

import (
	"testing"

	"bicycle-vk/graph/ref"
)

// TestConvRows covers the row-window conv (conv2d.comp MODE 2, also run for
// stride-1 transposed convs with the flipped weight view) and the sliding-row
// weight gradient (conv2d_weight_grad.comp MODE 2) on awkward shapes: batch 2,
// odd maps not a multiple of TN, every padding a 4x4 kernel allows, channel
// counts that are not a multiple of TM, a single output channel.
func TestConvRows(t *testing.T) {
	for _, ce := range convEngines(t) {
		t.Run(ce.name, func(t *testing.T) { testConvRows(t, ce.e) })
	}
}

func testConvRows(t *testing.T, e *Engine) {
	cases := []convCase{
		{"rows_pad1", 2, 5, 9, 7, 13, 4, 4, 1, 1},
		{"rows_pad0", 2, 3, 6, 11, 9, 4, 4, 1, 0},
		{"rows_pad2", 1, 4, 5, 6, 1, 4, 4, 1, 2},
		{"rows_pad3", 1, 9, 7, 5, 17, 4, 4, 1, 3},
		{"rows_k3", 2, 10, 9, 13, 7, 3, 3, 1, 1},
	}
	for i, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			g := rng(uint64(300 + i))
			oh, ow := Conv2dOutSize(c.H, c.KH, c.stride, c.pad), Conv2dOutSize(c.W, c.KW, c.stride, c.pad)
			x := ref.Rand(g, c.N, c.Ci, c.H, c.W)
			w := ref.Rand(g, c.Co, c.Ci, c.KH, c.KW)
			b := ref.Rand(g, c.Co)
			dy := ref.Rand(g, c.N, c.Co, oh, ow)
			dx0, dw0 := ref.Rand(g, c.N, c.Ci, c.H, c.W), ref.Rand(g, c.Co, c.Ci, c.KH, c.KW)
			gx, gw, gb, gdy := upload(t, e, x), upload(t, e, w), upload(t, e, b), upload(t, e, dy)
			gy := empty(t, e, c.N, c.Co, oh, ow)
			gdx, gdw := upload(t, e, dx0), upload(t, e, dw0) // accumulated into
			// The transposed conv that maps dy's shape back to x's: its weight is
			// w read as [Ci_t=Co, Co_t=Ci, KH, KW], its output has x's shape.
			gt := empty(t, e, c.N, c.Ci, c.H, c.W)
			r := e.NewRec(false)
			r.Conv2d(gy, gx, gw, gb, c.stride, c.pad)
			r.Conv2dBackwardData(gdx, gw, gdy, c.stride, c.pad, true)
			r.Conv2dBackwardWeight(gdw, gx, gdy, c.stride, c.pad, true)
			if ConvTranspose2dOutSize(oh, c.KH, c.stride, c.pad) == c.H && ConvTranspose2dOutSize(ow, c.KW, c.stride, c.pad) == c.W {
				r.ConvTranspose2d(gt, gdy, gw, nil, c.stride, c.pad)
			}
			run(t, r)
			dx, dw, _ := ref.Conv2dBackward(x, w, dy, c.stride, c.pad)
			expectClose(t, "y", gy, ref.Conv2d(x, w, b, c.stride, c.pad), tolFor(c.Ci*c.KH*c.KW))
			expectClose(t, "dx", gdx, ref.Add(dx0, dx), tolFor(c.Co*c.KH*c.KW))
			expectClose(t, "dw", gdw, ref.Add(dw0, dw), tolFor(c.N*oh*ow))
			if ConvTranspose2dOutSize(oh, c.KH, c.stride, c.pad) == c.H && ConvTranspose2dOutSize(ow, c.KW, c.stride, c.pad) == c.W {
				expectClose(t, "convT", gt, dx, tolFor(c.Co*c.KH*c.KW))
			}
		})
	}
}
