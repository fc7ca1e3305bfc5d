package graph

import (
	"testing"

	"bicycle-vk/graph/ref"
)

// tinyNet is conv -> instance norm -> LeakyReLU -> conv_transpose -> tanh,
// with an L1 loss against a target and an MSE loss on the conv output,
// small enough to chain its backward by hand with graph/ref.
type tinyNet struct {
	x, target                *ref.Tensor
	w1, b1, gam, bet, w2, b2 *ref.Tensor
}

func newTinyNet(seed uint64) *tinyNet {
	g := rng(seed)
	gam := ref.Rand(g, 4)
	for i := range gam.Data {
		gam.Data[i] = 1 + 0.2*gam.Data[i]
	}
	return &tinyNet{x: ref.Rand(g, 2, 3, 6, 6), target: ref.Rand(g, 2, 3, 6, 6),
		w1: ref.Rand(g, 4, 3, 4, 4), b1: ref.Rand(g, 4), gam: gam, bet: ref.Rand(g, 4),
		w2: ref.Rand(g, 4, 3, 4, 4), b2: ref.Rand(g, 3)}
}

// refGrads returns the gradients of lossL1*wL1 + lossMSE*wMSE with respect
// to (x, w1, b1, gamma, beta, w2, b2), chained by hand.
func (n *tinyNet) refGrads(wL1, wMSE float64) map[string]*ref.Tensor {
	h := ref.Conv2d(n.x, n.w1, n.b1, 2, 1)
	a := ref.InstanceNorm2d(h, n.gam, n.bet, 1e-5)
	l := ref.LeakyReLU(a, 0.2)
	o := ref.ConvTranspose2d(l, n.w2, n.b2, 2, 1)
	y := ref.Tanh(o)
	dy, _ := ref.L1MeanBackward(y, n.target, wL1)
	do := ref.TanhBackward(y, dy)
	dl, dw2, db2 := ref.ConvTranspose2dBackward(l, n.w2, do, 2, 1)
	da := ref.LeakyReLUBackward(a, dl, 0.2)
	dh, dgam, dbet := ref.InstanceNorm2dBackward(h, n.gam, da, 1e-5)
	dh = ref.Add(dh, ref.MSEConstBackward(h, 0.5, wMSE))
	dx, dw1, db1 := ref.Conv2dBackward(n.x, n.w1, dh, 2, 1)
	return map[string]*ref.Tensor{"x": dx, "w1": dw1, "b1": db1, "gamma": dgam, "beta": dbet, "w2": dw2, "b2": db2}
}

// build declares the net in g; frozenW1 uses w1 through Detach.
func (n *tinyNet) build(t *testing.T, g *Graph, frozenW1 bool) (params map[string]*Param, l1, mse *Value) {
	params = map[string]*Param{}
	for name, v := range map[string]*ref.Tensor{"w1": n.w1, "b1": n.b1, "gamma": n.gam, "beta": n.bet, "w2": n.w2, "b2": n.b2} {
		p := g.Param(name, v.Shape...)
		if err := p.Data.Upload(f32(v.Data)); err != nil {
			t.Fatal(err)
		}
		params[name] = p
	}
	x, target := g.Input(n.x.Shape...), g.Input(n.target.Shape...)
	if err := x.Tensor().Upload(f32(n.x.Data)); err != nil {
		t.Fatal(err)
	}
	if err := target.Tensor().Upload(f32(n.target.Data)); err != nil {
		t.Fatal(err)
	}
	w1 := params["w1"].Value
	if frozenW1 {
		w1 = g.Detach(w1)
	}
	h := g.Conv2d(x, w1, params["b1"].Value, 2, 1)
	a := g.InstanceNorm2d(h, params["gamma"].Value, params["beta"].Value, 1e-5)
	y := g.Tanh(g.ConvTranspose2d(g.LeakyReLU(a, 0.2), params["w2"].Value, params["b2"].Value, 2, 1))
	return params, g.L1Mean(y, target), g.MSEConst(h, 0.5)
}

func f32(d []float64) []float32 {
	out := make([]float32, len(d))
	for i, v := range d {
		out[i] = float32(v)
	}
	return out
}

func allParams(m map[string]*Param) []*Param {
	var out []*Param
	for _, k := range []string{"w1", "b1", "gamma", "beta", "w2", "b2"} {
		out = append(out, m[k])
	}
	return out
}

func TestAutogradGradients(t *testing.T) {
	e := engine(t)
	n := newTinyNet(1)
	g := e.NewGraph()
	defer g.Close()
	params, l1, mse := n.build(t, g, false)
	phases, err := g.Compile(PhaseSpec{Name: "train", Seeds: []Seed{{l1, 3}, {mse, 0.25}}, Train: allParams(params)})
	if err != nil {
		t.Fatal(err)
	}
	if err := phases[0].Run(); err != nil {
		t.Fatal(err)
	}
	want := n.refGrads(3, 0.25)
	for name, p := range params {
		// The longest chain is six ops of sums over at most 4*4*4 terms.
		expectClose(t, "d"+name, p.Grad, want[name], 1e-5)
	}
}

