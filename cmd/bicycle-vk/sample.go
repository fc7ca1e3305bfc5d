package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"bicycle-vk/bicycle"
	"bicycle-vk/graph"
	"bicycle-vk/vk"
)

func runSample(args []string) error {
	fs := newFlags("sample", "usage: bicycle-vk sample [flags]\n\n"+
		"Samples a trained generator (rebuilt from the weight file's metadata: no size flags).\n"+
		"  --sample_type random         for every val image, --img_num outputs with z ~ N(0, I):\n"+
		"                               RESULT_DIR/random_<epoch|latest>.png, one row per image (A first)\n"+
		"  --sample_type interpolation  z moves linearly from one random code to another in --img_num\n"+
		"  (or --interpolation)         steps: RESULT_DIR/interpolation_<epoch|latest>.png\n"+
		"  --input PATH                 translate your own A images (a file or a folder): writes\n"+
		"                               RESULT_DIR/<name>_NN.png, one per code (--z, or --img_num random)")
	sampleType := fs.String("sample_type", "random", "random or interpolation")
	interp := fs.Bool("interpolation", false, "same as --sample_type interpolation")
	root := fs.String("root", "", "dataset folder whose val/ is sampled (default: the bundled demo dataset)")
	resultDir := fs.String("result_dir", "test", "where the outputs go")
	weightDir := fs.String("weight_dir", "weight", "folder of the trained weights")
	imgNum := fs.Int("img_num", 5, "outputs per input image")
	epoch := fs.Int("epoch", -1, "use WEIGHT_DIR/<epoch>-G.safetensors instead of the latest G.safetensors")
	seed := fs.Uint64("seed", 0, "seed for the random latent codes")
	device := fs.String("device", "", "Vulkan device: index or name substring (see `bicycle-vk devices`)")
	input := fs.String("input", "", "translate this A image, or every image in this folder (no B needed)")
	zs := fs.StringArray("z", nil, "an explicit latent code v1,v2,... (repeat for several); with --input")
	direction := fs.String("direction", "AtoB", "AtoB, or BtoA to swap the halves of val images (default: as trained)")
	if err := parse(fs, args); err != nil {
		if err == errHelp {
			return nil
		}
		return err
	}
	if *interp {
		*sampleType = "interpolation"
	}
	if *sampleType != "random" && *sampleType != "interpolation" {
		return fmt.Errorf("--sample_type %q: must be random or interpolation", *sampleType)
	}
	if *imgNum < 1 {
		return fmt.Errorf("--img_num %d: must be at least 1", *imgNum)
	}
	if len(*zs) > 0 && *input == "" {
		return fmt.Errorf("--z goes with --input")
	}
	wpath := bicycle.WeightPath(*weightDir, "G", *epoch)
	cfg, err := bicycle.ReadWeightConfig(wpath)
	if err != nil {
		return err
	}
	if *direction != "AtoB" && *direction != "BtoA" {
		return fmt.Errorf("--direction %q: must be AtoB or BtoA", *direction)
	}
	if !fs.Changed("direction") {
		if *direction, err = bicycle.ReadWeightDirection(wpath); err != nil {
			return err
		}
	}
	var codes [][]float32
	for _, s := range *zs {
		z, err := parseCode(s, cfg.NZ)
		if err != nil {
			return fmt.Errorf("--z %q: %w", s, err)
		}
		codes = append(codes, z)
	}
	dev, err := vk.Open(vk.Options{Device: *device})
	if err != nil {
		return err
	}
	defer dev.Close()
	m, err := bicycle.NewModel(graph.NewEngine(dev), cfg)
	if err != nil {
		return err
	}
	defer m.Graph.Close()
	if _, err := m.LoadWeights(*weightDir, *epoch, "G"); err != nil {
		return err
	}
	batch := *imgNum
	if len(codes) > 0 {
		batch = len(codes)
	}
	sp, err := bicycle.NewSampler(m, min(batch, 8))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*resultDir, 0o755); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(*seed, 0x5a3))
	random := func(n int) [][]float32 {
		out := make([][]float32, n)
		for i := range out {
			out[i] = make([]float32, cfg.NZ)
			for j := range out[i] {
				out[i][j] = float32(rng.NormFloat64())
			}
		}
		return out
	}
	if *input != "" {
		return translateInputs(sp, cfg, *input, *resultDir, codes, *imgNum, random)
	}
	if *root == "" {
		if *root, err = demoRoot(); err != nil {
			return err
		}
		fmt.Printf("no --root: sampling the bundled demo dataset's val images (%s)\n", *root)
	}
	val, err := bicycle.LoadDataset(filepath.Join(*root, "val"), cfg.ImgSize, *direction,
		func(s string) { fmt.Fprintln(os.Stderr, "warning:", s) })
	if err != nil {
		return err
	}
	rowCodes := func(int) [][]float32 { return random(*imgNum) }
	if *sampleType == "interpolation" {
		rowCodes = func(int) [][]float32 {
			ends := random(2)
			return bicycle.Interpolate(ends[0], ends[1], *imgNum)
		}
	}
	img, err := bicycle.SampleGrid(sp, val.Pairs, rowCodes)
	if err != nil {
		return err
	}
	tag := "latest"
	if *epoch >= 0 {
		tag = strconv.Itoa(*epoch)
	}
	out := filepath.Join(*resultDir, fmt.Sprintf("%s_%s.png", *sampleType, tag))
	if err := bicycle.SavePNG(out, img); err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d rows: input A, then %d outputs)\n", out, len(val.Pairs), *imgNum)
	return nil
}

