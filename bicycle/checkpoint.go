package bicycle

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"bicycle-vk/graph"
)

// Networks in weight-file order; each is saved as WEIGHT_DIR/<name>.safetensors
// (latest) and WEIGHT_DIR/<epoch>-<name>.safetensors (per epoch).
var Networks = []string{"G", "E", "D_cVAE", "D_cLR"}

// NetworkParams returns one network's parameters by file name.
func (m *Model) NetworkParams(name string) []*graph.Param {
	switch name {
	case "G":
		return m.G.Params()
	case "E":
		return m.E.Params()
	case "D_cVAE":
		return m.DVAE.Params()
	case "D_cLR":
		return m.DLR.Params()
	}
	return nil
}

// WeightPath is where a network's weights live: epoch < 0 means latest.
func WeightPath(dir, network string, epoch int) string {
	if epoch < 0 {
		return filepath.Join(dir, network+".safetensors")
	}
	return filepath.Join(dir, fmt.Sprintf("%d-%s.safetensors", epoch, network))
}

// metadata records the config (so sample can rebuild the networks) and
// the checkpoint tag that ties the four weight files and the training state
// of one save together.
func (c Config) metadata(network, tag string) map[string]string {
	return map[string]string{
		"format": "bicycle-vk", "network": network, "checkpoint": tag,
		"img_size": strconv.Itoa(c.ImgSize), "nz": strconv.Itoa(c.NZ),
		"ngf": strconv.Itoa(c.NGF), "nef": strconv.Itoa(c.NEF), "ndf": strconv.Itoa(c.NDF),
		"conditional_D": strconv.FormatBool(c.ConditionalD),
	}
}

// ConfigFromMetadata rebuilds the config a weight file was saved with.
func ConfigFromMetadata(path string, md map[string]string) (Config, error) {
	var c Config
	for _, f := range []struct {
		key string
		dst *int
	}{{"img_size", &c.ImgSize}, {"nz", &c.NZ}, {"ngf", &c.NGF}, {"nef", &c.NEF}, {"ndf", &c.NDF}} {
		v, err := strconv.Atoi(md[f.key])
		if err != nil {
			return c, fmt.Errorf("%s: metadata lacks %s (not a bicycle-vk weight file?)", path, f.key)
		}
		*f.dst = v
	}
	c.ConditionalD = md["conditional_D"] == "true"
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("%s: metadata: %w", path, err)
	}
	return c, nil
}

// ReadWeightDirection returns the --direction a weight file was trained
// with: AtoB for files that do not record it.
func ReadWeightDirection(path string) (string, error) {
	f, err := ReadSafetensors(path)
	if err != nil {
		return "", err
	}
	switch d := f.Metadata["direction"]; d {
	case "":
		return "AtoB", nil
	case "AtoB", "BtoA":
		return d, nil
	default:
		return "", fmt.Errorf("%s: metadata direction=%q is neither AtoB nor BtoA", path, d)
	}
}

// ReadWeightConfig returns the config recorded in a weight file.
func ReadWeightConfig(path string) (Config, error) {
	f, err := ReadSafetensors(path)
	if err != nil {
		return Config{}, err
	}
	return ConfigFromMetadata(path, f.Metadata)
}

func downloadParams(params []*graph.Param, f *TensorFile, prefix string) error {
	for _, p := range params {
		data, err := p.Data.Download()
		if err != nil {
			return err
		}
		f.Add(prefix+p.Name, &HostTensor{Shape: p.Value.Shape, Data: data})
	}
	return nil
}

// SaveWeights writes the four networks' weights (epoch < 0: the latest
// files), each atomically, tagged so a later load can tell they belong
// together. direction (AtoB or BtoA: which half of a dataset image was the
// input) is recorded for sample.
func (m *Model) SaveWeights(dir string, epoch int, tag, direction string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, n := range Networks {
		if err := m.writeWeights(WeightPath(dir, n, epoch), n, tag, direction); err != nil {
			return err
		}
	}
	return nil
}

