// Bounded blocking wait (see wait.h).
#include "wait.h"

#include <poll.h>
#include <time.h>

#include <cerrno>

#include "args.h"

namespace unixsock {

namespace {

int64_t NowMs() {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

}  // namespace

Napi::Value Wait(const Napi::CallbackInfo& info) {
  int32_t fd = 0;
  int32_t events = 0;
  int32_t timeout = 0;
  if (!ReadInt32(info, 0, "fd", &fd) || !ReadInt32(info, 1, "events", &events) ||
      !ReadInt32(info, 2, "timeoutMs", &timeout)) {
    return Napi::Value();
  }
  if (timeout < 0) return NumberResult(info.Env(), -EINVAL);
  struct pollfd entry = {fd, 0, 0};
  if (events & kWaitReadable) entry.events |= POLLIN;
  if (events & kWaitWritable) entry.events |= POLLOUT;
  const int64_t deadline = NowMs() + timeout;
  int r;
  while (true) {
    int64_t left = deadline - NowMs();
    r = poll(&entry, 1, static_cast<int>(left < 0 ? 0 : left));
    if (r != -1 || errno != EINTR) break;
  }
  if (r == -1) return SyscallResult(info.Env(), -1);
  if (r == 0) return NumberResult(info.Env(), 0);
  if (entry.revents & POLLNVAL) return NumberResult(info.Env(), -EBADF);
  int ready = 0;
  if (entry.revents & POLLIN) ready |= kWaitReadable;
  if (entry.revents & POLLOUT) ready |= kWaitWritable;
  if (entry.revents & (POLLHUP | POLLERR)) ready |= kWaitHangUp;
  return NumberResult(info.Env(), ready);
}

}  // namespace unixsock
