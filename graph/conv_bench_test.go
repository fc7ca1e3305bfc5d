package graph

import (
	"math"
	"syscall"
	"testing"
	"time"

	"bicycle-vk/graph/ref"
)

// benchExtraConvs: the discriminators' and the encoder's heaviest layers at
// full width (batch 1), benchmarked but too slow for the float64 tests.
var benchExtraConvs = []convCase{
	{"D.d2_1", 1, 64, 64, 64, 128, 4, 4, 2, 1},
	{"D.d2_2", 1, 128, 32, 32, 256, 4, 4, 1, 1},
	{"D.d1_3", 1, 64, 16, 16, 128, 4, 4, 1, 1},
	{"D.d2_3", 1, 256, 31, 31, 1, 4, 4, 1, 1},
	{"E.b0_conv2", 1, 64, 64, 64, 128, 3, 3, 1, 1},
	{"E.b1_conv1", 1, 128, 32, 32, 128, 3, 3, 1, 1},
	{"E.b0_short", 1, 64, 32, 32, 128, 1, 1, 1, 0},
}

// BenchmarkConvKernels times each conv-family kernel on the 128x128
// generator's shapes (batch 1) and reports GFLOP/s (multiply-add = 2). The
// "ref" sub-benchmarks time the float64 CPU reference of the same pass in the
// same run, so `go test -bench Conv` prints both side by side.
//
//	go test ./graph -run '^$' -bench ConvKernels -benchtime 5x
func BenchmarkConvKernels(b *testing.B) {
	e := testEngine
	layers := []struct {
		c    convCase
		conv bool // false: transposed
	}{}
	for _, c := range conv2dCases[:7] {
		layers = append(layers, struct {
			c    convCase
			conv bool
		}{c, true})
	}
	for _, c := range benchExtraConvs {
		layers = append(layers, struct {
			c    convCase
			conv bool
		}{c, true})
	}
	for _, c := range convTCases[:7] {
		layers = append(layers, struct {
			c    convCase
			conv bool
		}{c, false})
	}
	for _, l := range layers {
		c := l.c
		var oh, ow int
		var wshape []int
		var flops float64
		if l.conv {
			oh, ow = Conv2dOutSize(c.H, c.KH, c.stride, c.pad), Conv2dOutSize(c.W, c.KW, c.stride, c.pad)
			wshape = []int{c.Co, c.Ci, c.KH, c.KW}
			flops = Conv2dFLOPs(c.N, c.Ci, c.Co, oh, ow, c.KH, c.KW)
		} else {
			oh, ow = ConvTranspose2dOutSize(c.H, c.KH, c.stride, c.pad), ConvTranspose2dOutSize(c.W, c.KW, c.stride, c.pad)
			wshape = []int{c.Ci, c.Co, c.KH, c.KW}
			flops = ConvTranspose2dFLOPs(c.N, c.Ci, c.Co, c.H, c.W, c.KH, c.KW)
		}
		g := rng(1)
		xr, wr, dyr := ref.Rand(g, c.N, c.Ci, c.H, c.W), ref.Rand(g, wshape...), ref.Rand(g, c.N, c.Co, oh, ow)
		x, w, dy := upload(b, e, xr), upload(b, e, wr), upload(b, e, dyr)
		y, dx, dw := empty(b, e, c.N, c.Co, oh, ow), empty(b, e, c.N, c.Ci, c.H, c.W), empty(b, e, wshape...)
		passes := []struct {
			name string
			rec  func(r *Rec)
			ref  func()
		}{
			{"forward", func(r *Rec) {
				if l.conv {
					r.Conv2d(y, x, w, nil, c.stride, c.pad)
				} else {
					r.ConvTranspose2d(y, x, w, nil, c.stride, c.pad)
				}
			}, func() {
				if l.conv {
					ref.Conv2d(xr, wr, nil, c.stride, c.pad)
				} else {
					ref.ConvTranspose2d(xr, wr, nil, c.stride, c.pad)
				}
			}},
			{"backward_data", func(r *Rec) {
				if l.conv {
					r.Conv2dBackwardData(dx, w, dy, c.stride, c.pad, false)
				} else {
					r.ConvTranspose2dBackwardData(dx, w, dy, c.stride, c.pad, false)
				}
			}, nil},
			{"backward_weight", func(r *Rec) {
				if l.conv {
					r.Conv2dBackwardWeight(dw, x, dy, c.stride, c.pad, false)
				} else {
					r.ConvTranspose2dBackwardWeight(dw, x, dy, c.stride, c.pad, false)
				}
			}, nil},
		}
		for _, p := range passes {
			b.Run(c.name+"/"+p.name, func(b *testing.B) {
				r := e.NewRec(true)
				defer r.Close()
				p.rec(r)
				if err := r.Run(); err != nil { // builds the pipeline and command buffer
					b.Fatal(err)
				}
				b.ResetTimer()
				cpu0 := cpuSeconds()
				best := math.Inf(1)
				for i := 0; i < b.N; i++ {
					if err := r.Run(); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					if ns := gpuNs(r); ns > 0 {
						best = min(best, ns)
					}
					b.StartTimer()
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				// The fastest run's dispatch time alone (timestamps): on a
				// shared machine steadier than wall time, and free of the
				// submit and wake-up cost of a one-dispatch recording.
				if !math.IsInf(best, 1) {
					b.ReportMetric(flops/best, "GFLOP/s-gpu-best")
				}
				// Per CPU second of this process (all driver threads): steadier
				// than wall time when other work shares the machine.
				b.ReportMetric(flops*float64(b.N)/(cpuSeconds()-cpu0)/1e9, "GFLOP/cpu-s")
			})
			if p.ref != nil {
				b.Run(c.name+"/"+p.name+"/ref", func(b *testing.B) {
					start := time.Now()
					for i := 0; i < b.N; i++ {
						p.ref()
					}
					b.ReportMetric(flops*float64(b.N)/time.Since(start).Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// gpuNs is the summed dispatch time of a recording's last Run (0 without
// timestamps).
func gpuNs(r *Rec) float64 {
	ts, err := r.Recorder().Timings()
	if err != nil {
		return 0
	}
	ns := 0.0
	for _, t := range ts {
		ns += t.Ns
	}
	return ns
}

// cpuSeconds is the user+system CPU time this process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) * 1e-9
}
