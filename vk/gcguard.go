package vk

import (
	"runtime/debug"
	"sync"
)

// vulkan-go copies nested arrays of Vulkan structs (descriptor writes and
// their buffer infos, set layouts, submit infos, barriers, specialization
// data, layer names...) into C memory that a finalizer frees, and it sets
// that finalizer on a local which is unreachable as soon as the conversion
// helper returns. A garbage collection during the Vulkan call can therefore
// free memory the driver is still reading: seen here as std::bad_alloc inside
// lavapipe's LLVM during vkCreateComputePipelines and as a segfault in
// vkUpdateDescriptorSets, in about one test run in three. Every entry point
// that passes such structs runs inside withoutGC, so no collection (and so
// no finalizer of memory in use) can happen until the call is over. Memory
// allocated meanwhile is collected at the next cycle.

var gcGuard struct {
	sync.Mutex
	depth int
	saved int
}

// withoutGC runs f with the garbage collector held off. SetGCPercent(-1)
// waits for a running mark phase to finish, so no collection overlaps f.
// Calls nest; the last one out restores the previous setting.
func withoutGC(f func()) {
	gcGuard.Lock()
	if gcGuard.depth == 0 {
		gcGuard.saved = debug.SetGCPercent(-1)
	}
	gcGuard.depth++
	gcGuard.Unlock()
	defer func() {
		gcGuard.Lock()
		gcGuard.depth--
		if gcGuard.depth == 0 {
			debug.SetGCPercent(gcGuard.saved)
		}
		gcGuard.Unlock()
	}()
	f()
}
