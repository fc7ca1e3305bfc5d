package bicycle

import (
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImageToCHWValues(t *testing.T) {
	want := func(v uint8) float32 { return float32(float64(v)/255*2 - 1) }
	for _, tc := range []struct {
		name    string
		img     image.Image
		r, g, b uint8
	}{
		{"gray 0", grayImage(2, 0), 0, 0, 0},
		{"gray 255", grayImage(2, 255), 255, 255, 255},
		{"gray 128", grayImage(2, 128), 128, 128, 128},
		{"rgba opaque", uniformRGBA(2, color.RGBA{10, 128, 255, 255}), 10, 128, 255},
		{"nrgba alpha ignored", uniformNRGBA(2, color.NRGBA{200, 100, 50, 0x40}), 200, 100, 50},
		{"paletted", palettedImage(2, color.RGBA{0, 255, 128, 255}), 0, 255, 128},
		{"ycbcr white", ycbcrWhite(2), 255, 255, 255},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ImageToCHW(tc.img, 2)
			if len(got) != 3*2*2 {
				t.Fatalf("len %d, want 12", len(got))
			}
			for c, v := range []uint8{tc.r, tc.g, tc.b} {
				for i := range 4 {
					if d := math.Abs(float64(got[c*4+i] - want(v))); d > 1e-6 {
						t.Errorf("channel %d pixel %d = %v, want %v", c, i, got[c*4+i], want(v))
					}
				}
			}
		})
	}
	if got := ImageToCHW(grayImage(1, 128), 1)[0]; math.Abs(float64(got)-(128.0/255*2-1)) > 1e-7 {
		t.Errorf("128 -> %v, want 128/255*2-1", got)
	}
	if got := ImageToCHW(grayImage(1, 0), 1)[0]; got != -1 {
		t.Errorf("0 -> %v, want -1", got)
	}
	if got := ImageToCHW(grayImage(1, 255), 1)[0]; got != 1 {
		t.Errorf("255 -> %v, want 1", got)
	}
}

func TestImageToCHWResize(t *testing.T) {
	// A 8x4 left-black right-white image resized to 4x4 keeps its halves.
	img := image.NewGray(image.Rect(0, 0, 8, 4))
	for y := range 4 {
		for x := 4; x < 8; x++ {
			img.SetGray(x, y, color.Gray{255})
		}
	}
	got := ImageToCHW(img, 4)
	if got[0] != -1 || got[3] != 1 || got[2*16+3*4] != -1 || got[2*16+3*4+3] != 1 {
		t.Errorf("resized values: %v", got[:16])
	}
	// Resizing a non-zero-origin sub-image works too.
	sub := img.SubImage(image.Rect(4, 0, 8, 4))
	for i, v := range ImageToCHW(sub, 2) {
		if v != 1 {
			t.Fatalf("sub-image value %d = %v, want 1", i, v)
		}
	}
}

func TestCHWRoundTrip(t *testing.T) {
	const size = 7
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 37)
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	back := CHWToImage(ImageToCHW(img, size), size)
	if string(back.Pix) != string(img.Pix) {
		t.Fatalf("round trip differs")
	}
	// Clamping and rounding.
	clamped := CHWToImage([]float32{-3, 3, 0}, 1)
	if p := clamped.Pix; p[0] != 0 || p[1] != 255 || p[2] != 128 || p[3] != 255 {
		t.Errorf("clamp/round: %v, want [0 255 128 255]", p)
	}
}

func TestGrid(t *testing.T) {
	red := uniformNRGBA(3, color.NRGBA{255, 0, 0, 255})
	g := Grid([][]*image.NRGBA{{red, red, red}, {red}}, 2)
	if b := g.Bounds(); b.Dx() != 3*5+2 || b.Dy() != 2*5+2 {
		t.Fatalf("grid %v, want 17x12", b)
	}
	for _, tc := range []struct {
		x, y int
		want color.NRGBA
	}{
		{0, 0, color.NRGBA{255, 255, 255, 255}},
		{2, 2, color.NRGBA{255, 0, 0, 255}},
		{5, 2, color.NRGBA{255, 255, 255, 255}},
		{7, 4, color.NRGBA{255, 0, 0, 255}},
		{12, 9, color.NRGBA{255, 255, 255, 255}}, // short second row
		{4, 9, color.NRGBA{255, 0, 0, 255}},
	} {
		if got := g.NRGBAAt(tc.x, tc.y); got != tc.want {
			t.Errorf("(%d,%d) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
}

func TestSaveLoadPNG(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.png")
	img := uniformNRGBA(4, color.NRGBA{1, 2, 3, 255})
	for range 2 { // the second write replaces the first
		if err := SavePNG(path, img); err != nil {
			t.Fatal(err)
		}
	}
	back, err := LoadImage(path)
	if err != nil {
		t.Fatal(err)
	}
	if r, g, b, _ := back.At(3, 3).RGBA(); r>>8 != 1 || g>>8 != 2 || b>>8 != 3 {
		t.Errorf("loaded %v", back.At(3, 3))
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("folder holds %d entries, want only x.png (no temp files)", len(ents))
	}
	if err := SavePNG(filepath.Join(dir, "missing", "y.png"), img); err == nil || !strings.Contains(err.Error(), "y.png") {
		t.Errorf("save into missing folder: %v", err)
	}
	for _, tc := range []struct{ name, content, want string }{
		{"text.png", "hello", "not a JPEG or PNG"},
		{"missing.png", "", "no such file"},
	} {
		p := filepath.Join(dir, tc.name)
		if tc.content != "" {
			os.WriteFile(p, []byte(tc.content), 0o644)
		}
		_, err := LoadImage(p)
		if err == nil || !strings.Contains(err.Error(), tc.name) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadImage(%s) error %v, want it to name the file and say %q", tc.name, err, tc.want)
		}
	}
}

func grayImage(size int, v uint8) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, size, size))
	for i := range img.Pix {
		img.Pix[i] = v
	}
	return img
}

func uniformRGBA(size int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func uniformNRGBA(size int, c color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func palettedImage(size int, c color.RGBA) *image.Paletted {
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.Black, c})
	for i := range img.Pix {
		img.Pix[i] = 1
	}
	return img
}

func ycbcrWhite(size int) *image.YCbCr {
	img := image.NewYCbCr(image.Rect(0, 0, size, size), image.YCbCrSubsampleRatio444)
	for i := range img.Y {
		img.Y[i], img.Cb[i], img.Cr[i] = 255, 128, 128
	}
	return img
}
