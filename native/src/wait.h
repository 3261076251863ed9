// Bounded blocking wait on one descriptor: the engine's `wait` import, for
// embedders whose guests run synchronously (plugins). Node's own data path
// never blocks; it uses the libuv watcher in poll.h.
#ifndef UNIXSOCK_WAIT_H_
#define UNIXSOCK_WAIT_H_

#include <napi.h>

namespace unixsock {

// Bits of wait's `events` argument and result (WIT `syscalls.readiness`).
constexpr int kWaitReadable = 1;
constexpr int kWaitWritable = 2;
constexpr int kWaitHangUp = 4;

// wait(fd, events, timeoutMs) -> poll(2) for at most timeoutMs: the ready
// bits (0 on timeout) | -errno. EINTR is retried with the time remaining.
Napi::Value Wait(const Napi::CallbackInfo& info);

}  // namespace unixsock

#endif  // UNIXSOCK_WAIT_H_
