package bicycle

import (
	"sort"

	"bicycle-vk/graph"
)

// OpTime is the GPU time one kind of op took in an iteration.
type OpTime struct {
	Op      string
	Seconds float64
	Count   int
}

// Profile returns the last iteration's GPU time per op kind, largest first
// (the trainer must come from NewProfiledTrainer).
func (t *Trainer) Profile() ([]OpTime, float64, error) {
	byOp := map[string]*OpTime{}
	total := 0.0
	for _, p := range t.Phases() {
		ts, err := p.Recorder().Timings()
		if err != nil {
			return nil, 0, err
		}
		for _, x := range ts {
			o := byOp[x.Label]
			if o == nil {
				o = &OpTime{Op: x.Label}
				byOp[x.Label] = o
			}
			o.Seconds += x.Ns * 1e-9
			o.Count++
			total += x.Ns * 1e-9
		}
	}
	out := make([]OpTime, 0, len(byOp))
	for _, o := range byOp {
		out = append(out, *o)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Seconds > out[b].Seconds })
	return out, total, nil
}

// FLOPs is the iteration's convolution and linear work (multiply-add = 2).
func (t *Trainer) FLOPs() float64 {
	f := 0.0
	for _, p := range t.Phases() {
		f += p.FLOPs
	}
	return f
}

// Memory is the device memory the model and its compiled phases hold.
func (t *Trainer) Memory() graph.MemoryReport { return t.Graph.Memory() }
