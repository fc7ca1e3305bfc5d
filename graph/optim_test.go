package graph

import (
	"math"
	"testing"
)

func TestLinearDecay(t *testing.T) {
	cases := []struct {
		epoch, constant, decay int
		want                   float64
	}{
		{0, 0, 0, 1},   // no decay configured
		{50, 10, 0, 1}, // still none
		{0, 2, 3, 1},
		{1, 2, 3, 1},
		{2, 2, 3, 0.75}, // first decay epoch: 1 - 1/4
		{3, 2, 3, 0.5},
		{4, 2, 3, 0.25}, // last epoch of the run
		{9, 2, 3, 0},    // past the end: clamped at 0
	}
	for _, c := range cases {
		if got := LinearDecay(1, c.epoch, c.constant, c.decay); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("LinearDecay(1, epoch %d, constant %d, decay %d) = %g, want %g", c.epoch, c.constant, c.decay, got, c.want)
		}
	}
	if got := LinearDecay(2e-4, 3, 2, 3); math.Abs(got-1e-4) > 1e-18 {
		t.Errorf("scaled: %g, want 1e-4", got)
	}
}