// parseCode reads "v1,v2,..." as a latent code of length nz.
func parseCode(s string, nz int) ([]float32, error) {
	parts := strings.Split(s, ",")
	if len(parts) != nz {
		return nil, fmt.Errorf("has %d values, the model's z has %d", len(parts), nz)
	}
	z := make([]float32, nz)
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 32)
		if err != nil {
			return nil, fmt.Errorf("value %d (%q) is not a number", i+1, p)
		}
		z[i] = float32(v)
	}
	return z, nil
}

// translateInputs runs G on the user's own A images.
func translateInputs(sp *bicycle.Sampler, cfg bicycle.Config, input, resultDir string, codes [][]float32,
	n int, random func(int) [][]float32) error {
	var files []string
	st, err := os.Stat(input)
	if err != nil {
		return fmt.Errorf("--input: %w", err)
	}
	if st.IsDir() {
		ents, err := os.ReadDir(input)
		if err != nil {
			return err
		}
		for _, e := range ents {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if !e.IsDir() && (ext == ".png" || ext == ".jpg" || ext == ".jpeg") {
				files = append(files, filepath.Join(input, e.Name()))
			}
		}
		sort.Strings(files)
		if len(files) == 0 {
			return fmt.Errorf("--input %s: no .png, .jpg or .jpeg images in the folder", input)
		}
	} else {
		files = []string{input}
	}
	// Inputs whose names differ only in the extension (a.png, a.jpg) keep it
	// in their output names (a.png_00.png, a.jpg_00.png) rather than
	// overwrite each other's; a name still taken gets a counter (a.png-2).
	stems := map[string]int{}
	stemOf := func(f string) string { return strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)) }
	for _, f := range files {
		stems[stemOf(f)]++
	}
	outName := map[string]string{}
	taken := map[string]bool{}
	for _, f := range files {
		base := stemOf(f)
		if stems[base] > 1 {
			base = filepath.Base(f)
		}
		name := base
		for k := 2; taken[name]; k++ {
			name = fmt.Sprintf("%s-%d", base, k)
		}
		taken[name] = true
		outName[f] = name
	}
	done := 0
	for _, f := range files {
		img, err := bicycle.LoadImage(f)
		if err != nil {
			if len(files) == 1 {
				return err
			}
			fmt.Fprintln(os.Stderr, "warning: skipping", err)
			continue
		}
		a := bicycle.ImageToCHW(img, cfg.ImgSize)
		zs := codes
		if len(zs) == 0 {
			zs = random(n)
		}
		outs, err := sp.Translate(a, zs)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		stem := outName[f]
		for i, y := range outs {
			path := filepath.Join(resultDir, fmt.Sprintf("%s_%02d.png", stem, i))
			if err := bicycle.SavePNG(path, bicycle.CHWToImage(y, cfg.ImgSize)); err != nil {
				return err
			}
		}
		fmt.Printf("%s: wrote %d images to %s\n", f, len(outs), resultDir)
		done++
	}
	if done == 0 {
		return fmt.Errorf("--input %s: none of the %d images could be read", input, len(files))
	}
	return nil
}
