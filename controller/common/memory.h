#pragma once

// Process-wide settings of glibc's allocator for the long-running commands.
//
// glibc gives threads their own arenas (up to 8 per core), each keeping its own free
// memory; the operator's ~50 threads mostly wait on sockets, and the extra arenas
// only held freed pages (about 1.3 MiB at idle, measured). Freed memory inside the
// heap is also kept until the top of the heap is free, which after a burst of watch
// events or TLS handshakes can be long: ReturnFreeMemory gives those pages back.

namespace spyt::memory {

// Call before the first thread starts.
void LimitAllocatorArenas(int arenas);
// Returns whole free pages of every arena to the kernel (malloc_trim). Thread-safe;
// takes each arena's lock in turn for as long as its walk lasts.
void ReturnFreeMemory();

}  // namespace spyt::memory
