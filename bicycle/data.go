package bicycle

import (
	"errors"
	"fmt"
	"image"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Pair is one aligned training pair: A and B are [3,size,size] tensors in
// [-1,1], already swapped when the dataset's Direction is "BtoA".
type Pair struct {
	Name string
	A, B []float32
}

// SkippedFile is an image file LoadDataset could not use, and why.
type SkippedFile struct{ Path, Reason string }

// Dataset is one split (ROOT/train or ROOT/val) of a pix2pix aligned
// dataset, decoded into memory.
type Dataset struct {
	Dir       string
	Size      int
	Direction string
	Pairs     []Pair
	Skipped   []SkippedFile
}

const datasetLayout = "expected ROOT/train and ROOT/val, each holding .jpg/.jpeg/.png images " +
	"with A on the left half and B on the right, side by side (width = 2 x height), " +
	"as in pix2pix's edges2shoes"

// aspect bounds for an A|B image: width/height must be about 2.
const minAspect, maxAspect = 1.8, 2.2

func isImageName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg", ".png":
		return true
	}
	return false
}

// LoadDataset loads one split folder dir (ROOT/train or ROOT/val) of
// side-by-side A|B images (.jpg, .jpeg, .png, any case), sorted by file name.
// Each image is split at width/2 and each half resized to size x size
// (ImageToCHW); direction "BtoA" swaps the halves.
//
// Every file is decoded once and kept in memory as float32 tensors
// (24*size*size bytes per pair: 400 pairs at 64 px take 39 MB, 5,000 at
// 128 px take 2 GB); that suits the bundled demo and typical small sets, not
// the full edges2shoes (50k pairs), which would need a streaming loader.
//
// A file that is not an image, is truncated or corrupt, or whose
// width/height ratio is outside 1.8..2.2 is skipped: warn (may be nil) gets
// a message naming it and the reason, and it is recorded in Skipped. A
// missing folder, a path that is not a folder, or a folder without a usable
// pair is an error.
func LoadDataset(dir string, size int, direction string, warn func(string)) (*Dataset, error) {
	if direction != "AtoB" && direction != "BtoA" {
		return nil, fmt.Errorf("dataset %s: direction %q: want \"AtoB\" or \"BtoA\"", dir, direction)
	}
	if size <= 0 {
		return nil, fmt.Errorf("dataset %s: image size %d: want > 0", dir, size)
	}
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("dataset folder %s does not exist; %s", dir, datasetLayout)
	case err != nil:
		return nil, fmt.Errorf("dataset folder %s: %v; %s", dir, err, datasetLayout)
	case !st.IsDir():
		return nil, fmt.Errorf("dataset path %s is not a folder; %s", dir, datasetLayout)
	}
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return nil, fmt.Errorf("dataset folder %s: %v; %s", dir, err, datasetLayout)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && isImageName(e.Name()) {
			names = append(names, e.Name())
		}
	}

	// Decode in parallel; results keep the sorted order.
	type result struct {
		a, b   []float32
		reason string
	}
	res := make([]result, len(names))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.NumCPU(), max(len(names), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				a, b, reason := loadPair(filepath.Join(dir, names[i]), size)
				res[i] = result{a, b, reason}
			}
		}()
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()

	d := &Dataset{Dir: dir, Size: size, Direction: direction}
	for i, r := range res {
		path := filepath.Join(dir, names[i])
		if r.reason != "" {
			d.Skipped = append(d.Skipped, SkippedFile{Path: path, Reason: r.reason})
			if warn != nil {
				warn(fmt.Sprintf("skipping %s: %s", path, r.reason))
			}
			continue
		}
		if direction == "BtoA" {
			r.a, r.b = r.b, r.a
		}
		d.Pairs = append(d.Pairs, Pair{Name: names[i], A: r.a, B: r.b})
	}
	if len(d.Pairs) == 0 {
		what := "no .jpg/.jpeg/.png files"
		if len(d.Skipped) > 0 {
			what = fmt.Sprintf("no usable image pair (%d file(s) skipped)", len(d.Skipped))
		}
		return nil, fmt.Errorf("dataset folder %s holds %s; %s", dir, what, datasetLayout)
	}
	return d, nil
}

// loadPair decodes one A|B image; a non-empty reason says why it is unusable.
func loadPair(path string, size int) (a, b []float32, reason string) {
	img, err := LoadImage(path)
	if err != nil {
		msg := err.Error()
		if p := "load image " + path + ": "; strings.HasPrefix(msg, p) {
			msg = msg[len(p):]
		}
		return nil, nil, msg
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	if r := float64(w) / float64(h); r < minAspect || r > maxAspect || w < 2 {
		return nil, nil, fmt.Sprintf("image is %dx%d (width/height %.2f); an A|B pair must be about twice as wide as high (%.1f..%.1f)",
			w, h, r, minAspect, maxAspect)
	}
	n := opaqueNRGBA(img)
	half := w / 2
	a = ImageToCHW(n.SubImage(image.Rect(0, 0, half, h)), size)
	b = ImageToCHW(n.SubImage(image.Rect(half, 0, w, h)), size)
	return a, b, ""
}

// EpochOrder is a permutation of the pair indices that depends on (seed,
// epoch) alone, so a resumed run sees exactly the order an uninterrupted one
// would.
func (d *Dataset) EpochOrder(seed uint64, epoch int) []int {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15^uint64(epoch)))
	return rng.Perm(len(d.Pairs))
}

// Batches splits an epoch order into iterations of 2*pairs consecutive
// indices: [0] holds the first pairs (the cVAE-GAN half), [1] the next pairs
// (the cLR-GAN half). A short last batch is dropped.
func (d *Dataset) Batches(order []int, pairs int) [][2][]int {
	if pairs <= 0 {
		return nil
	}
	var out [][2][]int
	for i := 0; i+2*pairs <= len(order); i += 2 * pairs {
		out = append(out, [2][]int{
			slices.Clone(order[i : i+pairs]),
			slices.Clone(order[i+pairs : i+2*pairs]),
		})
	}
	return out
}

// Stack concatenates the A and B tensors of the pairs idx into
// [len(idx),3,Size,Size] arrays.
func (d *Dataset) Stack(idx []int) (a, b []float32) {
	n := 3 * d.Size * d.Size
	a = make([]float32, 0, len(idx)*n)
	b = make([]float32, 0, len(idx)*n)
	for _, i := range idx {
		a = append(a, d.Pairs[i].A...)
		b = append(b, d.Pairs[i].B...)
	}
	return a, b
}
