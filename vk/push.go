package vk

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Push packs push-constant values as consecutive 4-byte little-endian words,
// matching a GLSL push_constant block of int, uint and float members. Go ints
// become int32, float64s become float32, bools 0 or 1; a uint64 (a buffer
// device address) takes two words and must sit at an 8-byte offset, as GLSL
// lays out uint64_t members. It panics on other types or a misaligned
// uint64: the caller's op table is wrong, which no input can cause.
func Push(vals ...any) []byte {
	b := make([]byte, 0, 4*len(vals)+16)
	for _, v := range vals {
		var w uint32
		switch x := v.(type) {
		case uint64:
			if len(b)%8 != 0 {
				panic("vk.Push: uint64 at a 4-byte offset")
			}
			b = binary.LittleEndian.AppendUint64(b, x)
			continue
		case int:
			if x != int(int32(x)) {
				panic(fmt.Sprintf("vk.Push: %d does not fit in int32", x))
			}
			w = uint32(int32(x))
		case int32:
			w = uint32(x)
		case uint32:
			w = x
		case float32:
			w = math.Float32bits(x)
		case float64:
			w = math.Float32bits(float32(x))
		case bool:
			if x {
				w = 1
			}
		default:
			panic(fmt.Sprintf("vk.Push: unsupported push constant type %T", v))
		}
		b = binary.LittleEndian.AppendUint32(b, w)
	}
	return b
}
