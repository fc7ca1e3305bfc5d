package main

import (
	"fmt"
	"os"
	"time"

	"bicycle-vk/bicycle"
	"bicycle-vk/graph"
	"bicycle-vk/vk"
)

// demoSettings are the flags `train` uses on the bundled demo dataset when
// the user leaves them unset: 64 px and widths 8, so that a 2-core CPU runs
// about 9 iterations/s and z starts moving fill colours after ~800
// iterations; 12 epochs are 2,400 iterations, about 4.5 minutes there
// (README, "The demo").
var demoSettings = map[string]string{
	"img_size": "64", "ngf": "8", "nef": "8", "ndf": "8", "num_epoch": "12",
	"save_every": "400", "test_size": "8", "test_img_num": "5",
}

func runTrain(args []string) error {
	fs := newFlags("train", "usage: bicycle-vk train [flags]\n\n"+
		"Trains BicycleGAN (cVAE-GAN + cLR-GAN) on an aligned A|B dataset: ROOT/train and ROOT/val\n"+
		"holding images with A on the left half and B on the right (pix2pix's format, e.g. edges2shoes).\n"+
		"Without --root it trains on the bundled demo dataset (outlines -> coloured shapes) with\n"+
		"small settings. Writes a loss log and sample grids to --result_dir, weights to --weight_dir.")
	def := bicycle.DefaultConfig()
	hp := bicycle.DefaultHyper()
	root := fs.String("root", "", "dataset folder with train/ and val/ (default: the bundled demo dataset)")
	resultDir := fs.String("result_dir", "result", "where sample grids and loss.csv go")
	weightDir := fs.String("weight_dir", "weight", "where weights and the training state go")
	batch := fs.Int("batch_size", 2, "pairs per iteration, even: half to cVAE-GAN, half to cLR-GAN")
	testSize := fs.Int("test_size", 20, "val images (grid rows) in each sample grid")
	testImgNum := fs.Int("test_img_num", 5, "outputs per row of a sample grid")
	imgSize := fs.Int("img_size", def.ImgSize, "image size: a power of two from 32 to 256")
	lr := fs.Float64("lr", hp.LR, "Adam learning rate")
	beta1 := fs.Float64("beta_1", hp.Beta1, "Adam beta1")
	beta2 := fs.Float64("beta_2", hp.Beta2, "Adam beta2")
	lkl := fs.Float64("lambda_kl", hp.LambdaKL, "weight of the KL loss")
	limg := fs.Float64("lambda_img", hp.LambdaImg, "weight of the image reconstruction (L1) loss")
	lz := fs.Float64("lambda_z", hp.LambdaZ, "weight of the latent reconstruction (L1) loss")
	zdim := fs.Int("z_dim", def.NZ, "latent code length")
	numEpoch := fs.Int("num_epoch", 100, "epochs at the full learning rate")
	decay := fs.Int("num_epoch_decay", 0, "further epochs with the learning rate falling linearly towards 0")
	saveEvery := fs.Int("save_every", 1000, "iterations between sample grids and latest-weight saves")
	loadWeight := fs.Bool("load_weight", false, "resume from --weight_dir: weights, Adam moments, position and RNG state")
	seed := fs.Uint64("seed", 0, "seed for initialisation, data order and noise")
	device := fs.String("device", "", "Vulkan device: index or name substring (see `bicycle-vk devices`)")
	ngf := fs.Int("ngf", def.NGF, "generator width")
	nef := fs.Int("nef", def.NEF, "encoder width")
	ndf := fs.Int("ndf", def.NDF, "discriminator width")
	condD := fs.Bool("conditional_D", false, "discriminators see cat(A, B) instead of B")
	direction := fs.String("direction", "AtoB", "AtoB, or BtoA to swap the halves")
	maxIters := fs.Int("max_iters", 0, "stop after this many iterations in this run, saving a resumable checkpoint (0: no limit)")
	if err := parse(fs, args); err != nil {
		if err == errHelp {
			return nil
		}
		return err
	}
	demo := *root == ""
	if demo {
		r, err := demoRoot()
		if err != nil {
			return err
		}
		*root = r
		var applied []string
		for k, v := range demoSettings {
			if !fs.Changed(k) {
				fs.Set(k, v)
				applied = append(applied, "--"+k+"="+v)
			}
		}
		fmt.Printf("no --root: training on the bundled demo dataset in %s\n", r)
		if len(applied) > 0 {
			fmt.Printf("demo settings for flags left unset: %v\n", applied)
		}
	}
	cfg := bicycle.Config{ImgSize: *imgSize, NZ: *zdim, NGF: *ngf, NEF: *nef, NDF: *ndf, ConditionalD: *condD}
	if err := cfg.Validate(); err != nil {
		return err
	}
	checks := []struct {
		bad bool
		msg string
	}{
		{*batch < 2 || *batch%2 != 0, fmt.Sprintf("--batch_size %d: must be even and at least 2", *batch)},
		{*testSize < 0 || *testImgNum < 0, "--test_size and --test_img_num must be 0 or more"},
		{*lr <= 0, fmt.Sprintf("--lr %g: must be positive", *lr)},
		{*beta1 < 0 || *beta1 >= 1 || *beta2 < 0 || *beta2 >= 1, "--beta_1 and --beta_2 must be in [0, 1)"},
		{*lkl < 0 || *limg < 0 || *lz < 0, "--lambda_kl, --lambda_img and --lambda_z must be 0 or more"},
		{*numEpoch < 0 || *decay < 0 || *numEpoch+*decay == 0, "--num_epoch and --num_epoch_decay must be 0 or more, not both 0"},
		{*saveEvery < 0 || *maxIters < 0, "--save_every and --max_iters must be 0 or more"},
		{*direction != "AtoB" && *direction != "BtoA", fmt.Sprintf("--direction %q: must be AtoB or BtoA", *direction)},
	}
	for _, c := range checks {
		if c.bad {
			return fmt.Errorf("%s", c.msg)
		}
	}
	dev, err := vk.Open(vk.Options{Device: *device})
	if err != nil {
		return err
	}
	defer dev.Close()
	fmt.Printf("device: %s\n", dev.Info.Name)
	start := time.Now()
	sum, err := bicycle.Train(graph.NewEngine(dev), bicycle.TrainOptions{
		Root: *root, ResultDir: *resultDir, WeightDir: *weightDir, Cfg: cfg,
		Hyper:     bicycle.Hyper{LR: *lr, Beta1: *beta1, Beta2: *beta2, LambdaKL: *lkl, LambdaImg: *limg, LambdaZ: *lz},
		BatchSize: *batch, TestSize: *testSize, TestImgNum: *testImgNum, NumEpoch: *numEpoch, NumEpochDecay: *decay,
		SaveEvery: *saveEvery, LoadWeight: *loadWeight, Seed: *seed, Direction: *direction, MaxIters: *maxIters,
		ScoreDemo: demo,
		Progress:  os.Stdout, Warn: func(s string) { fmt.Fprintln(os.Stderr, "warning:", s) },
	})
	if sum != nil {
		fmt.Printf("done: %d iterations, %d epochs in %s; %d unusable files skipped; last losses D %.4f GAN %.4f KL %.4f img %.4f z %.4f\n",
			sum.Iterations, sum.Epochs, time.Since(start).Round(time.Second), sum.Skipped,
			sum.Last.D, sum.Last.GAN, sum.Last.KL, sum.Last.Img, sum.Last.Z)
		fmt.Printf("results in %s, weights in %s\n", *resultDir, *weightDir)
	}
	return err
}
