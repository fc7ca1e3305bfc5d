package graph

import (
	"fmt"

	"bicycle-vk/vk"
)

// Tensor is a dense row-major (NCHW) float32 array in device memory.
type Tensor struct {
	Shape []int
	Buf   *vk.Buffer
}

// NumElements is the product of the shape.
func NumElements(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}

// Len is the number of elements.
func (t *Tensor) Len() int { return NumElements(t.Shape) }

// Dim returns dimension i, or 1 past the last dimension: a [N,C] tensor reads
// as [N,C,1,1] to ops that work on maps.
func (t *Tensor) Dim(i int) int {
	if i < len(t.Shape) {
		return t.Shape[i]
	}
	return 1
}

// Upload copies host data (len == t.Len()) into the tensor.
func (t *Tensor) Upload(data []float32) error {
	if len(data) != t.Len() {
		return fmt.Errorf("graph: uploading %d values into a tensor of shape %v (%d values)", len(data), t.Shape, t.Len())
	}
	return t.Buf.Write(data)
}

// Download returns the tensor's contents.
func (t *Tensor) Download() ([]float32, error) {
	out := make([]float32, t.Len())
	return out, t.Buf.Read(out)
}

// Free releases the tensor's device memory.
func (t *Tensor) Free() {
	if t != nil {
		t.Buf.Free()
	}
}

// NewTensor allocates an uninitialised tensor.
func (e *Engine) NewTensor(shape ...int) (*Tensor, error) {
	for _, s := range shape {
		if s <= 0 {
			return nil, fmt.Errorf("graph: tensor shape %v has a non-positive dimension", shape)
		}
	}
	buf, err := e.Dev.Alloc(uint64(4 * NumElements(shape)))
	if err != nil {
		return nil, fmt.Errorf("graph: allocating a %v tensor: %w", shape, err)
	}
	return &Tensor{Shape: append([]int(nil), shape...), Buf: buf}, nil
}

// FromHost allocates a tensor and uploads data into it.
func (e *Engine) FromHost(data []float32, shape ...int) (*Tensor, error) {
	t, err := e.NewTensor(shape...)
	if err != nil {
		return nil, err
	}
	if err := t.Upload(data); err != nil {
		t.Free()
		return nil, err
	}
	return t, nil
}

// SameShape reports whether two shapes are equal.
func SameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