// writeWeights writes one network's weight file at path, atomically.
func (m *Model) writeWeights(path, network, tag, direction string) error {
	f := NewTensorFile()
	f.Metadata = m.Cfg.metadata(network, tag)
	f.Metadata["direction"] = direction
	if err := downloadParams(m.NetworkParams(network), f, ""); err != nil {
		return err
	}
	return WriteSafetensors(path, f)
}

// uploadParams copies a file's tensors into params, checking that every
// parameter is there with its shape and that nothing is left over.
func uploadParams(path string, params []*graph.Param, f *TensorFile, prefix string) error {
	seen := 0
	for _, p := range params {
		t, ok := f.Tensors[prefix+p.Name]
		if !ok {
			return fmt.Errorf("%s: missing tensor %q (a weight file of another network or size?)", path, prefix+p.Name)
		}
		if !graph.SameShape(t.Shape, p.Value.Shape) {
			return fmt.Errorf("%s: tensor %q has shape %v, the network needs %v", path, prefix+p.Name, t.Shape, p.Value.Shape)
		}
		if err := p.Data.Upload(t.Data); err != nil {
			return err
		}
		seen++
	}
	if prefix == "" && seen != len(f.Tensors) {
		return fmt.Errorf("%s: holds %d tensors, the network has %d (a weight file of another network?)", path, len(f.Tensors), seen)
	}
	return nil
}

// LoadWeights reads the named networks' weights (epoch < 0: latest) and
// returns the checkpoint tag they share; files from different saves are an
// error, since they never trained together.
func (m *Model) LoadWeights(dir string, epoch int, networks ...string) (string, error) {
	tag := ""
	for i, n := range networks {
		path := WeightPath(dir, n, epoch)
		f, err := ReadSafetensors(path)
		if err != nil {
			return "", err
		}
		cfg, err := ConfigFromMetadata(path, f.Metadata)
		if err != nil {
			return "", err
		}
		if cfg != m.Cfg {
			return "", fmt.Errorf("%s: saved for %+v, the model is %+v", path, cfg, m.Cfg)
		}
		if f.Metadata["network"] != n {
			return "", fmt.Errorf("%s: holds network %q, expected %q", path, f.Metadata["network"], n)
		}
		if i == 0 {
			tag = f.Metadata["checkpoint"]
		} else if f.Metadata["checkpoint"] != tag {
			return "", fmt.Errorf("%s: from checkpoint %q but %s is from %q: files of different saves",
				path, f.Metadata["checkpoint"], WeightPath(dir, networks[0], epoch), tag)
		}
		if err := uploadParams(path, m.NetworkParams(n), f, ""); err != nil {
			return "", err
		}
	}
	return tag, nil
}

// TrainState is where training stands: what --load_weight needs beyond the
// weights to continue exactly where a run stopped.
type TrainState struct {
	Epoch     int    // epoch in progress (0-based)
	Iteration int    // iterations done in all
	InEpoch   int    // iterations done in Epoch
	RNG       []byte // the noise generator's state (math/rand/v2 PCG)
	// What the data order depends on: a resumed run must use the same.
	Seed      uint64
	BatchSize int
	Direction string
}

// matches says how resuming with o would differ from the run that saved st.
func (st TrainState) matches(o TrainOptions) error {
	switch {
	case st.Seed != o.Seed:
		return fmt.Errorf("the run used --seed %d; resume with the same seed (got %d)", st.Seed, o.Seed)
	case st.BatchSize != o.BatchSize:
		return fmt.Errorf("the run used --batch_size %d; resume with the same batch size (got %d)", st.BatchSize, o.BatchSize)
	case st.Direction != o.Direction:
		return fmt.Errorf("the run used --direction %s; resume with the same direction (got %s)", st.Direction, o.Direction)
	}
	return nil
}

// StatePath is the training-state file in a weight folder.
func StatePath(dir string) string { return filepath.Join(dir, "train_state.safetensors") }

