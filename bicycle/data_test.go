package bicycle

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// pairImage is a w x h image whose left half is colour a and right half b.
func pairImage(w, h int, a, b color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := a
			if x >= w/2 {
				c = b
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadDataset(t *testing.T) {
	dir := t.TempDir()
	red, blue := color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 0, 255, 255}
	for _, name := range []string{"b.png", "a.PNG", "c.jpeg"} {
		if err := SavePNG(filepath.Join(dir, name), pairImage(16, 8, red, blue)); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, pairImage(16, 8, red, blue))
	writeFile(t, filepath.Join(dir, "x.png"), []byte("this is not an image\n"))
	writeFile(t, filepath.Join(dir, "trunc.png"), buf.Bytes()[:buf.Len()/2])
	SavePNG(filepath.Join(dir, "square.png"), pairImage(8, 8, red, blue))
	writeFile(t, filepath.Join(dir, "notes.txt"), []byte("ignored"))
	os.Mkdir(filepath.Join(dir, "sub.png"), 0o755)

	for _, dirn := range []string{"AtoB", "BtoA"} {
		var warns []string
		d, err := LoadDataset(dir, 4, dirn, func(s string) { warns = append(warns, s) })
		if err != nil {
			t.Fatal(err)
		}
		names := []string{}
		for _, p := range d.Pairs {
			names = append(names, p.Name)
			if len(p.A) != 3*4*4 || len(p.B) != 3*4*4 {
				t.Fatalf("%s: shapes %d/%d, want 48", p.Name, len(p.A), len(p.B))
			}
		}
		if want := []string{"a.PNG", "b.png", "c.jpeg"}; !slices.Equal(names, want) {
			t.Errorf("%s: pairs %v, want %v", dirn, names, want)
		}
		a := d.Pairs[0].A
		wantA := [3]float32{1, -1, -1} // red
		if dirn == "BtoA" {
			wantA = [3]float32{-1, -1, 1} // blue
		}
		for c := range 3 {
			if a[c*16] != wantA[c] {
				t.Errorf("%s: A channel %d = %v, want %v", dirn, c, a[c*16], wantA[c])
			}
		}
		if len(d.Skipped) != 3 || len(warns) != 3 {
			t.Fatalf("%s: skipped %v, warnings %v; want 3", dirn, d.Skipped, warns)
		}
		for i, tc := range []struct{ file, reason string }{
			{"square.png", "twice as wide"},
			{"trunc.png", "truncated"},
			{"x.png", "not a JPEG or PNG"},
		} {
			if !strings.Contains(warns[i], tc.file) || !strings.Contains(warns[i], tc.reason) {
				t.Errorf("warning %q should name %s and say %q", warns[i], tc.file, tc.reason)
			}
			if filepath.Base(d.Skipped[i].Path) != tc.file || !strings.Contains(d.Skipped[i].Reason, tc.reason) {
				t.Errorf("skipped %+v, want %s (%s)", d.Skipped[i], tc.file, tc.reason)
			}
		}
	}

	if _, err := LoadDataset(dir, 4, "AtoB", nil); err != nil { // nil warn is allowed
		t.Errorf("nil warn: %v", err)
	}
	a, b := (&Dataset{Size: 4, Pairs: []Pair{{A: []float32{1}, B: []float32{2}}, {A: []float32{3}, B: []float32{4}}}}).Stack([]int{1, 0, 1})
	if !slices.Equal(a, []float32{3, 1, 3}) || !slices.Equal(b, []float32{4, 2, 4}) {
		t.Errorf("Stack = %v, %v", a, b)
	}
}

func TestLoadDatasetErrors(t *testing.T) {
	root := t.TempDir()
	empty := filepath.Join(root, "empty")
	os.Mkdir(empty, 0o755)
	onlyBad := filepath.Join(root, "bad")
	os.Mkdir(onlyBad, 0o755)
	writeFile(t, filepath.Join(onlyBad, "x.png"), []byte("nope"))
	file := filepath.Join(root, "file.txt")
	writeFile(t, file, []byte("x"))
	good := filepath.Join(root, "good")
	os.Mkdir(good, 0o755)
	SavePNG(filepath.Join(good, "0.png"), pairImage(8, 4, color.NRGBA{A: 255}, color.NRGBA{A: 255}))

	for _, tc := range []struct {
		name, dir, direction string
		want                 []string
	}{
		{"missing", filepath.Join(root, "nope"), "AtoB", []string{filepath.Join(root, "nope"), "does not exist", "ROOT/train", "edges2shoes"}},
		{"empty", empty, "AtoB", []string{empty, "no .jpg/.jpeg/.png", "ROOT/train and ROOT/val"}},
		{"only bad", onlyBad, "AtoB", []string{onlyBad, "no usable", "1 file(s) skipped", "side by side"}},
		{"not a folder", file, "AtoB", []string{file, "not a folder", "ROOT/val"}},
		{"bad direction", good, "AtoC", []string{good, `"AtoC"`, "BtoA"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadDataset(tc.dir, 4, tc.direction, nil)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestEpochOrderAndBatches(t *testing.T) {
	d := &Dataset{Pairs: make([]Pair, 11)}
	o1, o2, o3, o4 := d.EpochOrder(7, 0), d.EpochOrder(7, 0), d.EpochOrder(7, 1), d.EpochOrder(8, 0)
	sorted := slices.Sorted(slices.Values(o1))
	for i, v := range sorted {
		if v != i {
			t.Fatalf("EpochOrder %v is not a permutation of 0..10", o1)
		}
	}
	if !slices.Equal(o1, o2) {
		t.Errorf("same (seed, epoch) gave %v and %v", o1, o2)
	}
	if slices.Equal(o1, o3) || slices.Equal(o1, o4) {
		t.Errorf("orders should differ across epochs and seeds: %v %v %v", o1, o3, o4)
	}

	order := []int{10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}
	for _, tc := range []struct {
		pairs int
		want  [][2][]int
	}{
		{1, [][2][]int{{{10}, {9}}, {{8}, {7}}, {{6}, {5}}, {{4}, {3}}, {{2}, {1}}}},
		{2, [][2][]int{{{10, 9}, {8, 7}}, {{6, 5}, {4, 3}}}},
		{3, [][2][]int{{{10, 9, 8}, {7, 6, 5}}}},
		{6, nil},
	} {
		got := d.Batches(order, tc.pairs)
		if len(got) != len(tc.want) {
			t.Fatalf("pairs=%d: %d batches, want %d", tc.pairs, len(got), len(tc.want))
		}
		for i := range got {
			if !slices.Equal(got[i][0], tc.want[i][0]) || !slices.Equal(got[i][1], tc.want[i][1]) {
				t.Errorf("pairs=%d batch %d = %v, want %v", tc.pairs, i, got[i], tc.want[i])
			}
		}
	}
}
