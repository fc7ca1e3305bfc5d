package vk

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Push packs push-constant values as consecutive 4-byte little-endian words,
// matching a GLSL push_constant block of int, uint and float members. Go ints
// become int32, float64s become float32, bools 0 or 1. It panics on other
// types: the caller's op table is wrong, which no input can cause.
func Push(vals ...any) []byte {
	b := make([]byte, 4*len(vals))
	for i, v := range vals {
		var w uint32
		switch x := v.(type) {
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
		binary.LittleEndian.PutUint32(b[4*i:], w)
	}
	return b
}