// writeState writes the optimizers' moments and steps and the training
// position to path, atomically, with the tag of the weights saved with it
// (SaveCheckpoint stages it with them).
func (t *Trainer) writeState(path string, st TrainState, tag string) error {
	f := NewTensorFile()
	f.Metadata = t.Cfg.metadata("train_state", tag)
	f.Metadata["epoch"] = strconv.Itoa(st.Epoch)
	f.Metadata["iteration"] = strconv.Itoa(st.Iteration)
	f.Metadata["in_epoch"] = strconv.Itoa(st.InEpoch)
	f.Metadata["seed"] = strconv.FormatUint(st.Seed, 10)
	f.Metadata["batch_size"] = strconv.Itoa(st.BatchSize)
	f.Metadata["direction"] = st.Direction
	f.Metadata["rng"] = fmt.Sprintf("%x", st.RNG)
	for _, o := range t.optimizers() {
		f.Metadata["adam_step/"+o.name] = strconv.Itoa(o.opt.Step)
	}
	err := t.eachMoment(func(key string, p *graph.Param, moment *graph.Tensor) error {
		data, err := moment.Download()
		if err != nil {
			return err
		}
		f.Add(key, &HostTensor{Shape: p.Value.Shape, Data: data})
		return nil
	})
	if err != nil {
		return err
	}
	return WriteSafetensors(path, f)
}

// eachMoment calls fn for every Adam moment of every optimizer, with the
// name it has in the state file: <network>/<m|v>/<parameter>.
func (t *Trainer) eachMoment(fn func(key string, p *graph.Param, moment *graph.Tensor) error) error {
	for _, o := range t.optimizers() {
		for _, p := range o.opt.Params {
			m, v := p.Moments()
			if err := fn(o.name+"/m/"+p.Name, p, m); err != nil {
				return err
			}
			if err := fn(o.name+"/v/"+p.Name, p, v); err != nil {
				return err
			}
		}
	}
	return nil
}

type namedOpt struct {
	name string
	opt  *graph.Adam
}

func (t *Trainer) optimizers() []namedOpt {
	return []namedOpt{{"G", t.OptG}, {"E", t.OptE}, {"D_cVAE", t.OptDVAE}, {"D_cLR", t.OptDLR}}
}

// LoadState restores moments, steps and position from dir, checking that
// the state belongs to the weights loaded (tag).
func (t *Trainer) LoadState(dir, tag string) (TrainState, error) {
	path := StatePath(dir)
	var st TrainState
	f, err := ReadSafetensors(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return st, fmt.Errorf("%s: no training state to resume from (weights alone can be sampled, not resumed)", path)
		}
		return st, err
	}
	if f.Metadata["checkpoint"] != tag {
		return st, fmt.Errorf("%s: from checkpoint %q but the weights are from %q: files of different saves", path, f.Metadata["checkpoint"], tag)
	}
	geti := func(k string) (int, error) {
		v, err := strconv.Atoi(f.Metadata[k])
		if err != nil {
			return 0, fmt.Errorf("%s: metadata %s=%q is not a number", path, k, f.Metadata[k])
		}
		return v, nil
	}
	if st.Epoch, err = geti("epoch"); err != nil {
		return st, err
	}
	if st.Iteration, err = geti("iteration"); err != nil {
		return st, err
	}
	if st.InEpoch, err = geti("in_epoch"); err != nil {
		return st, err
	}
	if st.Seed, err = strconv.ParseUint(f.Metadata["seed"], 10, 64); err != nil {
		return st, fmt.Errorf("%s: metadata seed: %v", path, err)
	}
	if st.BatchSize, err = geti("batch_size"); err != nil {
		return st, err
	}
	st.Direction = f.Metadata["direction"]
	if _, err := fmt.Sscanf(f.Metadata["rng"], "%x", &st.RNG); err != nil {
		return st, fmt.Errorf("%s: metadata rng: %v", path, err)
	}
	for _, o := range t.optimizers() {
		step, err := geti("adam_step/" + o.name)
		if err != nil {
			return st, err
		}
		o.opt.Step = step
	}
	err = t.eachMoment(func(key string, p *graph.Param, moment *graph.Tensor) error {
		h, ok := f.Tensors[key]
		if !ok || !graph.SameShape(h.Shape, p.Value.Shape) {
			return fmt.Errorf("%s: missing or mis-shaped optimizer tensor %q", path, key)
		}
		return moment.Upload(h.Data)
	})
	return st, err
}
