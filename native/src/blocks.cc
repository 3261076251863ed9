// Blocks (see blocks.h).
#include "blocks.h"

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace unixsock {

namespace Blocks {

namespace {

constexpr size_t kClasses = 3;  // 64, 128, 256 KiB
constexpr size_t kMaxFreePerClass = 16;

struct FreeLists {
  std::mutex mutex;
  std::vector<void*> free[kClasses];
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

void Release(napi_env, void* data, void* hint) {
  size_t index = reinterpret_cast<uintptr_t>(hint);
  FreeLists& lists = Lists();
  {
    std::lock_guard<std::mutex> lock(lists.mutex);
    if (lists.free[index].size() < kMaxFreePerClass) {
      lists.free[index].push_back(data);
      return;
    }
  }
  std::free(data);
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
    }
  }
  if (block == nullptr) block = std::malloc(ClassSize(index));
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
