package vk

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"bicycle-vk/shaders"
)

// TestGCDuringVulkanCalls builds and runs large recordings (thousands of
// descriptor writes, submits) while another goroutine allocates without
// pause, so collections start all the time. Without withoutGC, vulkan-go's
// finalizers free the C copies of nested structs mid-call and this crashes
// the process. (The pressure is allocation, not runtime.GC: an explicit
// runtime.GC collects even while collection is disabled, and nothing in
// bicycle-vk calls it.)
func TestGCDuringVulkanCalls(t *testing.T) {
	d := open(t, Options{})
	k := scaleKernel(t, d)
	bufs := make([]*Buffer, 16)
	for i := range bufs {
		bufs[i] = filled(t, d, 1024, 1)
	}
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		var sink [][]byte
		for !stop.Load() {
			sink = append(sink, make([]byte, 64<<10))
			if len(sink) > 64 {
				sink = sink[:0]
				runtime.Gosched()
			}
		}
	}()
	deadline := time.Now().Add(3 * time.Second)
	rounds := 0
	code, err := shaders.SPIRV("unary")
	if err != nil {
		t.Fatal(err)
	}
	for time.Now().Before(deadline) {
		// A fresh pipeline each round (a new cache key): LLVM compiles it
		// while reading the converted specialization data.
		if _, err := d.Kernel(fmt.Sprintf("unary-%d", rounds), code, uint32(rounds%9)); err != nil {
			t.Fatal(err)
		}
		// Large recordings: converting thousands of descriptor writes
		// allocates enough to trigger collections mid-conversion.
		r := d.NewRecorder(false)
		for j := 0; j < 40; j++ {
			for i := 0; i+1 < len(bufs); i++ {
				if err := r.Add(scale(k, bufs[i+1], bufs[i], 1, false)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := r.Run(); err != nil {
			t.Fatal(err)
		}
		r.Close()
		rounds++
	}
	stop.Store(true)
	<-done
	expectAll(t, bufs[len(bufs)-1], 1)
	t.Logf("%d recordings built and run under constant collection", rounds)
}
