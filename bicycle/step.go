package bicycle

import (
	"fmt"

	"bicycle-vk/graph"
)

// Hyper are the training hyper-parameters of the spec's losses and Adam.
type Hyper struct {
	LR, Beta1, Beta2             float64
	LambdaKL, LambdaImg, LambdaZ float64
}

// DefaultHyper is the seed's defaults.
func DefaultHyper() Hyper {
	return Hyper{LR: 2e-4, Beta1: 0.5, Beta2: 0.999, LambdaKL: 0.01, LambdaImg: 10, LambdaZ: 0.5}
}

// Losses of one iteration, weighted as they enter the objectives: D is the
// D step's loss (both discriminators, both scales, real and fake); GAN the
// G/E step's adversarial loss; KL, Img and Z the weighted KL, image L1 and
// latent L1 terms.
type Losses struct{ D, GAN, KL, Img, Z float64 }

// Noise is one iteration's random draws: eps for the reparameterisation and
// the cLR-GAN's random z, for the D step and (fresh) for the G/E step. Each
// is [pairs, NZ] row-major.
type Noise struct{ EpsD, ZD, EpsG, ZG []float32 }

// Model holds the networks: G, E and the two discriminators.
type Model struct {
	Cfg       Config
	G         *Generator
	E         *Encoder
	DVAE, DLR *Discriminator
	Graph     *graph.Graph
}

// NewModel declares every network's parameters in a new graph.
func NewModel(e *graph.Engine, cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	g := e.NewGraph()
	m := &Model{Cfg: cfg, Graph: g, G: NewGenerator(g, cfg), E: NewEncoder(g, cfg),
		DVAE: NewDiscriminator(g, cfg), DLR: NewDiscriminator(g, cfg)}
	return m, g.Err()
}

// Trainer is the compiled training iteration: a D phase and a G/E phase,
// each recorded once and replayed.
type Trainer struct {
	*Model
	Hyper                       Hyper
	Pairs                       int // pairs per half (batch_size/2)
	A1, B1, A2, B2              *graph.Value
	epsD, zD, epsG, zG          *graph.Value
	dLosses, ganLosses          []*graph.Value
	kl, img, zl                 *graph.Value
	fakeVAE, fakeLR             *graph.Value // the G/E phase's fakes
	OptG, OptE, OptDVAE, OptDLR *graph.Adam
	dPhase, gPhase              *graph.Phase
}

// dInput is what a discriminator sees: B, or cat(A, B) when conditional.
func (m *Model) dInput(g *graph.Graph, a, b *graph.Value) *graph.Value {
	if m.Cfg.ConditionalD {
		return g.Concat(a, b)
	}
	return b
}

// NewTrainer builds and compiles the training iteration for pairs pairs
// per half (the seed's batch size 2 is pairs=1).
func NewTrainer(m *Model, pairs int, hp Hyper) (*Trainer, error) {
	return newTrainer(m, pairs, hp, false)
}

// NewProfiledTrainer is NewTrainer with per-dispatch timestamps recorded,
// for Profile.
func NewProfiledTrainer(m *Model, pairs int, hp Hyper) (*Trainer, error) {
	return newTrainer(m, pairs, hp, true)
}

