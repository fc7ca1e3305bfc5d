package bicycle

import (
	"math"
	"math/rand/v2"
)

// DemoScore measures how far training on the demo data has come: whether
// the generator fills shapes with clean palette colours, and whether z
// chooses among them (the multimodality BicycleGAN is for).
type DemoScore struct {
	ColoursPerInput float64 // distinct palette colours over the codes, averaged over inputs (1 = z ignored)
	PaletteShare    float64 // share of outputs whose fill is near a palette colour
	// Spread is the RMS distance (0..255 RGB) of an outline's fill colours
	// over the codes from their mean, averaged over inputs: 0 when z changes
	// nothing; the palette's colours are ~190-280 apart.
	Spread float64
	Codes  int
}

// paletteNear is how close (0..255 RGB distance) a fill must be to a palette
// colour to count as that colour; the palette's closest pair is ~190 apart.
const paletteNear = 60

// ScoreDemo samples each input with n random codes and scores the fills.
func ScoreDemo(sp *Sampler, inputs []Pair, n int, seed uint64) (DemoScore, error) {
	rng := rand.New(rand.NewPCG(seed, 0xc010))
	s := sp.m.Cfg.ImgSize
	score := DemoScore{Codes: n}
	onPalette, total := 0, 0
	for _, p := range inputs {
		zs := make([][]float32, n)
		for i := range zs {
			zs[i] = normals(rng, sp.m.Cfg.NZ)
		}
		outs, err := sp.Translate(p.A, zs)
		if err != nil {
			return score, err
		}
		seen := map[int]bool{}
		var fills [][3]float64
		for _, y := range outs {
			total++
			rgb, ok := DominantFill(y, s)
			if !ok {
				continue
			}
			fills = append(fills, rgb)
			if idx, d := NearestPaletteColour(rgb); d <= paletteNear {
				seen[idx] = true
				onPalette++
			}
		}
		score.ColoursPerInput += float64(len(seen))
		score.Spread += rmsSpread(fills)
	}
	if len(inputs) > 0 {
		score.ColoursPerInput /= float64(len(inputs))
		score.Spread /= float64(len(inputs))
		score.PaletteShare = float64(onPalette) / float64(total)
	}
	return score, nil
}

// rmsSpread is the RMS distance of colours from their mean.
func rmsSpread(cs [][3]float64) float64 {
	if len(cs) < 2 {
		return 0
	}
	var mean [3]float64
	for _, c := range cs {
		for k := range mean {
			mean[k] += c[k] / float64(len(cs))
		}
	}
	ss := 0.0
	for _, c := range cs {
		for k := range mean {
			ss += (c[k] - mean[k]) * (c[k] - mean[k])
		}
	}
	return math.Sqrt(ss / float64(len(cs)))
}
