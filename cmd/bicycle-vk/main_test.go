package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"bicycle-vk/bicycle"
	"bicycle-vk/graph"
)

// These tests drive the real binary, as a user would.

var binary string

// mesaCache is one shader cache for every process the tests start: each
// test gets its own XDG_CACHE_HOME, which would otherwise move lavapipe's
// cache too and make every process compile every kernel again.
var mesaCache string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bicycle-vk-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "bicycle-vk")
	mesaCache = filepath.Join(dir, "mesa-cache")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run executes the binary in dir and returns its combined output.
func run(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+filepath.Join(dir, "cache"), "MESA_SHADER_CACHE_DIR="+mesaCache)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func mustRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := run(t, dir, args...)
	if err != nil {
		t.Fatalf("bicycle-vk %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// tiny are the flags of a model small enough to train in seconds.
var tiny = []string{"--img_size", "32", "--ngf", "4", "--nef", "4", "--ndf", "4", "--z_dim", "3",
	"--test_size", "2", "--test_img_num", "3", "--seed", "7"}

func dataset(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "data")
	if err := bicycle.WriteDemoDataset(root, 32, 12, 2, 3); err != nil {
		t.Fatal(err)
	}
	return root
}

func pngSize(t *testing.T, path string) (int, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return cfg.Width, cfg.Height
}

func lossRows(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

func TestTrainSampleEndToEnd(t *testing.T) {
	root := dataset(t)
	dir := t.TempDir()
	args := append([]string{"train", "--root", root, "--num_epoch", "1", "--save_every", "2", "--batch_size", "2"}, tiny...)
	out := mustRun(t, dir, args...)
	if !strings.Contains(out, "done: 6 iterations, 1 epochs") {
		t.Errorf("train output:\n%s", out)
	}
	// Weight files: latest and epoch 1, with the spec's names and shapes.
	for _, n := range bicycle.Networks {
		for _, p := range []string{bicycle.WeightPath(filepath.Join(dir, "weight"), n, -1), bicycle.WeightPath(filepath.Join(dir, "weight"), n, 1)} {
			if _, err := bicycle.ReadSafetensors(p); err != nil {
				t.Error(err)
			}
		}
	}
	g, err := bicycle.ReadSafetensors(filepath.Join(dir, "weight", "G.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{
		"downsample_1.conv_block.0.weight": {4, 6, 4, 4}, // 3 + z_dim inputs
		"downsample_2.conv_block.1.weight": {8},
		"downsample_5.conv_block.0.weight": {32, 32, 4, 4}, // innermost at 32 px
		"upsample_1.deconv_block.0.weight": {32, 32, 4, 4},
		"upsample_5.deconv_block.0.weight": {8, 3, 4, 4},
		"upsample_4.deconv_block.1.bias":   {4},
	}
	for name, shape := range want {
		ht, ok := g.Tensors[name]
		if !ok {
			t.Errorf("G.safetensors lacks %s", name)
		} else if !graph.SameShape(ht.Shape, shape) {
			t.Errorf("%s: shape %v, want %v", name, ht.Shape, shape)
		}
	}
	if _, ok := g.Tensors["downsample_5.conv_block.1.weight"]; ok {
		t.Error("the innermost block has an instance norm")
	}
	// A checkpoint is committed whole: no staged files or commit file stay.
	if left, _ := filepath.Glob(filepath.Join(dir, "weight", ".*")); len(left) != 0 {
		t.Errorf("weight folder keeps %v", left)
	}
	if st, err := os.Stat(filepath.Join(dir, "weight", "G.safetensors")); err != nil {
		t.Error(err)
	} else if st.Mode().Perm() != 0o644 {
		t.Errorf("G.safetensors has mode %v, want 0644", st.Mode())
	}
	if g.Metadata["img_size"] != "32" || g.Metadata["nz"] != "3" || g.Metadata["direction"] != "AtoB" {
		t.Errorf("metadata %v", g.Metadata)
	}
	if rows := lossRows(t, filepath.Join(dir, "result", "loss.csv")); len(rows) != 6 {
		t.Errorf("loss.csv has %d rows, want 6", len(rows))
	}
	// Grid: 2 rows of (A + 3 outputs) 32 px tiles with 2 px padding.
	if w, h := pngSize(t, filepath.Join(dir, "result", "iter_000002.png")); w != 4*32+5*2 || h != 2*32+3*2 {
		t.Errorf("grid is %dx%d", w, h)
	}

	mustRun(t, dir, "sample", "--root", root, "--img_num", "4")
	if w, h := pngSize(t, filepath.Join(dir, "test", "random_latest.png")); w != 5*32+6*2 || h != 2*32+3*2 {
		t.Errorf("random grid is %dx%d", w, h)
	}
	mustRun(t, dir, "sample", "--root", root, "--interpolation", "--img_num", "3", "--epoch", "1")
	if _, err := os.Stat(filepath.Join(dir, "test", "interpolation_1.png")); err != nil {
		t.Error(err)
	}
	in := filepath.Join(root, "val", "0000.png")
	mustRun(t, dir, "sample", "--input", in, "--z", "0,0,0", "--z", "1,-1,0.5", "--result_dir", "mine")
	for _, f := range []string{"0000_00.png", "0000_01.png"} {
		if w, h := pngSize(t, filepath.Join(dir, "mine", f)); w != 32 || h != 32 {
			t.Errorf("%s is %dx%d, want 32x32", f, w, h)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "mine", "0000_02.png")); err == nil {
		t.Error("more outputs than codes")
	}
	// A folder with a.png and a.jpg: neither's outputs overwrite the other's.
	both := filepath.Join(dir, "both")
	if err := os.MkdirAll(both, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := bicycle.LoadImage(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := bicycle.SavePNG(filepath.Join(both, "a.png"), src); err != nil {
		t.Fatal(err)
	}
	jf, err := os.Create(filepath.Join(both, "a.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(jf, src, nil); err != nil {
		t.Fatal(err)
	}
	jf.Close()
	if err := bicycle.SavePNG(filepath.Join(both, "a.png.png"), src); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, "sample", "--input", both, "--img_num", "1", "--result_dir", "both_out")
	for _, f := range []string{"a.png_00.png", "a.jpg_00.png", "a.png-2_00.png"} {
		if _, err := os.Stat(filepath.Join(dir, "both_out", f)); err != nil {
			t.Error(err)
		}
	}
}

// colourfulInFirstTile counts the strongly coloured pixels of a sample
// grid's first tile (the input image): the demo's A halves are black
// outlines on white, its B halves saturated fills.
func colourfulInFirstTile(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for y := 2; y < 2+32; y++ {
		for x := 2; x < 2+32; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if max(r, g, b)-min(r, g, b) > 100<<8 {
				n++
			}
		}
	}
	return n
}

// TestSampleUsesTrainedDirection: weights trained --direction BtoA are
// sampled BtoA unless --direction says otherwise.
func TestSampleUsesTrainedDirection(t *testing.T) {
	root := dataset(t)
	dir := t.TempDir()
	mustRun(t, dir, append([]string{"train", "--root", root, "--num_epoch", "1", "--direction", "BtoA"}, tiny...)...)
	mustRun(t, dir, "sample", "--root", root, "--img_num", "1")
	if n := colourfulInFirstTile(t, filepath.Join(dir, "test", "random_latest.png")); n < 50 {
		t.Errorf("sampled without --direction: %d coloured input pixels, want the B half (BtoA)", n)
	}
	mustRun(t, dir, "sample", "--root", root, "--img_num", "1", "--direction", "AtoB")
	if n := colourfulInFirstTile(t, filepath.Join(dir, "test", "random_latest.png")); n > 5 {
		t.Errorf("sampled with --direction AtoB: %d coloured input pixels, want the A half", n)
	}
}

// TestResumeMatchesUninterrupted: a run stopped mid-epoch (after 4
// iterations) or exactly at an epoch's end (after 6) and resumed gives the
// same losses as one that ran straight through, even when the stopped run
// logged rows after its checkpoint, the last one cut off, as a killed run
// does.
func TestResumeMatchesUninterrupted(t *testing.T) {
	root := dataset(t)
	straight := t.TempDir()
	common := append([]string{"train", "--root", root, "--num_epoch", "2", "--save_every", "0"}, tiny...)
	mustRun(t, straight, common...)
	a := lossRows(t, filepath.Join(straight, "result", "loss.csv"))
	if len(a) != 12 {
		t.Fatalf("%d logged iterations, want 12", len(a))
	}
	for _, stop := range []int{4, 6} {
		t.Run(fmt.Sprintf("stop after %d", stop), func(t *testing.T) {
			split := t.TempDir()
			out := mustRun(t, split, append(common, "--max_iters", fmt.Sprint(stop))...)
			if stop == 6 {
				if !strings.Contains(out, "done: 6 iterations, 1 epochs") {
					t.Errorf("a stop at the epoch's end did not finish the epoch:\n%s", out)
				}
				if _, err := os.Stat(filepath.Join(split, "weight", "1-G.safetensors")); err != nil {
					t.Error(err)
				}
			}
			log := filepath.Join(split, "result", "loss.csv")
			f, err := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			// What a run killed two iterations after its checkpoint leaves.
			fmt.Fprintf(f, "2,%d,9.9,9.9,9.9,9.9,9.9,0.0002,1.0\n2,%d,9.9,9.", stop+1, stop+2)
			f.Close()
			mustRun(t, split, append(common, "--load_weight")...)
			b := lossRows(t, log)
			if len(b) != 12 {
				t.Fatalf("%d logged iterations after resuming, want 12", len(b))
			}
			for i := range a {
				// Columns 0..7: epoch, iteration, five losses, lr (not the wall time).
				if strings.Join(a[i][:8], ",") != strings.Join(b[i][:8], ",") {
					t.Errorf("iteration %d: uninterrupted %v, resumed %v", i+1, a[i][:8], b[i][:8])
				}
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	root := dataset(t)
	dir := t.TempDir()
	mustRun(t, dir, append([]string{"train", "--root", root, "--num_epoch", "1", "--max_iters", "1", "--save_every", "0"}, tiny...)...)
	trunc := filepath.Join(dir, "trunc")
	os.MkdirAll(trunc, 0o755)
	g, _ := os.ReadFile(filepath.Join(dir, "weight", "G.safetensors"))
	os.WriteFile(filepath.Join(trunc, "G.safetensors"), g[:len(g)/2], 0o644)
	foreign := filepath.Join(dir, "foreign")
	os.MkdirAll(foreign, 0o755)
	e, _ := os.ReadFile(filepath.Join(dir, "weight", "E.safetensors"))
	os.WriteFile(filepath.Join(foreign, "G.safetensors"), e, 0o644)
	junk := filepath.Join(dir, "junk")
	os.MkdirAll(junk, 0o755)
	os.WriteFile(filepath.Join(junk, "G.safetensors"), []byte("not a weight file at all"), 0o644)
	empty := filepath.Join(dir, "empty")
	os.MkdirAll(filepath.Join(empty, "train"), 0o755)

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"odd batch", []string{"train", "--root", root, "--batch_size", "3"}, "batch_size 3"},
		{"negative size", []string{"train", "--root", root, "--img_size", "-64"}, "img_size -64"},
		{"size not a power of two", []string{"train", "--root", root, "--img_size", "100"}, "power of two"},
		{"bad direction", []string{"train", "--root", root, "--direction", "sideways"}, "AtoB or BtoA"},
		{"negative lr", []string{"train", "--root", root, "--lr", "-1"}, "--lr"},
		{"missing root", []string{"train", "--root", filepath.Join(dir, "nope")}, "nope"},
		{"empty train folder", []string{"train", "--root", empty}, filepath.Join(empty, "train")},
		{"unknown flag", []string{"train", "--bogus"}, "bogus"},
		{"z of the wrong length", []string{"sample", "--input", filepath.Join(root, "val", "0000.png"), "--z", "1,2"}, "has 2 values"},
		{"z not numbers", []string{"sample", "--input", filepath.Join(root, "val", "0000.png"), "--z", "a,b,c"}, "not a number"},
		{"bad sample type", []string{"sample", "--sample_type", "best"}, "random or interpolation"},
		{"truncated weights", []string{"sample", "--weight_dir", trunc}, filepath.Join(trunc, "G.safetensors")},
		{"foreign weights", []string{"sample", "--weight_dir", foreign, "--root", root}, `holds network "E", expected "G"`},
		{"junk weights", []string{"sample", "--weight_dir", junk}, "not a safetensors file"},
		{"no weights", []string{"sample", "--weight_dir", filepath.Join(dir, "none")}, "no such file"},
		{"resume without weights", append([]string{"train", "--root", root, "--load_weight", "--weight_dir", filepath.Join(dir, "none")}, tiny...), "load_weight"},
		{"resume with another seed", append(append([]string{"train", "--root", root, "--load_weight"}, tiny...), "--seed", "8"), "resume with the same seed"},
		{"resume with another batch size", append(append([]string{"train", "--root", root, "--load_weight"}, tiny...), "--batch_size", "4"), "resume with the same batch size"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := run(t, dir, c.args...)
			if err == nil {
				t.Fatalf("accepted; output:\n%s", out)
			}
			if !strings.Contains(out, c.want) {
				t.Errorf("error does not mention %q:\n%s", c.want, out)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, c := range []string{"train", "sample", "bench", "devices"} {
		out := mustRun(t, t.TempDir(), c, "--help")
		if !strings.Contains(out, "usage: bicycle-vk "+c) {
			t.Errorf("%s --help:\n%s", c, out)
		}
	}
	out := mustRun(t, t.TempDir(), "train", "--help")
	for _, f := range []string{"--root", "--result_dir", "--weight_dir", "--batch_size", "--test_size", "--test_img_num",
		"--img_size", "--lr", "--beta_1", "--beta_2", "--lambda_kl", "--lambda_img", "--lambda_z", "--z_dim",
		"--num_epoch", "--save_every", "--load_weight", "--num_epoch_decay", "--seed", "--device", "--ngf", "--nef",
		"--ndf", "--conditional_D", "--direction"} {
		if !strings.Contains(out, f) {
			t.Errorf("train --help does not explain %s", f)
		}
	}
}

// TestBenchJSON: bench on a tiny model prints the documented JSON fields
// with sane values.
func TestBenchJSON(t *testing.T) {
	out := mustRun(t, t.TempDir(), "bench", "--img_size", "32", "--ngf", "4", "--nef", "4", "--ndf", "4",
		"--iters", "2", "--warmup", "1", "--json")
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	get := func(k string) float64 {
		v, ok := raw[k].(float64)
		if !ok {
			t.Errorf("no number %q in %s", k, out)
		}
		return v
	}
	minS, median, maxS := get("min_s"), get("median_s"), get("max_s")
	host, driver := get("host_share"), get("driver_share")
	if !(minS > 0 && minS <= median && median <= maxS) || get("gflop_per_iter") <= 0 || get("gpu_time_s") < 0 ||
		get("peak_device_bytes") <= 0 || host < 0 || host > 1 || driver < 0 || driver > 1 {
		t.Errorf("implausible bench result:\n%s", out)
	}
}
