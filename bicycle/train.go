package bicycle

import (
	"encoding/csv"
	"errors"
	"fmt"
	"image"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"bicycle-vk/graph"
)

// TrainOptions are `bicycle-vk train`'s settings.
type TrainOptions struct {
	Root, ResultDir, WeightDir string
	Cfg                        Config
	Hyper                      Hyper
	BatchSize                  int // pairs per iteration, split in two halves
	TestSize, TestImgNum       int // grid: val images (rows) and outputs per row
	NumEpoch, NumEpochDecay    int
	SaveEvery                  int // iterations between grids and latest weights
	LoadWeight                 bool
	Seed                       uint64
	Direction                  string
	MaxIters                   int // stop (with a checkpoint) after this many iterations in this run; 0: no limit
	// ScoreDemo scores the generator on the demo's val outlines after every
	// epoch and at the end (ScoreDemo; demo_score.csv in ResultDir).
	ScoreDemo bool
	Progress  io.Writer
	Warn      func(string)
}

// TrainSummary is what a finished (or stopped) run reports.
type TrainSummary struct {
	Iterations, Epochs int
	Skipped            int // unusable dataset files
	Last               Losses
	Seconds            float64
	Demo               *DemoScore // with ScoreDemo: the final score
}

// trainRun is one run's state.
type trainRun struct {
	o        TrainOptions
	m        *Model
	tr       *Trainer
	train    *Dataset
	val      *Dataset
	sampler  *Sampler
	gridZ    [][]float32
	rng      *rand.PCG
	noise    *rand.Rand
	log      *csv.Writer
	logFile  *os.File
	st       TrainState
	start    time.Time
	runIters int
}

// Train runs BicycleGAN training as the seed describes: per iteration a D
// step and a G/E step; grids and the latest weights every SaveEvery
// iterations; weights for every epoch; a CSV loss log; resumable.
func Train(e *graph.Engine, o TrainOptions) (*TrainSummary, error) {
	if o.BatchSize < 2 || o.BatchSize%2 != 0 {
		return nil, fmt.Errorf("batch_size %d: must be even and at least 2 (half goes to cVAE-GAN, half to cLR-GAN)", o.BatchSize)
	}
	if o.Warn == nil {
		o.Warn = func(string) {}
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	r := &trainRun{o: o, start: time.Now()}
	var err error
	if o.LoadWeight {
		// The saved networks decide the shapes; flags that disagree are an error.
		cfg, err := ReadWeightConfig(WeightPath(o.WeightDir, "G", -1))
		if err != nil {
			return nil, fmt.Errorf("--load_weight: %w", err)
		}
		if cfg != o.Cfg {
			return nil, fmt.Errorf("--load_weight: %s was trained with %+v, the flags say %+v",
				WeightPath(o.WeightDir, "G", -1), cfg, o.Cfg)
		}
	}
	if r.train, err = LoadDataset(filepath.Join(o.Root, "train"), o.Cfg.ImgSize, o.Direction, o.Warn); err != nil {
		return nil, err
	}
	if r.val, err = LoadDataset(filepath.Join(o.Root, "val"), o.Cfg.ImgSize, o.Direction, o.Warn); err != nil {
		return nil, err
	}
	pairs := o.BatchSize / 2
	if len(r.train.Pairs) < o.BatchSize {
		return nil, fmt.Errorf("%s: %d usable pairs, fewer than one batch of %d", r.train.Dir, len(r.train.Pairs), o.BatchSize)
	}
	if r.m, err = NewModel(e, o.Cfg); err != nil {
		return nil, err
	}
	defer r.m.Graph.Close()
	if err := InitParams(r.m.Graph.Params(), rand.New(rand.NewPCG(o.Seed, 0x1417))); err != nil {
		return nil, err
	}
	if r.tr, err = NewTrainer(r.m, pairs, o.Hyper); err != nil {
		return nil, err
	}
	if r.sampler, err = NewSampler(r.m, max(1, o.TestImgNum)); err != nil {
		return nil, err
	}
	r.rng = rand.NewPCG(o.Seed, 0xb1c7)
	r.st = TrainState{Seed: o.Seed, BatchSize: o.BatchSize, Direction: o.Direction}
	if o.LoadWeight {
		if err := RecoverCheckpoint(o.WeightDir); err != nil {
			return nil, fmt.Errorf("--load_weight: %w", err)
		}
		tag, err := r.m.LoadWeights(o.WeightDir, -1, Networks...)
		if err != nil {
			return nil, fmt.Errorf("--load_weight: %w", err)
		}
		if r.st, err = r.tr.LoadState(o.WeightDir, tag); err != nil {
			return nil, fmt.Errorf("--load_weight: %w", err)
		}
		if err := r.st.matches(o); err != nil {
			return nil, fmt.Errorf("--load_weight: %s: %w", StatePath(o.WeightDir), err)
		}
		if err := r.rng.UnmarshalBinary(r.st.RNG); err != nil {
			return nil, fmt.Errorf("--load_weight: %s: noise generator state: %v", StatePath(o.WeightDir), err)
		}
		fmt.Fprintf(o.Progress, "resuming at epoch %d, iteration %d\n", r.st.Epoch+1, r.st.Iteration)
	}
	r.noise = rand.New(r.rng)
	// The grid's codes depend on the seed alone, so grids stay comparable
	// across a resume.
	zr := rand.New(rand.NewPCG(o.Seed, 0x9e1d))
	for i := 0; i < o.TestImgNum; i++ {
		r.gridZ = append(r.gridZ, normals(zr, o.Cfg.NZ))
	}
	if err := r.openLog(); err != nil {
		return nil, err
	}
	defer r.logFile.Close()
	sum, err := r.loop(pairs)
	if sum != nil {
		sum.Skipped = len(r.train.Skipped) + len(r.val.Skipped)
	}
	return sum, err
}

func normals(r *rand.Rand, n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(r.NormFloat64())
	}
	return out
}

