package graph

import (
	"fmt"

	"bicycle-vk/vk"
)

// ConvTile is one convolution kernel's blocking: WG invocations per
// workgroup, each computing TM output channels x TN outputs, with the
// shader's strategy Mode (its spec constant MODE):
//
//	conv2d / conv_transpose2d: 0 lanes over output pixels (weights uniform),
//	                           1 lanes over output channels (inputs uniform),
//	                           2 lanes over windows of TN neighbouring output
//	                             columns of one row (stride fixed per pipeline);
//	conv2d_weight_grad:        0 split-K over pixels + shared-memory tree,
//	                           1 lanes over weight entries, no split-K.
type ConvTile struct{ WG, TM, TN, Mode int }

// String shows a tile as `bicycle-vk devices` prints it.
func (t ConvTile) String() string {
	if t.WG == 0 {
		return "off"
	}
	return fmt.Sprintf("%d lanes x %d channels x %d outputs, mode %d", t.WG, t.TM, t.TN, t.Mode)
}

// Tuning holds the per-device blocking of the convolution family.
type Tuning struct {
	Conv  ConvTile // conv2d forward and conv_transpose2d's input gradient
	ConvT ConvTile // conv_transpose2d forward and conv2d's input gradient
	WGrad ConvTile // weight gradients (TN counts weight entries here)
	// WGradRows: conv2d_weight_grad.comp's sliding-row tile (Mode 2), used at
	// stride 1 with kernels at least 3 wide (1x1 kernels measured slower than
	// Mode 1, stride 2 inconclusive) when there are at least WG kernel rows
	// Ci*KH; WG 0 disables it.
	WGradRows ConvTile

	// FewPixels: a conv or transposed conv whose output has at most this many
	// pixels (per stride parity class for the transposed one) uses ConvFew /
	// ConvTFew instead; 0 disables them.
	FewPixels         int
	ConvFew, ConvTFew ConvTile

	// Rows: conv2d.comp's row-window tile (Mode 2), used at stride 1 with
	// 4-wide kernels and more than FewPixels outputs (Tuning.rows); it also
	// runs such stride-1 transposed convolutions (conv2d's input gradient)
	// with a flipped weight view. WG 0 disables it.
	Rows ConvTile
	// ConvTRows: conv_transpose2d.comp's row-window tile (Mode 2) at stride 2
	// with more than FewPixels outputs per parity class; WG 0 disables it.
	ConvTRows ConvTile

	// Gemm: conv_gemm.comp's tiles (WG is always 8: one subgroup; Mode is
	// its 8-step groups per chunk, 0 or 1 meaning 1), which
	// read tensors through buffer device addresses and take every pass they
	// fit ahead of the kernels above: conv2d and conv_transpose2d's input
	// gradient (GemmConv), conv_transpose2d and conv2d's input gradient
	// (GemmConvT) with at least GemmMinCols output pixels (per parity
	// class), and both weight gradients (GemmWGrad). WG 0 disables one.
	GemmConv, GemmConvT, GemmWGrad ConvTile
	GemmMinCols                    int
	// GemmFew: conv_gemm_few.comp's tile for convs and transposed convs
	// with 2 to GemmMinCols-1 output pixels (per parity class): lanes over
	// channels, TM channels per lane, TN pixels per workgroup at most. A
	// single pixel stays on the few-pixel tiles: there each weight is used
	// once and per-lane gathers of rows K apart measured 2x slower.
	GemmFew ConvTile
	// GemmRows, GemmRowsT: conv_gemm_rows.comp's tiles (TN neighbouring
	// output columns per lane) for the convs (and transposed convs' input
	// gradients; its OP 0) and for the transposed convs (and convs' input
	// gradients; OP 1) that conv_gemm.comp would take; WG 0 disables one.
	GemmRows, GemmRowsT ConvTile
	// GemmSmallT: convt_small.comp for transposed convs (and conv2d input
	// gradients) of maps of at most 4 pixels into at most 16, TM channels
	// per lane; WG 0 disables it.
	GemmSmallT ConvTile
}

