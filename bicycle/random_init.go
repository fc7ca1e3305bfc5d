package bicycle

import (
	"math"
	"math/rand/v2"
	"strings"

	"bicycle-vk/graph"
)

// InitParams gives every parameter PyTorch's default initialisation:
// convolution and linear weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in))
// (kaiming_uniform with a=sqrt(5)), instance-norm weights 1 and biases 0.
// fan_in is shape[1]*kh*kw, as PyTorch computes it for both Conv2d
// ([Co,Ci,k,k]) and ConvTranspose2d ([Ci,Co,k,k]) weights.
func InitParams(params []*graph.Param, rng *rand.Rand) error {
	fanIn := map[string]int{} // layer prefix -> fan_in of its weight
	for _, p := range params {
		if s := p.Value.Shape; len(s) >= 2 {
			fanIn[strings.TrimSuffix(p.Name, "weight")] = graph.NumElements(s[1:])
		}
	}
	for _, p := range params {
		s := p.Value.Shape
		data := make([]float32, graph.NumElements(s))
		prefix := strings.TrimSuffix(strings.TrimSuffix(p.Name, "weight"), "bias")
		fi, isConvOrLinear := fanIn[prefix]
		switch {
		case isConvOrLinear:
			bound := 1 / math.Sqrt(float64(fi))
			for i := range data {
				data[i] = float32((rng.Float64()*2 - 1) * bound)
			}
		case strings.HasSuffix(p.Name, "weight"): // instance norm scale
			for i := range data {
				data[i] = 1
			}
		}
		if err := p.Data.Upload(data); err != nil {
			return err
		}
	}
	return nil
}