func (r *trainRun) openLog() error {
	if err := os.MkdirAll(r.o.ResultDir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(r.o.ResultDir, "loss.csv")
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if r.o.LoadWeight {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
		// Rows a killed run logged after its last checkpoint would be logged
		// again by the resumed run: keep only those the checkpoint covers.
		for _, f := range []string{"loss.csv", "demo_score.csv"} {
			if err := trimLog(filepath.Join(r.o.ResultDir, f), r.st.Iteration); err != nil {
				return err
			}
		}
	} else if err := os.Remove(filepath.Join(r.o.ResultDir, "demo_score.csv")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return err
	}
	r.logFile, r.log = f, csv.NewWriter(f)
	if st, _ := f.Stat(); st.Size() == 0 {
		r.log.Write([]string{"epoch", "iteration", "loss_D", "loss_GAN", "loss_KL", "loss_img", "loss_z", "lr", "seconds"})
		r.log.Flush()
	}
	return r.log.Error()
}

func (r *trainRun) loop(pairs int) (*TrainSummary, error) {
	o := r.o
	total := o.NumEpoch + o.NumEpochDecay
	sum := &TrainSummary{}
	for ; r.st.Epoch < total; r.st.Epoch++ {
		lr := graph.LinearDecay(o.Hyper.LR, r.st.Epoch, o.NumEpoch, o.NumEpochDecay)
		for _, opt := range []*graph.Adam{r.tr.OptG, r.tr.OptE, r.tr.OptDVAE, r.tr.OptDLR} {
			opt.LR = lr
		}
		batches := r.train.Batches(r.train.EpochOrder(o.Seed, r.st.Epoch), pairs)
		bar := newProgress(o.Progress, r.st.Epoch+1, total, len(batches), r.st.InEpoch)
		for r.st.InEpoch < len(batches) {
			b := batches[r.st.InEpoch]
			var batch Batch
			batch.A1, batch.B1 = r.train.Stack(b[0])
			batch.A2, batch.B2 = r.train.Stack(b[1])
			nz := pairs * o.Cfg.NZ
			noise := Noise{EpsD: normals(r.noise, nz), ZD: normals(r.noise, nz), EpsG: normals(r.noise, nz), ZG: normals(r.noise, nz)}
			l, err := r.tr.Step(batch, noise)
			if err != nil {
				return sum, err
			}
			r.st.Iteration++
			r.st.InEpoch++
			r.runIters++
			sum.Last, sum.Iterations = l, r.runIters
			r.log.Write([]string{strconv.Itoa(r.st.Epoch + 1), strconv.Itoa(r.st.Iteration), f6(l.D), f6(l.GAN), f6(l.KL),
				f6(l.Img), f6(l.Z), strconv.FormatFloat(lr, 'g', 6, 64), strconv.FormatFloat(time.Since(r.start).Seconds(), 'f', 2, 64)})
			// Whole rows only, so a killed run leaves no half row behind.
			r.log.Flush()
			if err := r.log.Error(); err != nil {
				return sum, fmt.Errorf("writing the loss log: %w", err)
			}
			bar.update(r.st.InEpoch, l)
			if o.SaveEvery > 0 && r.st.Iteration%o.SaveEvery == 0 {
				if err := r.saveGrid(); err != nil {
					return sum, err
				}
				if err := r.checkpoint(-1); err != nil {
					return sum, err
				}
			}
			// Stop mid-epoch here; a stop at the epoch's end first finishes
			// the epoch below (its weights, its score).
			if o.MaxIters > 0 && r.runIters >= o.MaxIters && r.st.InEpoch < len(batches) {
				bar.done()
				sum.Seconds = time.Since(r.start).Seconds()
				if err := r.scoreDemo(sum); err != nil {
					return sum, err
				}
				if err := r.saveGrid(); err != nil {
					return sum, err
				}
				return sum, r.checkpoint(-1)
			}
		}
		bar.done()
		r.st.InEpoch = 0
		sum.Epochs++
		if err := r.scoreDemo(sum); err != nil {
			return sum, err
		}
		if err := r.checkpoint(r.st.Epoch + 1); err != nil {
			return sum, err
		}
		if o.MaxIters > 0 && r.runIters >= o.MaxIters {
			sum.Seconds = time.Since(r.start).Seconds()
			return sum, r.saveGrid()
		}
	}
	r.log.Flush()
	sum.Seconds = time.Since(r.start).Seconds()
	return sum, r.saveGrid()
}

// scoreDemo prints and logs how many colours z picks per val outline.
func (r *trainRun) scoreDemo(sum *TrainSummary) error {
	if !r.o.ScoreDemo {
		return nil
	}
	sc, err := ScoreDemo(r.sampler, r.val.Pairs, 10, r.o.Seed)
	if err != nil {
		return err
	}
	sum.Demo = &sc
	fmt.Fprintf(r.o.Progress, "demo score at iteration %d: fill colour spread over %d codes %.0f (RGB 0..255), "+
		"%.2f palette colours per outline, %.0f%% of fills on a palette colour\n",
		r.st.Iteration, sc.Codes, sc.Spread, sc.ColoursPerInput, 100*sc.PaletteShare)
	path := filepath.Join(r.o.ResultDir, "demo_score.csv")
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if statErr != nil {
		fmt.Fprintln(f, "iteration,seconds,colour_spread,colours_per_outline,palette_share")
	}
	_, err = fmt.Fprintf(f, "%d,%.1f,%.1f,%.3f,%.3f\n", r.st.Iteration, time.Since(r.start).Seconds(), sc.Spread,
		sc.ColoursPerInput, sc.PaletteShare)
	return err
}

func f6(v float64) string { return strconv.FormatFloat(v, 'g', 7, 64) }

// checkpoint saves the latest weights and the training state (and, for
// epoch >= 1, the copy of the epoch just finished). The state records the
// position after the iteration just done.
func (r *trainRun) checkpoint(epoch int) error {
	r.log.Flush()
	st := r.st
	if epoch >= 1 {
		st.Epoch, st.InEpoch = epoch, 0 // epoch just finished: resume at the next
	}
	var err error
	if st.RNG, err = r.rng.MarshalBinary(); err != nil {
		return err
	}
	tag := fmt.Sprintf("iteration %d", st.Iteration)
	if epoch >= 1 {
		if err := r.m.SaveWeights(r.o.WeightDir, epoch, tag, r.o.Direction); err != nil {
			return err
		}
	}
	return r.tr.SaveCheckpoint(r.o.WeightDir, st, tag, r.o.Direction)
}

// saveGrid writes RESULT_DIR/iter_<N>.png: a row per val image (up to
// TestSize): the input A, then TestImgNum outputs with the run's fixed codes.
func (r *trainRun) saveGrid() error {
	if r.o.TestImgNum < 1 || r.o.TestSize < 1 {
		return nil
	}
	img, err := SampleGrid(r.sampler, r.val.Pairs[:min(r.o.TestSize, len(r.val.Pairs))], func(int) [][]float32 { return r.gridZ })
	if err != nil {
		return err
	}
	return SavePNG(filepath.Join(r.o.ResultDir, fmt.Sprintf("iter_%06d.png", r.st.Iteration)), img)
}

// SampleGrid builds a grid with one row per pair: its A, then G(A, z) for
// each code codes(row) returns.
func SampleGrid(sp *Sampler, pairs []Pair, codes func(row int) [][]float32) (*image.NRGBA, error) {
	s := sp.m.Cfg.ImgSize
	var rows [][]*image.NRGBA
	for i, p := range pairs {
		outs, err := sp.Translate(p.A, codes(i))
		if err != nil {
			return nil, err
		}
		row := []*image.NRGBA{CHWToImage(p.A, s)}
		for _, y := range outs {
			row = append(row, CHWToImage(y, s))
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, errors.New("no images to sample")
	}
	return Grid(rows, 2), nil
}

// trimLog rewrites a CSV log keeping its header and the complete rows whose
// "iteration" column is at most upto. A missing file is fine.
func trimLog(path string, upto int) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	rd := csv.NewReader(f)
	rd.FieldsPerRecord = -1 // a killed run may have left a short last row
	rows, err := rd.ReadAll()
	f.Close()
	if err != nil || len(rows) == 0 {
		return fmt.Errorf("%s: unreadable log (%v); move it away to resume", path, err)
	}
	col := -1
	for i, h := range rows[0] {
		if h == "iteration" {
			col = i
		}
	}
	if col < 0 {
		return fmt.Errorf("%s: no iteration column; move it away to resume", path)
	}
	keep := rows[:1]
	for _, row := range rows[1:] {
		if len(row) != len(rows[0]) {
			continue
		}
		if it, err := strconv.Atoi(row[col]); err == nil && it <= upto {
			keep = append(keep, row)
		}
	}
	tmp := path + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := csv.NewWriter(out)
	w.WriteAll(keep)
	if err := w.Error(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
