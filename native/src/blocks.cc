// Blocks (see blocks.h).
#include "blocks.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace unixsock {

namespace Blocks {

namespace {

constexpr size_t kClasses = 3;  // 64, 128, 256 KiB
// Free blocks kept, in bytes (all classes); past the hot part they are
// handed back to the kernel lazily (MADV_FREE) where that exists.
constexpr size_t kMaxFreeBytes = 64 * 1024 * 1024;
constexpr size_t kHotFreeBytes = 8 * 1024 * 1024;
constexpr size_t kAlignment = 4096;

struct FreeLists {
  std::mutex mutex;
  std::vector<void*> free[kClasses];
  size_t free_bytes = 0;
  ~FreeLists() {
    for (auto& list : free) {
      for (void* block : list) std::free(block);
    }
  }
};

FreeLists& Lists() {
  static FreeLists lists;
  return lists;
}

size_t ClassOf(size_t size) {
  size_t index = 0;
  size_t capacity = 64 * 1024;
  while (capacity < size) {
    capacity <<= 1;
    index++;
  }
  return index;
}

size_t ClassSize(size_t index) { return (64 * 1024) << index; }

void* Allocate(size_t bytes) {
  void* block = nullptr;
  if (posix_memalign(&block, kAlignment, bytes) != 0) return nullptr;
  return block;
}

void Release(napi_env, void* data, void* hint) {
  size_t index = reinterpret_cast<uintptr_t>(hint);
  size_t bytes = ClassSize(index);
  FreeLists& lists = Lists();
  bool cold = false;
  {
    std::lock_guard<std::mutex> lock(lists.mutex);
    if (lists.free_bytes + bytes > kMaxFreeBytes) {
      std::free(data);
      return;
    }
    cold = lists.free_bytes >= kHotFreeBytes;
    lists.free_bytes += bytes;  // reserved: listed below
  }
#if defined(__linux__) && defined(MADV_FREE)
  // Past the hot part the kernel may take the pages back; reusing the block
  // then faults them in again, as a new block would. A failure only means
  // the pages stay. Done before the block is listed: nobody else uses it.
  if (cold) madvise(data, bytes, MADV_FREE);
#else
  (void)cold;
#endif
  std::lock_guard<std::mutex> lock(lists.mutex);
  lists.free[index].push_back(data);
}

}  // namespace

napi_value Buffer(napi_env env, size_t size, void** data) {
  if (size < kMinPooled || size > kMaxPooled) return nullptr;
  size_t index = ClassOf(size);
  void* block = nullptr;
  FreeLists& lists = Lists();
  {
    std::lock_guard<std::mutex> lock(lists.mutex);
    if (!lists.free[index].empty()) {
      block = lists.free[index].back();
      lists.free[index].pop_back();
      lists.free_bytes -= ClassSize(index);
    }
  }
  if (block == nullptr) block = Allocate(ClassSize(index));
  if (block == nullptr) return nullptr;
  napi_value buffer;
  if (napi_create_external_buffer(env, size, block, Release,
                                  reinterpret_cast<void*>(index),
                                  &buffer) != napi_ok) {
    std::free(block);
    return nullptr;
  }
  *data = block;
  return buffer;
}

}  // namespace Blocks

}  // namespace unixsock