// TestAutogradDetach freezes w1 for its one use: no gradient reaches it and
// Adam leaves it alone, while everything else still trains.
func TestAutogradDetach(t *testing.T) {
	e := engine(t)
	n := newTinyNet(2)
	g := e.NewGraph()
	defer g.Close()
	params, l1, mse := n.build(t, g, true)
	opt, err := g.NewAdam(allParams(params), 0.01, 0.5, 0.999, 1e-8)
	if err != nil {
		t.Fatal(err)
	}
	phases, err := g.Compile(PhaseSpec{Name: "train", Seeds: []Seed{{l1, 1}, {mse, 1}}, Train: allParams(params),
		Optimizers: []*Adam{opt}})
	if err != nil {
		t.Fatal(err)
	}
	if err := phases[0].Run(); err != nil {
		t.Fatal(err)
	}
	expectClose(t, "frozen w1 unchanged", params["w1"].Data, n.w1, 1e-7)
	want := n.refGrads(1, 1)
	expectClose(t, "dw2 still trained", params["w2"].Grad, want["w2"], 1e-5)
	w2 := ref.FromData(append([]float64(nil), n.w2.Data...), n.w2.Shape...)
	ref.AdamStep(w2, want["w2"], ref.New(w2.Shape...), ref.New(w2.Shape...), 0.01, 0.5, 0.999, 1e-8, 1)
	expectClose(t, "w2 after Adam", params["w2"].Data, w2, 1e-5)
}

// TestAutogradSharedParameter applies one conv to two inputs: its weight
// gradient is the sum of both uses (first overwrites, second accumulates),
// and a replayed phase recomputes rather than accumulates across runs.
func TestAutogradSharedParameter(t *testing.T) {
	e := engine(t)
	gen := rng(3)
	x1, x2, w := ref.Rand(gen, 1, 2, 5, 5), ref.Rand(gen, 1, 2, 5, 5), ref.Rand(gen, 3, 2, 3, 3)
	g := e.NewGraph()
	defer g.Close()
	p := g.Param("w", w.Shape...)
	if err := p.Data.Upload(f32(w.Data)); err != nil {
		t.Fatal(err)
	}
	in1, in2 := g.Input(x1.Shape...), g.Input(x2.Shape...)
	in1.Tensor().Upload(f32(x1.Data))
	in2.Tensor().Upload(f32(x2.Data))
	l1 := g.MSEConst(g.Conv2d(in1, p.Value, nil, 1, 1), 0)
	l2 := g.MSEConst(g.Conv2d(in2, p.Value, nil, 1, 1), 1)
	phases, err := g.Compile(PhaseSpec{Name: "shared", Seeds: []Seed{{l1, 1}, {l2, 2}}, Train: []*Param{p}})
	if err != nil {
		t.Fatal(err)
	}
	_, dw1, _ := ref.Conv2dBackward(x1, w, ref.MSEConstBackward(ref.Conv2d(x1, w, nil, 1, 1), 0, 1), 1, 1)
	_, dw2, _ := ref.Conv2dBackward(x2, w, ref.MSEConstBackward(ref.Conv2d(x2, w, nil, 1, 1), 1, 2), 1, 1)
	for run := 0; run < 2; run++ {
		if err := phases[0].Run(); err != nil {
			t.Fatal(err)
		}
		expectClose(t, "dw", p.Grad, ref.Add(dw1, dw2), 1e-5)
	}
}

// TestAutogradMemoryReuse checks that activations share slots: a deep chain
// needs far fewer slot bytes than it has activations.
func TestAutogradMemoryReuse(t *testing.T) {
	e := engine(t)
	g := e.NewGraph()
	defer g.Close()
	x := g.Input(1, 8, 16, 16)
	v, count := x, 0
	for i := 0; i < 12; i++ {
		v = g.LeakyReLU(v, 0.2)
		count++
	}
	loss := g.MSEConst(v, 0)
	if _, err := g.Compile(PhaseSpec{Name: "forward", Keep: []*Value{loss}}); err != nil {
		t.Fatal(err)
	}
	per := int64(4 * 8 * 16 * 16)
	if got := g.Memory().Activations; got > 2*per {
		t.Errorf("a 12-op chain holds %d activation bytes; two slots of %d would do", got, per)
	}
	if g.Memory().Total() <= 0 {
		t.Error("memory report is empty")
	}
}

func TestAutogradErrors(t *testing.T) {
	e := engine(t)
	g := e.NewGraph()
	defer g.Close()
	x := g.Input(1, 3, 8, 8)
	w := g.Param("w", 4, 5, 3, 3) // wrong input channels
	g.Conv2d(x, w.Value, nil, 1, 1)
	if g.Err() == nil {
		t.Error("a conv with mismatched channels was accepted")
	}
	if _, err := g.Compile(PhaseSpec{Name: "bad"}); err == nil {
		t.Error("Compile accepted a graph with a build error")
	}
	g2 := e.NewGraph()
	defer g2.Close()
	x2 := g2.Input(1, 3, 8, 8)
	if _, err := g2.Compile(PhaseSpec{Name: "bad seed", Seeds: []Seed{{g2.ReLU(x2), 1}}}); err == nil {
		t.Error("a non-loss seed was accepted")
	}
}
