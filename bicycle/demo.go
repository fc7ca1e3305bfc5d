package bicycle

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// The bundled demo dataset's defaults: 64 px halves, 400 training pairs, 8
// validation pairs.
const (
	DemoSize  = 64
	DemoTrain = 400
	DemoVal   = 8
)

// DemoPalette holds the demo's fill colours: saturated and far apart (the
// closest two are about 190 apart in RGB), so the colour z picks is easy to
// see and to measure.
var DemoPalette = [][3]uint8{
	{230, 25, 25},  // red
	{25, 190, 25},  // green
	{25, 25, 230},  // blue
	{235, 215, 25}, // yellow
	{220, 25, 220}, // magenta
}

// demoColoursPerOutline: each training outline appears this many times, its
// fill cycling through the palette (twice each with five colours).
const demoColoursPerOutline = 10

type demoShape int

const (
	demoCircle demoShape = iota
	demoSquare
	demoTriangle
	demoDiamond
	demoShapeKinds
)

// demoOutline is one distinct A: a shape kind, its centre and its half
// extent (half the width of its bounding box), in pixels.
type demoOutline struct {
	kind   demoShape
	cx, cy float64
	e      float64
}

// demoPair is one generated pair: its outline and its palette index.
type demoPair struct {
	outline demoOutline
	colour  int
}

func randomOutline(rng *rand.Rand, kind demoShape, size int) demoOutline {
	s := float64(size)
	e := s * (0.36 + 0.08*rng.Float64())
	if kind == demoTriangle || kind == demoDiamond { // thinner shapes: larger extent
		e = min(e*1.12, 0.46*s)
	}
	room := math.Max(0, 0.47*s-e) // keep the shape inside the square
	return demoOutline{
		kind: kind,
		cx:   s/2 + room*(2*rng.Float64()-1),
		cy:   s/2 + room*(2*rng.Float64()-1),
		e:    e,
	}
}

// demoPairs generates the specs of the demo's training and validation pairs.
// Training: max(1, nTrain/10) distinct outlines (kinds in turn), pair i
// using outline i%n and palette colour (i/n)%len(DemoPalette), then
// shuffled, so every outline appears with every colour (twice each at the
// defaults). Validation: fresh outlines, not seen in training.
func demoPairs(size, nTrain, nVal int, seed uint64) (train, val []demoPair) {
	rng := rand.New(rand.NewPCG(seed, 0xb1c7c1e))
	nOut := max(1, nTrain/demoColoursPerOutline)
	outlines := make([]demoOutline, nOut)
	for i := range outlines {
		outlines[i] = randomOutline(rng, demoShape(i)%demoShapeKinds, size)
	}
	for i := range nTrain {
		train = append(train, demoPair{outlines[i%nOut], (i / nOut) % len(DemoPalette)})
	}
	rng.Shuffle(len(train), func(i, j int) { train[i], train[j] = train[j], train[i] })
	for i := range nVal {
		val = append(val, demoPair{randomOutline(rng, demoShape(i)%demoShapeKinds, size), i % len(DemoPalette)})
	}
	return train, val
}

// dist is a signed distance-like function of the outline: negative inside,
// exact (Euclidean) inside the shape, which is where the stroke is drawn.
func (o demoOutline) dist(x, y float64) float64 {
	dx, dy := x-o.cx, y-o.cy
	switch o.kind {
	case demoCircle:
		return math.Hypot(dx, dy) - o.e
	case demoSquare:
		return math.Max(math.Abs(dx), math.Abs(dy)) - 0.92*o.e
	case demoDiamond:
		return (math.Abs(dx) + math.Abs(dy) - o.e) / math.Sqrt2
	default: // upward isosceles triangle filling its square bounding box
		side := (2*math.Abs(dx) - (dy + o.e)) / math.Sqrt(5) // slanted edges, outward normals (±2, -1)/√5
		return math.Max(dy-o.e, side)
	}
}

// drawDemoPair renders one pair: A (left) is the black outline (about
// 2.5 px at 64 px) on white, B (right) the shape filled with its palette
// colour on white.
func drawDemoPair(p demoPair, size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 2*size, size))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	stroke := 2.5 * float64(size) / 64
	c := DemoPalette[p.colour]
	for y := range size {
		for x := range size {
			d := p.outline.dist(float64(x)+0.5, float64(y)+0.5)
			if d > 0 {
				continue
			}
			if d > -stroke {
				a := img.Pix[y*img.Stride+4*x:]
				a[0], a[1], a[2] = 0, 0, 0
			}
			b := img.Pix[y*img.Stride+4*(size+x):]
			b[0], b[1], b[2] = c[0], c[1], c[2]
		}
	}
	return img
}

// WriteDemoDataset writes the bundled demo dataset to ROOT/train/NNNN.png
// and ROOT/val/NNNN.png in the aligned A|B format (2*size x size): A is a
// black outline of a circle, square, triangle or diamond on white, B the same
// shape filled with one of DemoPalette's colours, so one A has several right
// answers. The output is deterministic in the arguments. Files with other
// names already in the folders are left alone.
func WriteDemoDataset(root string, size, nTrain, nVal int, seed uint64) error {
	if size < 8 || nTrain < 0 || nVal < 0 {
		return fmt.Errorf("demo dataset: bad size %d or counts %d/%d", size, nTrain, nVal)
	}
	train, val := demoPairs(size, nTrain, nVal, seed)
	for _, split := range []struct {
		name  string
		pairs []demoPair
	}{{"train", train}, {"val", val}} {
		dir := filepath.Join(root, split.name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("demo dataset: %w", err)
		}
		digits := max(4, len(fmt.Sprint(len(split.pairs)-1)))
		for i, p := range split.pairs {
			path := filepath.Join(dir, fmt.Sprintf("%0*d.png", digits, i))
			if err := SavePNG(path, drawDemoPair(p, size)); err != nil {
				return fmt.Errorf("demo dataset: %w", err)
			}
		}
	}
	return nil
}

// DominantFill returns the mean colour (0..255 per channel) of the pixels of
// a [3,size,size] tensor in [-1,1] that are clearly coloured: max-min over
// the channels of at least 64, which excludes the white background, black or
// gray outlines and pale anti-aliased fringes. ok is false when fewer than
// 0.5% of the pixels (at least one) qualify, since a handful of stray pixels
// says nothing about the fill.
func DominantFill(img []float32, size int) (rgb [3]float64, ok bool) {
	plane := size * size
	var sum [3]float64
	n := 0
	for i := range plane {
		var v [3]float64
		for c := range 3 {
			v[c] = math.Max(0, math.Min(255, (float64(img[c*plane+i])+1)/2*255))
		}
		if max(v[0], v[1], v[2])-min(v[0], v[1], v[2]) < 64 {
			continue
		}
		for c := range 3 {
			sum[c] += v[c]
		}
		n++
	}
	if n == 0 || n < plane/200 {
		return rgb, false
	}
	for c := range 3 {
		rgb[c] = sum[c] / float64(n)
	}
	return rgb, true
}

// NearestPaletteColour returns the index of the DemoPalette colour closest to
// rgb (0..255 per channel) and its Euclidean distance.
func NearestPaletteColour(rgb [3]float64) (idx int, dist float64) {
	dist = math.Inf(1)
	for i, p := range DemoPalette {
		d := math.Sqrt(sq(rgb[0]-float64(p[0])) + sq(rgb[1]-float64(p[1])) + sq(rgb[2]-float64(p[2])))
		if d < dist {
			idx, dist = i, d
		}
	}
	return idx, dist
}

func sq(x float64) float64 { return x * x }
