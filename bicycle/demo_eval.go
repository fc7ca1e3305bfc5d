package bicycle

import (
	"math/rand/v2"
)

// DemoScore measures how far training on the demo data has come: whether
// the generator fills shapes with clean palette colours, and whether z
// chooses among them (the multimodality BicycleGAN is for).
type DemoScore struct {
	ColoursPerInput float64 // distinct palette colours over the codes, averaged over inputs (1 = z ignored)
	PaletteShare    float64 // share of outputs whose fill is near a palette colour
	Codes           int
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
		for _, y := range outs {
			total++
			rgb, ok := DominantFill(y, s)
			if !ok {
				continue
			}
			if idx, d := NearestPaletteColour(rgb); d <= paletteNear {
				seen[idx] = true
				onPalette++
			}
		}
		score.ColoursPerInput += float64(len(seen))
	}
	if len(inputs) > 0 {
		score.ColoursPerInput /= float64(len(inputs))
		score.PaletteShare = float64(onPalette) / float64(total)
	}
	return score, nil
}
