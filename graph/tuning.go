package graph

import "bicycle-vk/vk"

// ConvTile is one convolution kernel's blocking: WG invocations per
// workgroup, each computing TM output channels x TN outputs.
type ConvTile struct{ WG, TM, TN int }

// Tuning holds the per-device blocking of the convolution family.
type Tuning struct {
	Conv  ConvTile // conv2d forward and conv_transpose2d's input gradient
	ConvT ConvTile // conv_transpose2d forward and conv2d's input gradient
	WGrad ConvTile // weight gradients (TN counts weight entries here)
}

// TuningFor picks tiles for a device. lavapipe runs a workgroup on one CPU
// thread as 8-wide SIMD, so it wants small workgroups (more of them to spread
// over threads) and big register blocks; GPUs want wide workgroups.
func TuningFor(info vk.DeviceInfo) Tuning {
	if info.Type == vk.CPU {
		return Tuning{
			Conv:  ConvTile{WG: 16, TM: 8, TN: 2},
			ConvT: ConvTile{WG: 16, TM: 8, TN: 2},
			WGrad: ConvTile{WG: 16, TM: 4, TN: 4},
		}
	}
	return Tuning{
		Conv:  ConvTile{WG: 64, TM: 8, TN: 2},
		ConvT: ConvTile{WG: 64, TM: 8, TN: 2},
		WGrad: ConvTile{WG: 64, TM: 4, TN: 4},
	}
}
