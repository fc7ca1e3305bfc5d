// Package shaders holds bicycle-vk's GLSL compute shaders and their SPIR-V,
// which build.sh compiles and commits so that `go build` needs no glslang.
//
// Every shader uses descriptor set 0 with storage buffers at bindings 0..7
// (the layout vk shares across pipelines) and one push-constant block of at
// most 128 bytes. Each .comp file's header comment names its bindings, push
// constants, specialization constants and what one invocation computes.
package shaders

import (
	"embed"
	"fmt"
)

//go:embed spv/*.spv
var spv embed.FS

// SPIRV returns the compiled module for the shader named like its .comp
// file without the extension.
func SPIRV(name string) ([]byte, error) {
	b, err := spv.ReadFile("spv/" + name + ".spv")
	if err != nil {
		return nil, fmt.Errorf("shaders: no SPIR-V for %q (run ./build.sh): %w", name, err)
	}
	return b, nil
}

// Names lists the embedded shaders.
func Names() []string {
	ents, _ := spv.ReadDir("spv")
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		n := e.Name()
		names = append(names, n[:len(n)-len(".spv")])
	}
	return names
}
