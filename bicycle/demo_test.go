package bicycle

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteDemoDataset(t *testing.T) {
	const size, nTrain, nVal, seed = 32, 40, 5, 3
	roots := []string{t.TempDir(), t.TempDir()}
	for _, r := range roots {
		if err := WriteDemoDataset(r, size, nTrain, nVal, seed); err != nil {
			t.Fatal(err)
		}
	}
	for _, split := range []struct {
		name string
		n    int
	}{{"train", nTrain}, {"val", nVal}} {
		ents, err := os.ReadDir(filepath.Join(roots[0], split.name))
		if err != nil || len(ents) != split.n {
			t.Fatalf("%s: %d files (%v), want %d", split.name, len(ents), err, split.n)
		}
		for _, e := range ents {
			a, _ := os.ReadFile(filepath.Join(roots[0], split.name, e.Name()))
			b, _ := os.ReadFile(filepath.Join(roots[1], split.name, e.Name()))
			if len(a) == 0 || !bytes.Equal(a, b) {
				t.Fatalf("%s/%s differs between two runs with the same arguments", split.name, e.Name())
			}
		}
	}
	if _, err := os.Stat(filepath.Join(roots[0], "train", "0000.png")); err != nil {
		t.Errorf("want NNNN.png names: %v", err)
	}

	train, val := demoPairs(size, nTrain, nVal, seed)
	for _, split := range []struct {
		name  string
		pairs []demoPair
	}{{"train", train}, {"val", val}} {
		for _, dirn := range []string{"AtoB", "BtoA"} {
			d, err := LoadDataset(filepath.Join(roots[0], split.name), size, dirn, func(s string) { t.Error(s) })
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Pairs) != len(split.pairs) {
				t.Fatalf("%s: loaded %d pairs, want %d", split.name, len(d.Pairs), len(split.pairs))
			}
			for i, p := range d.Pairs {
				fill, edges := p.B, p.A
				if dirn == "BtoA" {
					fill, edges = p.A, p.B
				}
				rgb, ok := DominantFill(fill, size)
				idx, dist := NearestPaletteColour(rgb)
				if !ok || idx != split.pairs[i].colour || dist > 5 {
					t.Errorf("%s %s: fill %v (ok %v) -> palette %d at %.1f, want %d", split.name, p.Name, rgb, ok, idx, dist, split.pairs[i].colour)
				}
				if _, ok := DominantFill(edges, size); ok {
					t.Errorf("%s %s: the outline image has a coloured fill", split.name, p.Name)
				}
			}
		}
	}
}

func TestDemoPairsMultimodal(t *testing.T) {
	train, _ := demoPairs(DemoSize, DemoTrain, DemoVal, 1)
	colours := map[demoOutline]map[int]int{}
	kinds := map[demoShape]bool{}
	for _, p := range train {
		if colours[p.outline] == nil {
			colours[p.outline] = map[int]int{}
		}
		colours[p.outline][p.colour]++
		kinds[p.outline.kind] = true
	}
	if len(colours) != DemoTrain/demoColoursPerOutline || len(kinds) != int(demoShapeKinds) {
		t.Errorf("%d outlines of %d kinds, want %d of %d", len(colours), len(kinds), DemoTrain/demoColoursPerOutline, demoShapeKinds)
	}
	for o, cs := range colours {
		if len(cs) != len(DemoPalette) {
			t.Errorf("outline %+v has %d colours, want all %d", o, len(cs), len(DemoPalette))
		}
	}
	// The fill covers much of the image: at least 30% for every pair.
	for _, p := range train {
		img := drawDemoPair(p, DemoSize)
		n := 0
		for y := range DemoSize {
			for x := range DemoSize {
				if c := img.NRGBAAt(DemoSize+x, y); c.R != 255 || c.G != 255 || c.B != 255 {
					n++
				}
			}
		}
		if f := float64(n) / (DemoSize * DemoSize); f < 0.3 {
			t.Errorf("outline %+v covers %.2f of the image", p.outline, f)
		}
	}
}

func TestNearestPaletteColourAndDominantFill(t *testing.T) {
	for i, p := range DemoPalette {
		idx, d := NearestPaletteColour([3]float64{float64(p[0]) + 10, float64(p[1]) - 10, float64(p[2])})
		if idx != i || d > 15 {
			t.Errorf("palette %d: nearest %d at %.1f", i, idx, d)
		}
	}
	const size = 10
	gray := make([]float32, 3*size*size) // mid-gray everywhere: no fill
	if _, ok := DominantFill(gray, size); ok {
		t.Error("gray image should have no dominant fill")
	}
	img := make([]float32, 3*size*size)
	for i := range img {
		img[i] = 1 // white
	}
	for px := range 30 { // 30 red pixels, half of them darker
		v := float32(1)
		if px%2 == 0 {
			v = 0
		}
		img[px], img[size*size+px], img[2*size*size+px] = v, -1, -1
	}
	rgb, ok := DominantFill(img, size)
	if !ok || rgb[0] < 191 || rgb[0] > 192 || rgb[1] != 0 || rgb[2] != 0 {
		t.Errorf("DominantFill = %v, %v; want about (191.25, 0, 0)", rgb, ok)
	}
}