func newTrainer(m *Model, pairs int, hp Hyper, profile bool) (*Trainer, error) {
	g, cfg := m.Graph, m.Cfg
	s, nz := cfg.ImgSize, cfg.NZ
	t := &Trainer{Model: m, Hyper: hp, Pairs: pairs}
	t.A1, t.B1, t.A2, t.B2 = g.Input(pairs, 3, s, s), g.Input(pairs, 3, s, s), g.Input(pairs, 3, s, s), g.Input(pairs, 3, s, s)
	t.epsD, t.zD, t.epsG, t.zG = g.Input(pairs, nz), g.Input(pairs, nz), g.Input(pairs, nz), g.Input(pairs, nz)

	mu, logvar := m.E.Forward(g, t.B1, false)

	// 1. D step: fakes from the current G and E (no gradient reaches them:
	// only D is trained in this phase).
	fakeVAE := m.G.Forward(g, t.A1, g.Reparam(mu, logvar, t.epsD), false)
	fakeLR := m.G.Forward(g, t.A2, t.zD, false)
	for _, d := range []struct {
		net        *Discriminator
		a, real, f *graph.Value
	}{{m.DVAE, t.A1, t.B1, fakeVAE}, {m.DLR, t.A2, t.B2, fakeLR}} {
		r1, r2 := d.net.Forward(g, m.dInput(g, d.a, d.real), false)
		f1, f2 := d.net.Forward(g, m.dInput(g, d.a, d.f), false)
		t.dLosses = append(t.dLosses, g.MSEConst(r1, 1), g.MSEConst(r2, 1), g.MSEConst(f1, 0), g.MSEConst(f2, 0))
	}

	// 2. G/E step with fresh noise: adversarial (through D, not into it),
	// KL and image reconstruction into G and E; 3. latent reconstruction
	// through a frozen E into G only.
	t.fakeVAE = m.G.Forward(g, t.A1, g.Reparam(mu, logvar, t.epsG), false)
	t.fakeLR = m.G.Forward(g, t.A2, t.zG, false)
	for _, d := range []struct {
		net  *Discriminator
		a, f *graph.Value
	}{{m.DVAE, t.A1, t.fakeVAE}, {m.DLR, t.A2, t.fakeLR}} {
		s1, s2 := d.net.Forward(g, m.dInput(g, d.a, d.f), false)
		t.ganLosses = append(t.ganLosses, g.MSEConst(s1, 1), g.MSEConst(s2, 1))
	}
	t.kl = g.KL(mu, logvar)
	t.img = g.L1Mean(t.fakeVAE, t.B1)
	muLR, _ := m.E.Forward(g, t.fakeLR, true)
	t.zl = g.L1Mean(muLR, t.zG)
	if err := g.Err(); err != nil {
		return nil, err
	}

	adam := func(params []*graph.Param) (*graph.Adam, error) {
		return g.NewAdam(params, hp.LR, hp.Beta1, hp.Beta2, 1e-8)
	}
	var err error
	if t.OptG, err = adam(m.G.Params()); err != nil {
		return nil, err
	}
	if t.OptE, err = adam(m.E.Params()); err != nil {
		return nil, err
	}
	if t.OptDVAE, err = adam(m.DVAE.Params()); err != nil {
		return nil, err
	}
	if t.OptDLR, err = adam(m.DLR.Params()); err != nil {
		return nil, err
	}

	var dSeeds, gSeeds []graph.Seed
	for _, l := range t.dLosses {
		dSeeds = append(dSeeds, graph.Seed{Loss: l, Weight: 1})
	}
	for _, l := range t.ganLosses {
		gSeeds = append(gSeeds, graph.Seed{Loss: l, Weight: 1})
	}
	gSeeds = append(gSeeds, graph.Seed{Loss: t.kl, Weight: float32(hp.LambdaKL)},
		graph.Seed{Loss: t.img, Weight: float32(hp.LambdaImg)}, graph.Seed{Loss: t.zl, Weight: float32(hp.LambdaZ)})
	phases, err := g.Compile(
		graph.PhaseSpec{Name: "D", Seeds: dSeeds, Train: append(m.DVAE.Params(), m.DLR.Params()...),
			Optimizers: []*graph.Adam{t.OptDVAE, t.OptDLR}, Profile: profile},
		graph.PhaseSpec{Name: "G/E", Seeds: gSeeds, Train: append(m.G.Params(), m.E.Params()...),
			Keep: []*graph.Value{t.fakeVAE, t.fakeLR}, Optimizers: []*graph.Adam{t.OptE, t.OptG}, Profile: profile},
	)
	if err != nil {
		return nil, err
	}
	t.dPhase, t.gPhase = phases[0], phases[1]
	return t, nil
}

// Batch is one iteration's images, each [pairs,3,S,S] in [-1,1].
type Batch struct{ A1, B1, A2, B2 []float32 }

// Step runs one training iteration (D step, then the G/E step) on a batch
// with the given noise and returns its losses.
func (t *Trainer) Step(b Batch, n Noise) (Losses, error) {
	uploads := []struct {
		v    *graph.Value
		data []float32
		what string
	}{{t.A1, b.A1, "A1"}, {t.B1, b.B1, "B1"}, {t.A2, b.A2, "A2"}, {t.B2, b.B2, "B2"},
		{t.epsD, n.EpsD, "eps (D step)"}, {t.zD, n.ZD, "random z (D step)"},
		{t.epsG, n.EpsG, "eps (G/E step)"}, {t.zG, n.ZG, "random z (G/E step)"}}
	for _, u := range uploads {
		if err := u.v.Tensor().Upload(u.data); err != nil {
			return Losses{}, fmt.Errorf("bicycle: %s: %w", u.what, err)
		}
	}
	if err := t.dPhase.Run(); err != nil {
		return Losses{}, err
	}
	if err := t.gPhase.Run(); err != nil {
		return Losses{}, err
	}
	var l Losses
	sum := func(p *graph.Phase, vs ...*graph.Value) (float64, error) {
		total := 0.0
		for _, v := range vs {
			x, err := p.Read(v)
			if err != nil {
				return 0, err
			}
			total += float64(x[0])
		}
		return total, nil
	}
	var err error
	if l.D, err = sum(t.dPhase, t.dLosses...); err != nil {
		return l, err
	}
	if l.GAN, err = sum(t.gPhase, t.ganLosses...); err != nil {
		return l, err
	}
	for _, x := range []struct {
		dst    *float64
		v      *graph.Value
		weight float64
	}{{&l.KL, t.kl, t.Hyper.LambdaKL}, {&l.Img, t.img, t.Hyper.LambdaImg}, {&l.Z, t.zl, t.Hyper.LambdaZ}} {
		raw, err := sum(t.gPhase, x.v)
		if err != nil {
			return l, err
		}
		*x.dst = raw * x.weight
	}
	return l, nil
}

// Phases exposes the compiled phases (profiling, FLOP counts).
func (t *Trainer) Phases() []*graph.Phase { return []*graph.Phase{t.dPhase, t.gPhase} }

// Fakes returns the last G/E step's fake images (from encoded z and from
// random z).
func (t *Trainer) Fakes() (vae, lr []float32, err error) {
	if vae, err = t.gPhase.Read(t.fakeVAE); err != nil {
		return nil, nil, err
	}
	lr, err = t.gPhase.Read(t.fakeLR)
	return vae, lr, err
}
