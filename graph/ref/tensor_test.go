package ref

import (
	"math"
	"testing"
)

func TestTensorBasics(t *testing.T) {
	rng := newRNG(1200)
	x := Rand(rng, 2, 3, 4)
	if x.Len() != 24 {
		t.Fatalf("Len = %d", x.Len())
	}
	for _, v := range x.Data {
		if v < -1 || v >= 1 {
			t.Fatalf("Rand value %g outside [-1, 1)", v)
		}
	}
	c := x.Clone()
	c.Data[0]++
	c.Shape[0] = 7
	if x.Data[0] == c.Data[0] || x.Shape[0] != 2 {
		t.Error("Clone shares storage")
	}
	if s := Scalar(3); len(s.Shape) != 1 || s.Shape[0] != 1 || s.Data[0] != 3 {
		t.Errorf("Scalar = %+v", s)
	}
	if z := New(0, 3); z.Len() != 0 {
		t.Errorf("empty tensor has %d elements", z.Len())
	}
	if n := Randn(rng, 1000); math.Abs(Mean(n).Data[0]) > 0.2 {
		t.Errorf("Randn mean %g", Mean(n).Data[0])
	}
}

func TestMaxAbs(t *testing.T) {
	a := []float64{1, -5, 2}
	b := []float64{1.5, -4, 2}
	if got := MaxAbs(a); got != 5 {
		t.Errorf("MaxAbs = %g", got)
	}
	if got := MaxAbsDiff(a, b); got != 1 {
		t.Errorf("MaxAbsDiff = %g", got)
	}
	// A NaN must never read as a small error.
	if got := MaxAbsDiff([]float64{math.NaN(), 0}, []float64{0, 0}); !math.IsNaN(got) {
		t.Errorf("MaxAbsDiff with NaN = %g", got)
	}
	if got := MaxAbs([]float64{0, math.NaN(), 1}); !math.IsNaN(got) {
		t.Errorf("MaxAbs with NaN = %g", got)
	}
}

func TestFromDataPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("length mismatch did not panic")
		}
	}()
	FromData([]float64{1, 2, 3}, 2, 2)
}
