package ref

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Tensor is a dense row-major float64 array with a shape.
type Tensor struct {
	Shape []int
	Data  []float64
}

// shapeLen validates a shape and returns its element count.
func shapeLen(shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("ref: negative dimension in shape %v", shape))
		}
		n *= d
	}
	return n
}

// New returns a zero tensor; the shape is copied so callers may reuse theirs.
func New(shape ...int) *Tensor {
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float64, shapeLen(shape))}
}

// FromData wraps data without copying it, so tests can build tensors from
// literals cheaply; it panics if the length does not match the shape.
func FromData(data []float64, shape ...int) *Tensor {
	if n := shapeLen(shape); n != len(data) {
		panic(fmt.Sprintf("ref: FromData: %d values for shape %v (want %d)", len(data), shape, n))
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: data}
}

// Rand fills a tensor uniformly in [-1, 1), the usual range for test inputs.
func Rand(rng *rand.Rand, shape ...int) *Tensor {
	t := New(shape...)
	for i := range t.Data {
		t.Data[i] = 2*rng.Float64() - 1
	}
	return t
}

// Randn fills a tensor with standard normal samples, e.g. the eps of Reparam.
func Randn(rng *rand.Rand, shape ...int) *Tensor {
	t := New(shape...)
	for i := range t.Data {
		t.Data[i] = rng.NormFloat64()
	}
	return t
}

// Scalar returns a shape [1] tensor, the package's convention for scalars.
func Scalar(v float64) *Tensor {
	return &Tensor{Shape: []int{1}, Data: []float64{v}}
}

// Len is the number of elements.
func (t *Tensor) Len() int { return len(t.Data) }

// Clone deep-copies so the result can be mutated independently.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{Shape: append([]int(nil), t.Shape...), Data: append([]float64(nil), t.Data...)}
}

// sameShapeAs reports whether t and u have identical shapes.
func (t *Tensor) sameShapeAs(u *Tensor) bool {
	if len(t.Shape) != len(u.Shape) {
		return false
	}
	for i := range t.Shape {
		if t.Shape[i] != u.Shape[i] {
			return false
		}
	}
	return true
}

// mustSameShape panics unless a and b have identical shapes.
func mustSameShape(op, an, bn string, a, b *Tensor) {
	if !a.sameShapeAs(b) {
		panic(fmt.Sprintf("ref: %s: %s shape %v != %s shape %v", op, an, a.Shape, bn, b.Shape))
	}
}

// dims4 unpacks an NCHW shape, panicking on any other rank.
func dims4(op, name string, t *Tensor) (int, int, int, int) {
	if len(t.Shape) != 4 {
		panic(fmt.Sprintf("ref: %s: %s must be 4-D, got shape %v", op, name, t.Shape))
	}
	return t.Shape[0], t.Shape[1], t.Shape[2], t.Shape[3]
}

// dims2 unpacks an [N, F] shape, panicking on any other rank.
func dims2(op, name string, t *Tensor) (int, int) {
	if len(t.Shape) != 2 {
		panic(fmt.Sprintf("ref: %s: %s must be 2-D, got shape %v", op, name, t.Shape))
	}
	return t.Shape[0], t.Shape[1]
}

// mustVec panics unless t (if non-nil) is a 1-D tensor of length n.
func mustVec(op, name string, t *Tensor, n int) {
	if t == nil {
		return
	}
	if len(t.Shape) != 1 || t.Shape[0] != n {
		panic(fmt.Sprintf("ref: %s: %s must have shape [%d], got %v", op, name, n, t.Shape))
	}
}

// MaxAbsDiff is the error measure GPU tests compare against a tolerance;
// it panics on a length mismatch rather than silently comparing a prefix.
func MaxAbsDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("ref: MaxAbsDiff: lengths %d and %d differ", len(a), len(b)))
	}
	m := 0.0
	for i := range a {
		d := math.Abs(a[i] - b[i])
		if d > m || math.IsNaN(d) {
			m = d
		}
	}
	return m
}

// MaxAbs gives the scale that MaxAbsDiff is judged relative to.
func MaxAbs(a []float64) float64 {
	m := 0.0
	for _, v := range a {
		if av := math.Abs(v); av > m || math.IsNaN(av) {
			m = av
		}
	}
	return m
}
