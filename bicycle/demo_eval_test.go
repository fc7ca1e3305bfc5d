package bicycle

import (
	"image"
	"math"
	"testing"
)

func TestRMSSpread(t *testing.T) {
	cases := []struct {
		name string
		cs   [][3]float64
		want float64
	}{
		{"none", nil, 0},
		{"one", [][3]float64{{10, 20, 30}}, 0},
		{"same", [][3]float64{{5, 5, 5}, {5, 5, 5}}, 0},
		{"two apart", [][3]float64{{0, 0, 0}, {200, 0, 0}}, 100},
		{"three", [][3]float64{{0, 0, 0}, {0, 30, 0}, {0, 0, 0}}, math.Sqrt(200)},
	}
	for _, c := range cases {
		if got := rmsSpread(c.cs); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: %g, want %g", c.name, got, c.want)
		}
	}
}

// TestScoreDemo runs the score on an untrained tiny generator: it must
// sample every code and stay in range (an untrained G paints no palette
// fills, so the palette measures are ~0).
func TestScoreDemo(t *testing.T) {
	e := engine(t)
	cfg := Config{ImgSize: 32, NZ: 3, NGF: 4, NEF: 4, NDF: 4}
	m, err := NewModel(e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Graph.Close()
	if err := synthInit(m.G.Params(), "G/"); err != nil {
		t.Fatal(err)
	}
	sp, err := NewSampler(m, 4)
	if err != nil {
		t.Fatal(err)
	}
	train, _ := demoPairs(32, 10, 0, 1)
	var inputs []Pair
	for _, p := range train[:3] {
		img := drawDemoPair(p, 32)
		a := ImageToCHW(img.SubImage(image.Rect(0, 0, 32, 32)), 32)
		inputs = append(inputs, Pair{A: a})
	}
	sc, err := ScoreDemo(sp, inputs, 6, 1)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Codes != 6 || sc.ColoursPerInput < 0 || sc.ColoursPerInput > 5 || sc.PaletteShare < 0 || sc.PaletteShare > 1 || sc.Spread < 0 {
		t.Errorf("score out of range: %+v", sc)
	}
}
