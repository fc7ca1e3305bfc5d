package bicycle

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
)

// HostTensor is a float32 tensor in host memory.
type HostTensor struct {
	Shape []int
	Data  []float32
}

// TensorFile is the content of a safetensors file: named float32 tensors
// and string metadata. Order keeps the writer's tensor order.
type TensorFile struct {
	Metadata map[string]string
	Tensors  map[string]*HostTensor
	Order    []string
}

// NewTensorFile returns an empty file to fill with Add.
func NewTensorFile() *TensorFile {
	return &TensorFile{Metadata: map[string]string{}, Tensors: map[string]*HostTensor{}}
}

// Add appends a tensor (replacing one of the same name).
func (f *TensorFile) Add(name string, t *HostTensor) {
	if _, ok := f.Tensors[name]; !ok {
		f.Order = append(f.Order, name)
	}
	f.Tensors[name] = t
}

// maxHeader bounds the JSON header so a corrupt length cannot make us
// allocate gigabytes.
const maxHeader = 100 << 20

type stEntry struct {
	Dtype       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// ReadSafetensors loads a safetensors file of float32 tensors. Errors name
// the file and say what is wrong with it (truncated, not safetensors, a
// dtype other than F32, offsets that do not fit).
func ReadSafetensors(path string) (*TensorFile, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...))
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	var lenBuf [8]byte
	if _, err := io.ReadFull(fh, lenBuf[:]); err != nil {
		return nil, fail("not a safetensors file: shorter than its 8-byte header length")
	}
	hlen := binary.LittleEndian.Uint64(lenBuf[:])
	if hlen > maxHeader || int64(hlen)+8 > st.Size() {
		return nil, fail("not a safetensors file or truncated: header length %d, file size %d", hlen, st.Size())
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(fh, hdr); err != nil {
		return nil, fail("truncated header: %v", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &raw); err != nil {
		return nil, fail("not a safetensors file: header is not JSON (%v)", err)
	}
	dataLen := st.Size() - 8 - int64(hlen)
	f := NewTensorFile()
	type named struct {
		name string
		e    stEntry
	}
	var entries []named
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &f.Metadata); err != nil {
				return nil, fail("metadata is not a string map: %v", err)
			}
			continue
		}
		var e stEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fail("tensor %q: bad header entry: %v", name, err)
		}
		if e.Dtype != "F32" {
			return nil, fail("tensor %q has dtype %s; bicycle-vk reads float32 (F32) weights only", name, e.Dtype)
		}
		n := int64(1)
		for _, d := range e.Shape {
			if d < 0 {
				return nil, fail("tensor %q has a negative dimension in shape %v", name, e.Shape)
			}
			n *= int64(d)
		}
		if e.DataOffsets[0] < 0 || e.DataOffsets[1] < e.DataOffsets[0] || e.DataOffsets[1]-e.DataOffsets[0] != 4*n {
			return nil, fail("tensor %q: offsets %v do not hold shape %v of float32", name, e.DataOffsets, e.Shape)
		}
		if e.DataOffsets[1] > dataLen {
			return nil, fail("truncated: tensor %q ends at byte %d of %d data bytes", name, e.DataOffsets[1], dataLen)
		}
		entries = append(entries, named{name, e})
	}
	sort.Slice(entries, func(a, b int) bool { return entries[a].e.DataOffsets[0] < entries[b].e.DataOffsets[0] })
	data := make([]byte, dataLen)
	if _, err := io.ReadFull(fh, data); err != nil {
		return nil, fail("truncated data: %v", err)
	}
	for _, ne := range entries {
		b := data[ne.e.DataOffsets[0]:ne.e.DataOffsets[1]]
		t := &HostTensor{Shape: ne.e.Shape, Data: make([]float32, len(b)/4)}
		for i := range t.Data {
			t.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		f.Add(ne.name, t)
	}
	return f, nil
}

// WriteSafetensors writes f atomically: to a temporary file in the same
// folder, synced, then renamed over path, so a crash never leaves a
// half-written file under the real name.
func WriteSafetensors(path string, f *TensorFile) error {
	header := map[string]any{}
	if len(f.Metadata) > 0 {
		header["__metadata__"] = f.Metadata
	}
	var off int64
	for _, name := range f.Order {
		t := f.Tensors[name]
		n := int64(4 * len(t.Data))
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[name] = stEntry{Dtype: "F32", Shape: shape, DataOffsets: [2]int64{off, off + n}}
		off += n
	}
	hdr, err := json.Marshal(header)
	if err != nil {
		return err
	}
	for len(hdr)%8 != 0 { // the format pads the header to 8 bytes
		hdr = append(hdr, ' ')
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(hdr)))
	buf := make([]byte, 0, 1<<16)
	buf = append(append(buf, lenBuf[:]...), hdr...)
	for _, name := range f.Order {
		for _, v := range f.Tensors[name].Data {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			if len(buf) >= 1<<16 {
				if _, err := tmp.Write(buf); err != nil {
					return fmt.Errorf("writing %s: %w", path, err)
				}
				buf = buf[:0]
			}
		}
	}
	if _, err := tmp.Write(buf); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil { // CreateTemp's 0600 is not what a saved file should have
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename itself durable
		d.Close()
	}
	return nil
}
