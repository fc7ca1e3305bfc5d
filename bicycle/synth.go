package bicycle

import (
	"math"
	"strings"

	"bicycle-vk/graph"
)

// Synthetic values reproduced bit for bit by testdata/torchref's Python, so
// parity fixtures need not store weights and inputs: a murmur3 finaliser
// over (i*golden + fnv1a(name)) mod 2^32, mapped to [-1, 1).

func fnv1a32(s string) uint32 {
	h := uint32(0x811C9DC5)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 0x01000193
	}
	return h
}

// synthUniform returns n values in [-1, 1), as float64 like numpy's.
func synthUniform(name string, n int) []float64 {
	seed := fnv1a32(name)
	out := make([]float64, n)
	for i := range out {
		x := uint32(i)*0x9E3779B9 + seed
		x ^= x >> 16
		x *= 0x85EBCA6B
		x ^= x >> 13
		x *= 0xC2B2AE35
		x ^= x >> 16
		out[i] = float64(x)/(1<<32)*2 - 1
	}
	return out
}

// synthParam fills a parameter like synth_param in bicyclegan_ref.py:
// weights U(-1,1)/sqrt(prod(shape[1:])), biases 0.1*U, instance-norm weights
// 1 + 0.1*U.
func synthParam(name string, shape []int) []float32 {
	n := graph.NumElements(shape)
	u := synthUniform(name, n)
	out := make([]float32, n)
	for i, x := range u {
		switch {
		case len(shape) == 1 && strings.HasSuffix(name, "weight"):
			out[i] = float32(1 + 0.1*x)
		case len(shape) == 1:
			out[i] = float32(0.1 * x)
		default:
			out[i] = float32(x / math.Sqrt(float64(graph.NumElements(shape[1:]))))
		}
	}
	return out
}

// synthTensor is synth_tensor in make_fixtures.py: U(-1,1) values, or
// normal ones by Box-Muller over two synthetic streams.
func synthTensor(name string, n int, normal bool) []float32 {
	out := make([]float32, n)
	if !normal {
		for i, x := range synthUniform(name, n) {
			out[i] = float32(x)
		}
		return out
	}
	u1, u2 := synthUniform(name+".u1", n), synthUniform(name+".u2", n)
	for i := range out {
		a := (u1[i]+1)/2*(1-1e-7) + 1e-7
		b := (u2[i] + 1) / 2
		out[i] = float32(math.Sqrt(-2*math.Log(a)) * math.Cos(2*math.Pi*b))
	}
	return out
}

// synthInit uploads synthetic values into every parameter of a network,
// named prefix+state_dict name.
func synthInit(params []*graph.Param, prefix string) error {
	for _, p := range params {
		if err := p.Data.Upload(synthParam(prefix+p.Name, p.Value.Shape)); err != nil {
			return err
		}
	}
	return nil
}
