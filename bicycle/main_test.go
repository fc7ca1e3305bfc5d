package bicycle

import (
	"fmt"
	"os"
	"testing"

	"bicycle-vk/graph"
	"bicycle-vk/vk"
)

// testEngine is shared by the package's tests; BICYCLE_VK_VALIDATION=1
// enables the validation layer, and a message fails the test that caused it.
var testEngine *graph.Engine

func TestMain(m *testing.M) {
	dev, err := vk.Open(vk.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bicycle tests need a Vulkan device:", err)
		os.Exit(1)
	}
	testEngine = graph.NewEngine(dev)
	code := m.Run()
	dev.Close()
	if msgs := vk.TakeValidationMessages(); len(msgs) > 0 {
		fmt.Fprintln(os.Stderr, "validation messages at shutdown:", msgs)
		code = 1
	}
	os.Exit(code)
}

func engine(t testing.TB) *graph.Engine {
	t.Helper()
	vk.TakeValidationMessages()
	t.Cleanup(func() {
		if msgs := vk.TakeValidationMessages(); len(msgs) > 0 {
			t.Errorf("validation layer: %d message(s), first: %s", len(msgs), msgs[0])
		}
	})
	return testEngine
}
