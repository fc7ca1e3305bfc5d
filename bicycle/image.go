package bicycle

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // LoadImage decodes JPEG
	"image/png"
	"math"
	"os"
	"path/filepath"

	"github.com/disintegration/imaging"
)

// opaqueNRGBA converts any image to a fresh *image.NRGBA with its origin at
// (0,0) and every alpha set to 255: the colour channels are kept as they are
// (non-premultiplied), the alpha is dropped, as PIL's convert("RGB") does.
func opaqueNRGBA(img image.Image) *image.NRGBA {
	n := imaging.Clone(img)
	for i := 3; i < len(n.Pix); i += 4 {
		n.Pix[i] = 255
	}
	return n
}

// ImageToCHW converts img (gray, RGB(A) with the alpha ignored, paletted,
// YCbCr, ...) to RGB, resizes it to size x size with bilinear filtering
// (skipped when it already has that size) and maps each 8-bit channel v to
// v/255*2-1, as torchvision's ToTensor + Normalize(0.5, 0.5) do. The result
// is a [3,size,size] row-major tensor in [-1,1].
func ImageToCHW(img image.Image, size int) []float32 {
	n := opaqueNRGBA(img)
	if b := n.Bounds(); b.Dx() != size || b.Dy() != size {
		n = imaging.Resize(n, size, size, imaging.Linear)
	}
	plane := size * size
	out := make([]float32, 3*plane)
	for y := 0; y < size; y++ {
		row := n.Pix[y*n.Stride:]
		for x := 0; x < size; x++ {
			for c := 0; c < 3; c++ {
				out[c*plane+y*size+x] = float32(float64(row[4*x+c])/255*2 - 1)
			}
		}
	}
	return out
}

// CHWToImage is the inverse of ImageToCHW for a [3,size,size] tensor: each
// value is clamped to [-1,1] and mapped to round((v+1)/2*255).
func CHWToImage(t []float32, size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	plane := size * size
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			p := img.Pix[y*img.Stride+4*x:]
			for c := 0; c < 3; c++ {
				v := math.Max(-1, math.Min(1, float64(t[c*plane+y*size+x])))
				p[c] = uint8(math.Round((v + 1) / 2 * 255))
			}
			p[3] = 255
		}
	}
	return img
}

// Grid tiles equally sized images row by row, with pad pixels of white
// between and around them. Rows may have different lengths (the grid is as
// wide as the longest row); a nil entry leaves its cell white.
func Grid(rows [][]*image.NRGBA, pad int) *image.NRGBA {
	w, h, cols := 0, 0, 0
	for _, r := range rows {
		cols = max(cols, len(r))
		for _, im := range r {
			if im != nil && w == 0 {
				w, h = im.Bounds().Dx(), im.Bounds().Dy()
			}
		}
	}
	out := image.NewNRGBA(image.Rect(0, 0, cols*(w+pad)+pad, len(rows)*(h+pad)+pad))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	for i, r := range rows {
		for j, im := range r {
			if im == nil {
				continue
			}
			at := image.Pt(pad+j*(w+pad), pad+i*(h+pad))
			draw.Draw(out, image.Rectangle{at, at.Add(image.Pt(w, h))}, im, im.Bounds().Min, draw.Src)
		}
	}
	return out
}

// SavePNG writes img as a PNG to path atomically: it encodes into a temporary
// file in the same folder, syncs it and renames it over path, so a crash
// never leaves a half-written PNG under the real name.
func SavePNG(path string, img image.Image) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = fmt.Errorf("save %s: %w", path, err)
		}
	}()
	if err = png.Encode(f, img); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil { // make the rename itself durable
		d.Sync()
		d.Close()
	}
	return nil
}

// LoadImage decodes a JPEG or PNG file; errors name the file and the problem.
func LoadImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load image: %w", err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	switch {
	case errors.Is(err, image.ErrFormat):
		return nil, fmt.Errorf("load image %s: not a JPEG or PNG image", path)
	case err != nil:
		return nil, fmt.Errorf("load image %s: corrupt or truncated: %v", path, err)
	}
	if b := img.Bounds(); b.Empty() {
		return nil, fmt.Errorf("load image %s: empty image (%dx%d)", path, b.Dx(), b.Dy())
	}
	return img, nil
}
