// Blocks: recycled memory for large received Buffers.
//
// A fresh allocation per large read is slow twice over: above malloc's mmap
// threshold every read faults in new pages, and even below it the memory is
// cold in the cache. Blocks hands out power-of-two blocks (64 KiB..256 KiB)
// that come back when the Buffer built on them is garbage collected, so a
// busy stream keeps reusing the same few warm blocks.
//
//   Blocks::Buffer(env, size, &data)   a Buffer of exactly `size` bytes on a
//                                      pooled block (data = its bytes); null
//                                      when size is outside the pooled range
//                                      or an allocation failed.
//
// A block wastes less than half of itself (sizes <= 32 KiB are not pooled).
// Node runs external-buffer finalizers on the JS thread after GC; the free
// lists are guarded anyway, and each keeps at most kMaxFreePerClass blocks.
//
// Measured and not taken: V8 collects external memory about every 64 MiB,
// so on a 64 KiB-write stream 87% of block requests miss these lists and
// their pages fault in during recv (18% of the reader's CPU in perf). Keeping
// up to 64 MiB of free blocks (the cold part MADV_FREE) halved the reader's
// page faults but not its CPU time or the throughput: a recycled block is
// cold in the cache, a freshly zeroed page is not.
#ifndef UNIXSOCK_BLOCKS_H_
#define UNIXSOCK_BLOCKS_H_

#include <node_api.h>

#include <cstddef>

namespace unixsock {

namespace Blocks {

constexpr size_t kMinPooled = 32 * 1024 + 1;
constexpr size_t kMaxPooled = 256 * 1024;

napi_value Buffer(napi_env env, size_t size, void** data);

}  // namespace Blocks

}  // namespace unixsock

#endif  // UNIXSOCK_BLOCKS_H_
