package graph

import (
	"fmt"
	"testing"

	"bicycle-vk/graph/ref"
)

// adamCase is one optimizer setting: BicycleGAN's (lr 2e-4 scaled up so
// that a wrong update shows above float32 rounding, betas (0.5, 0.999),
// eps 1e-8) and PyTorch's defaults with a large eps, which makes a wrong
// placement of eps visible.
var adamCases = []struct{ lr, b1, b2, eps float64 }{
	{0.05, 0.5, 0.999, 1e-8},
	{0.1, 0.9, 0.999, 0.1},
}

// Tolerance of the Adam tests: 1e-6 (relative to max(|p|, 1)). Each step
// rounds p once (6e-8 x |p|) and the update lr/bc1 * m/(sqrt(v)/sqrt(bc2)+eps),
// of size about lr, to a few float32 ulps; over 5 steps that stays below 5e-7.
// A wrong formula (a missing bias correction, eps in the wrong place) moves p
// by about lr.
const adamTol = 1e-6

// adamState is one parameter tensor with its moments, on the device and
// in the float64 reference.
type adamState struct {
	p, m, v        *ref.Tensor
	gp, gg, gm, gv *Tensor
	ghyper         *Tensor
}

func newAdamState(t *testing.T, e *Engine, n int, seed uint64) *adamState {
	s := &adamState{p: randRounded32(rng(seed), n), m: ref.New(n), v: ref.New(n)}
	s.gp, s.gm, s.gv = upload(t, e, s.p), upload(t, e, s.m), upload(t, e, s.v)
	s.gg, s.ghyper = empty(t, e, n), empty(t, e, AdamHyperLen)
	return s
}

// step uploads a fresh gradient and the hyper-parameters of step k, and
// advances the reference; the caller runs the device step.
func (s *adamState) step(t *testing.T, lr, b1, b2, eps float64, k int, seed uint64) {
	t.Helper()
	g := randRounded32(rng(seed), s.p.Len())
	f := make([]float32, g.Len())
	for i, x := range g.Data {
		f[i] = float32(x)
	}
	if err := s.gg.Upload(f); err != nil {
		t.Fatal(err)
	}
	if err := s.ghyper.Upload(AdamHyper(lr, b1, b2, eps, k)); err != nil {
		t.Fatal(err)
	}
	ref.AdamStep(s.p, g, s.m, s.v, lr, b1, b2, eps, k)
}

func (s *adamState) check(t *testing.T, what string) {
	t.Helper()
	expectClose(t, what+" p", s.gp, s.p, adamTol)
	expectClose(t, what+" m", s.gm, s.m, adamTol)
	expectClose(t, what+" v", s.gv, s.v, adamTol)
}

// TestAdam runs steps t = 1..5, each a new recording, against ref.AdamStep.
// The sizes cover the shader's scalar tail: none of 4 (1), a vec4 and 3 (7).
func TestAdam(t *testing.T) {
	e := engine(t)
	for ci, c := range adamCases {
		for _, n := range []int{1, 7, 1000003} {
			t.Run(fmt.Sprintf("lr=%g b1=%g eps=%g n=%d", c.lr, c.b1, c.eps, n), func(t *testing.T) {
				s := newAdamState(t, e, n, uint64(600+ci))
				for k := 1; k <= 5; k++ {
					s.step(t, c.lr, c.b1, c.b2, c.eps, k, uint64(610+k))
					r := e.NewRec(false)
					r.Adam(s.gp, s.gg, s.gm, s.gv, s.ghyper)
					run(t, r)
				}
				s.check(t, "after 5 steps")
			})
		}
	}
}

// TestAdamReplay records one step and replays it three times, uploading new
// gradients and hyper-parameters (t and a decaying lr) between runs: the
// captured training step's use.
func TestAdamReplay(t *testing.T) {
	e := engine(t)
	c := adamCases[0]
	s := newAdamState(t, e, 1000003, 700)
	r := e.NewRec(false)
	defer r.Close()
	r.Adam(s.gp, s.gg, s.gm, s.gv, s.ghyper)
	lr := c.lr
	for k := 1; k <= 3; k++ {
		s.step(t, lr, c.b1, c.b2, c.eps, k, uint64(710+k))
		if err := r.Run(); err != nil {
			t.Fatal(err)
		}
		s.check(t, fmt.Sprintf("replay %d", k))
		lr *= 0.5
	}
}

func TestAdamHyper(t *testing.T) {
	h := AdamHyper(2e-4, 0.5, 0.999, 1e-8, 1)
	want := []float32{4e-4, 0.5, 0.5, 0.999, 0.001, float32(0.03162277660168379), 1e-8, 0}
	if len(h) != AdamHyperLen {
		t.Fatalf("len %d, want %d", len(h), AdamHyperLen)
	}
	for i := range want {
		if d := h[i] - want[i]; d > 1e-7*want[i] || d < -1e-7*want[i] {
			t.Errorf("hyper[%d] = %g, want %g", i, h[i], want[i])
		}
	}
}

func TestAdamShapeErrors(t *testing.T) {
	e := engine(t)
	p, q, h, bad := empty(t, e, 5), empty(t, e, 5), empty(t, e, AdamHyperLen), empty(t, e, 4)
	cases := []struct {
		name string
		rec  func(r *Rec)
	}{
		{"g shape", func(r *Rec) { r.Adam(p, bad, q, empty(t, e, 5), h) }},
		{"hyper length", func(r *Rec) { r.Adam(p, q, empty(t, e, 5), empty(t, e, 5), bad) }},
		{"m is v", func(r *Rec) { r.Adam(p, q, q, q, h) }},
	}
	for _, c := range cases {
		r := e.NewRec(false)
		c.rec(r)
		if r.Err() == nil || r.Recorder().Len() != 0 {
			t.Errorf("%s: err %v, %d dispatches", c.name, r.Err(), r.Recorder().Len())
		}
		r.Close()
	}
}

// TestAdamGrid covers adam.comp's two-dimensional grid: a tensor of more
// than 64 x 65535 vec4s needs a second row of workgroups, partly empty, and
// ends in a scalar tail.
func TestAdamGrid(t *testing.T) {
	if testing.Short() {
		t.Skip("67 MB tensors in -short mode")
	}
	e := engine(t)
	c := adamCases[0]
	s := newAdamState(t, e, 4*64*maxGroups+4*77+3, 800)
	s.step(t, c.lr, c.b1, c.b2, c.eps, 1, 801)
	r := e.NewRec(false)
	r.Adam(s.gp, s.gg, s.gm, s.gv, s.ghyper)
	run(t, r)
	s.check(t, "after 1 step")
}
