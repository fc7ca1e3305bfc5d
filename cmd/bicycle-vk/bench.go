package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"time"

	"github.com/spf13/pflag"

	"bicycle-vk/bicycle"
	"bicycle-vk/graph"
	"bicycle-vk/vk"
)

// benchResult is what `bench --json` prints.
type benchResult struct {
	Device          string             `json:"device"`
	ImgSize         int                `json:"img_size"`
	Iters           int                `json:"iters"`
	MedianS         float64            `json:"median_s"`
	MinS            float64            `json:"min_s"`
	MaxS            float64            `json:"max_s"`
	GFLOPPerIter    float64            `json:"gflop_per_iter"`
	GFLOPS          float64            `json:"gflop_per_s"`
	PeakDeviceBytes int64              `json:"peak_device_bytes"`
	Memory          map[string]int64   `json:"memory_bytes"`
	GPUTimeS        float64            `json:"gpu_time_s"`
	OpShare         map[string]float64 `json:"gpu_time_share_by_op"`
	HostShare       float64            `json:"host_share"`
	DriverShare     float64            `json:"driver_share"`
}

func runBench(args []string) error {
	fs := pflag.NewFlagSet("bench", pflag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: bicycle-vk bench [flags]\n\n"+
			"Times the full training iteration (D step, G/E step with the latent loss, Adam) on random\n"+
			"data after warm-up, and reports seconds per iteration, GFLOP/s, peak device memory and\n"+
			"the share of GPU time by op kind.\n\nflags:")
		fs.PrintDefaults()
	}
	imgSize := fs.Int("img_size", 128, "image size (power of two, 32 to 256)")
	iters := fs.Int("iters", 5, "timed iterations")
	warmup := fs.Int("warmup", 1, "untimed iterations first")
	device := fs.String("device", "", "Vulkan device: index or name substring (see `bicycle-vk devices`)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	ngf := fs.Int("ngf", 64, "generator width")
	nef := fs.Int("nef", 64, "encoder width")
	ndf := fs.Int("ndf", 64, "discriminator width")
	fs.IntVar(imgSize, "img-size", 128, "alias of --img_size")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return err
	}
	if *iters < 1 || *warmup < 0 {
		return fmt.Errorf("--iters must be at least 1 and --warmup at least 0")
	}
	cfg := bicycle.Config{ImgSize: *imgSize, NZ: 8, NGF: *ngf, NEF: *nef, NDF: *ndf}
	if err := cfg.Validate(); err != nil {
		return err
	}
	dev, err := vk.Open(vk.Options{Device: *device})
	if err != nil {
		return err
	}
	defer dev.Close()
	e := graph.NewEngine(dev)
	m, err := bicycle.NewModel(e, cfg)
	if err != nil {
		return err
	}
	defer m.Graph.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	if err := bicycle.InitParams(m.Graph.Params(), rng); err != nil {
		return err
	}
	tr, err := bicycle.NewProfiledTrainer(m, 1, bicycle.DefaultHyper())
	if err != nil {
		return err
	}
	n := 3 * cfg.ImgSize * cfg.ImgSize
	fill := func(k int, normal bool) []float32 {
		out := make([]float32, k)
		for i := range out {
			if normal {
				out[i] = float32(rng.NormFloat64())
			} else {
				out[i] = float32(rng.Float64()*2 - 1)
			}
		}
		return out
	}
	batch := bicycle.Batch{A1: fill(n, false), B1: fill(n, false), A2: fill(n, false), B2: fill(n, false)}
	noise := bicycle.Noise{EpsD: fill(8, true), ZD: fill(8, true), EpsG: fill(8, true), ZG: fill(8, true)}
	var times []float64
	var gpuTotal, runTotal float64
	share := map[string]float64{}
	for i := 0; i < *warmup+*iters; i++ {
		start := time.Now()
		if _, err := tr.Step(batch, noise); err != nil {
			return err
		}
		if i >= *warmup {
			times = append(times, time.Since(start).Seconds())
			for _, p := range tr.Phases() {
				runTotal += p.Recorder().LastRunTime().Seconds()
			}
			ops, total, err := tr.Profile()
			if err == nil {
				gpuTotal += total
				for _, o := range ops {
					share[o.Op] += o.Seconds
				}
			}
		}
	}
	sorted := append([]float64(nil), times...)
	sort.Float64s(sorted)
	mem := tr.Memory()
	res := benchResult{Device: dev.Info.Name, ImgSize: cfg.ImgSize, Iters: *iters,
		MedianS: sorted[len(sorted)/2], MinS: sorted[0], MaxS: sorted[len(sorted)-1],
		GFLOPPerIter: tr.FLOPs() / 1e9, PeakDeviceBytes: mem.Total(),
		Memory: map[string]int64{"parameters": mem.Parameters, "gradients": mem.Gradients,
			"adam_moments": mem.AdamMoments, "activations": mem.Activations, "other": mem.Other},
		GPUTimeS: gpuTotal / float64(*iters), OpShare: map[string]float64{}}
	res.GFLOPS = res.GFLOPPerIter / res.MedianS
	if gpuTotal > 0 {
		for k, v := range share {
			res.OpShare[k] = v / gpuTotal
		}
		mean := 0.0
		for _, x := range times {
			mean += x
		}
		mean /= float64(len(times))
		run := runTotal / float64(*iters)
		res.HostShare = max(0, 1-run/mean)
		res.DriverShare = max(0, (run-res.GPUTimeS)/mean)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Printf("device            %s\n", res.Device)
	fmt.Printf("iteration         %dx%d, widths %d/%d/%d, batch 2 (1 pair per half)\n", cfg.ImgSize, cfg.ImgSize, cfg.NGF, cfg.NEF, cfg.NDF)
	fmt.Printf("seconds/iter      median %.3f  min %.3f  max %.3f  (%d iterations after %d warm-up)\n",
		res.MedianS, res.MinS, res.MaxS, *iters, *warmup)
	fmt.Printf("work              %.2f GFLOP/iter (conv + linear, multiply-add = 2), %.1f GFLOP/s\n", res.GFLOPPerIter, res.GFLOPS)
	fmt.Printf("device memory     %.1f MiB peak (parameters %.1f, gradients %.1f, Adam %.1f, activations %.1f, other %.1f)\n",
		mib(mem.Total()), mib(mem.Parameters), mib(mem.Gradients), mib(mem.AdamMoments), mib(mem.Activations), mib(mem.Other))
	if gpuTotal > 0 {
		fmt.Printf("GPU time          %.3f s/iter; host work %.2f%% of wall time, driver between dispatches %.1f%%\n",
			res.GPUTimeS, 100*res.HostShare, 100*res.DriverShare)
		type kv struct {
			k string
			v float64
		}
		var ks []kv
		for k, v := range res.OpShare {
			ks = append(ks, kv{k, v})
		}
		sort.Slice(ks, func(a, b int) bool { return ks[a].v > ks[b].v })
		for _, x := range ks {
			if x.v >= 0.001 {
				fmt.Printf("  %-36s %5.1f%%\n", x.k, 100*x.v)
			}
		}
	}
	return nil
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
