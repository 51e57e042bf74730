#include "common/memory.h"

#include <malloc.h>

namespace spyt::memory {

void LimitAllocatorArenas(int arenas) { mallopt(M_ARENA_MAX, arenas); }

void ReturnFreeMemory() { malloc_trim(0); }

}  // namespace spyt::memory