// gemmOK says whether conv_gemm.comp can run on a device: it reads through
// buffer device addresses and hands values between the 8 lanes of a
// workgroup that must be one whole subgroup, with subgroupShuffle.
func gemmOK(info vk.DeviceInfo) bool {
	return info.BufferAddress && info.SubgroupShuffle && info.SubgroupSize == 8
}

// TuningFor picks tiles for a device. lavapipe runs a workgroup on one CPU
// thread as 8-wide SIMD, so it wants small workgroups (more of them to spread
// over threads), big register blocks, and no shared memory; GPUs want wide
// workgroups.
func TuningFor(info vk.DeviceInfo) Tuning {
	if info.Type == vk.CPU {
		t := Tuning{
			Conv:      ConvTile{WG: 8, TM: 8, TN: 4},
			ConvT:     ConvTile{WG: 8, TM: 8, TN: 4},
			WGrad:     ConvTile{WG: 32, TM: 8, TN: 4, Mode: 1},
			FewPixels: 16,
			ConvFew:   ConvTile{WG: 8, TM: 8, TN: 8, Mode: 1},
			ConvTFew:  ConvTile{WG: 8, TM: 8, TN: 8, Mode: 1},
			Rows:      ConvTile{WG: 8, TM: 8, TN: 4, Mode: 2},
			ConvTRows: ConvTile{WG: 8, TM: 8, TN: 4, Mode: 2},
			WGradRows: ConvTile{WG: 8, TM: 8, TN: 1, Mode: 2},
		}
		if gemmOK(info) {
			// 32 channels x 8 columns per lane: in-process A/B over the
			// networks' 63 conv passes (best of 6), sums of GPU time:
			// 16x4 430 ms, 16x8 383, 32x4 373, 32x8 350, 64x8 351. 64x8
			// wins some transposed convs and weight gradients by 5-10%
			// but compiles 3.5x longer (lavapipe: ~70 s against 20 s for
			// those passes), and 64x16 or 128x8 did not compile at all
			// before the stores lost their breaks (see conv_gemm.comp).
			t.GemmConv = ConvTile{WG: 8, TM: 32, TN: 8}
			t.GemmConvT = ConvTile{WG: 8, TM: 32, TN: 8}
			// Mode 2: 16-step chunks where K allows (conv_gemm.comp's CHS).
			// In-process A/B on the weight gradients with 256+ output
			// pixels: 1.07-1.11x (G.up_6 58.4 -> 65.0 GFLOP/s).
			t.GemmWGrad = ConvTile{WG: 8, TM: 32, TN: 8, Mode: 2}
			// Measured on G's small layers: at 16 pixels (one vector of 8
			// lanes x 2) the gather kernel is 1.5-2.4x the few-pixel tiles,
			// at 4 it is even, at 1 it is 2-3x slower.
			t.GemmMinCols = 8
			t.GemmFew = ConvTile{WG: 8, TM: 4, TN: 8}
			// OP 0 runs best at 16 channels, OP 1 at 32 (in-process A/B,
			// GFLOP/s, 16x8 against 32x8): convs G.down_3 70.7 vs 65.5,
			// D.d2_2 78.4 vs 72.7, transposed convs' input gradients G.up_5
			// 72.2 vs 66.4; transposed convs G.up_5 56.4 vs 66.6, convs'
			// input gradients G.down_3 57.4 vs 64.6.
			t.GemmRows = ConvTile{WG: 8, TM: 16, TN: 8}
			t.GemmRowsT = ConvTile{WG: 8, TM: 32, TN: 8}
			// G.up_2's forward per iteration (4 passes): 54.3 ms on
			// conv_gemm_few.comp; here 32.7, 23.7, 20.7 ms at 1, 4, 8
			// channels per lane.
			t.GemmSmallT = ConvTile{WG: 8, TM: 8}
		}
		return t
	}
	return Tuning{
		Conv:  ConvTile{WG: 64, TM: 8, TN: 2},
		ConvT: ConvTile{WG: 64, TM: 8, TN: 2},
		WGrad: ConvTile{WG: 64, TM: 4, TN: 4},
	}
}
