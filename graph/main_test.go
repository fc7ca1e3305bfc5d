package graph

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"bicycle-vk/graph/ref"
	"bicycle-vk/vk"
)

// testEngine is shared by the package's tests: opening a device costs more
// than most tests. BICYCLE_VK_VALIDATION=1 (./build.sh test) turns on the
// validation layer, and every test checks it stayed silent.
var testEngine *Engine

func TestMain(m *testing.M) {
	dev, err := vk.Open(vk.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "graph tests need a Vulkan device:", err)
		os.Exit(1)
	}
	testEngine = NewEngine(dev)
	code := m.Run()
	dev.Close()
	if msgs := vk.TakeValidationMessages(); len(msgs) > 0 {
		fmt.Fprintln(os.Stderr, "validation messages at shutdown:", msgs)
		code = 1
	}
	os.Exit(code)
}

// engine returns the shared engine and fails t if the validation layer
// reported anything during it.
func engine(t testing.TB) *Engine {
	t.Helper()
	vk.TakeValidationMessages()
	t.Cleanup(func() {
		if msgs := vk.TakeValidationMessages(); len(msgs) > 0 {
			t.Errorf("validation layer: %d message(s), first: %s", len(msgs), msgs[0])
		}
	})
	return testEngine
}

// upload puts a reference tensor on the device as float32.
func upload(t testing.TB, e *Engine, r *ref.Tensor) *Tensor {
	t.Helper()
	data := make([]float32, len(r.Data))
	for i, v := range r.Data {
		data[i] = float32(v)
	}
	x, err := e.FromHost(data, r.Shape...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(x.Free)
	return x
}

// empty allocates a device tensor filled with NaN, so that an op that
// forgets to write an element fails the comparison.
func empty(t testing.TB, e *Engine, shape ...int) *Tensor {
	t.Helper()
	x, err := e.NewTensor(shape...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(x.Free)
	nan := make([]float32, x.Len())
	for i := range nan {
		nan[i] = float32(nanValue())
	}
	if err := x.Upload(nan); err != nil {
		t.Fatal(err)
	}
	return x
}

func nanValue() float64 { var z float64; return z / z }

// download reads a device tensor back as float64.
func download(t testing.TB, x *Tensor) []float64 {
	t.Helper()
	f, err := x.Download()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(f))
	for i, v := range f {
		out[i] = float64(v)
	}
	return out
}

// run executes a recording and closes it.
func run(t testing.TB, r *Rec) {
	t.Helper()
	defer r.Close()
	if err := r.Run(); err != nil {
		t.Fatal(err)
	}
}

// runTimed executes a profiled recording, closes it and returns what each
// dispatch ran (kernel and time), for tests of which kernel a pass chose.
func runTimed(t testing.TB, r *Rec) []vk.Timing {
	t.Helper()
	defer r.Close()
	if err := r.Run(); err != nil {
		t.Fatal(err)
	}
	ts, err := r.Recorder().Timings()
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// expectClose compares a device result with the float64 reference: the
// largest absolute difference must be at most tol times the reference's
// largest magnitude (or tol itself when that is below 1). Shape is checked too.
func expectClose(t testing.TB, name string, got *Tensor, want *ref.Tensor, tol float64) {
	t.Helper()
	if !SameShape(got.Shape, want.Shape) {
		t.Errorf("%s: shape %v, want %v", name, got.Shape, want.Shape)
		return
	}
	g := download(t, got)
	scale := ref.MaxAbs(want.Data)
	if scale < 1 {
		scale = 1
	}
	if d := ref.MaxAbsDiff(g, want.Data); !(d <= tol*scale) {
		t.Errorf("%s %v: max |gpu - ref| = %.3g, over %.3g (tol %.1g x scale %.3g)", name, want.Shape, d, tol*scale, tol, scale)
	}
}

// rng returns a deterministic generator per test.
func rng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x6b1c)) }

// tolFor is the tolerance for a float32 result accumulated over k terms of
// magnitude about 1: rounding grows like sqrt(k) * 2^-24 in the typical case;
// 8x that leaves headroom for the worst case without hiding a wrong index
// (which makes errors of order 1).
func tolFor(k int) float64 {
	s := 1.0
	for s*s < float64(k) {
		s++
	}
	return 8 * s * 6e-8
}
