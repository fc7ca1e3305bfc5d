package bicycle

import (
	"fmt"

	"bicycle-vk/graph"
)

// Sampler runs G alone on a fixed-size batch of (A, z) pairs: one
// recorded phase in the model's graph, replayed per batch.
type Sampler struct {
	m     *Model
	N     int
	a, z  *graph.Value
	out   *graph.Value
	phase *graph.Phase
}

// NewSampler compiles G's forward for batches of n.
func NewSampler(m *Model, n int) (*Sampler, error) {
	g, s := m.Graph, m.Cfg.ImgSize
	sp := &Sampler{m: m, N: n, a: g.Input(n, 3, s, s), z: g.Input(n, m.Cfg.NZ)}
	sp.out = m.G.Forward(g, sp.a, sp.z, true)
	if err := g.Err(); err != nil {
		return nil, err
	}
	phases, err := g.Compile(graph.PhaseSpec{Name: "sample", Keep: []*graph.Value{sp.out}})
	if err != nil {
		return nil, err
	}
	sp.phase = phases[0]
	return sp, nil
}

// Run translates a ([N,3,S,S] in [-1,1]) with codes z ([N,NZ]).
func (sp *Sampler) Run(a, z []float32) ([]float32, error) {
	if err := sp.a.Tensor().Upload(a); err != nil {
		return nil, fmt.Errorf("sample: images: %w", err)
	}
	if err := sp.z.Tensor().Upload(z); err != nil {
		return nil, fmt.Errorf("sample: latent codes: %w", err)
	}
	if err := sp.phase.Run(); err != nil {
		return nil, err
	}
	return sp.phase.Read(sp.out)
}

// Translate runs one input image a ([3,S,S]) with each code in zs, in
// batches of the sampler's size, and returns one [3,S,S] output per code.
func (sp *Sampler) Translate(a []float32, zs [][]float32) ([][]float32, error) {
	per := len(a)
	nz := sp.m.Cfg.NZ
	var outs [][]float32
	for start := 0; start < len(zs); start += sp.N {
		ab := make([]float32, 0, sp.N*per)
		zb := make([]float32, 0, sp.N*nz)
		for i := 0; i < sp.N; i++ {
			ab = append(ab, a...)
			k := min(start+i, len(zs)-1) // pad the last batch by repeating
			if len(zs[k]) != nz {
				return nil, fmt.Errorf("latent code %d has %d values, the model takes %d", k+1, len(zs[k]), nz)
			}
			zb = append(zb, zs[k]...)
		}
		y, err := sp.Run(ab, zb)
		if err != nil {
			return nil, err
		}
		for i := 0; i < sp.N && start+i < len(zs); i++ {
			outs = append(outs, y[i*per:(i+1)*per])
		}
	}
	return outs, nil
}

// Interpolate returns n codes from z0 to z1 inclusive, evenly spaced.
func Interpolate(z0, z1 []float32, n int) [][]float32 {
	out := make([][]float32, n)
	for i := range out {
		t := float32(0)
		if n > 1 {
			t = float32(i) / float32(n-1)
		}
		z := make([]float32, len(z0))
		for j := range z {
			z[j] = z0[j] + t*(z1[j]-z0[j])
		}
		out[i] = z
	}
	return out
}
