// Batched accept (see accept.h).
#include "accept.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

#include "args.h"
#include "platform.h"
#include "retry.h"

namespace unixsock {

namespace {

// One accept with the descriptor flags applied: new fd | -errno. Where the
// flags cannot be set atomically, a descriptor whose setup fails is closed and
// the setup error returned.
int AcceptOne(int fd) {
#if UNIXSOCK_HAVE_ACCEPT4
  int client = RetryOnEintr([&] {
    return accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  });
  if (client == -1) return -errno;
#else
  int client = RetryOnEintr([&] { return accept(fd, nullptr, nullptr); });
  if (client == -1) return -errno;
  int error = 0;
  if (RetryOnEintr([&] { return fcntl(client, F_SETFD, FD_CLOEXEC); }) == -1) {
    error = -errno;
  }
  int flags = error == 0 ? RetryOnEintr([&] { return fcntl(client, F_GETFL); })
                         : 0;
  if (error == 0 && flags == -1) error = -errno;
  if (error == 0 &&
      RetryOnEintr([&] {
        return fcntl(client, F_SETFL, flags | O_NONBLOCK);
      }) == -1) {
    error = -errno;
  }
#if UNIXSOCK_NEED_SO_NOSIGPIPE && defined(SO_NOSIGPIPE)
  int on = 1;
  if (error == 0 &&
      setsockopt(client, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof(on)) == -1) {
    error = -errno;
  }
#endif
  if (error != 0) {
    close(client);
    return error;
  }
#endif
  return client;
}

bool IsWouldBlock(int error) {
  return error == -EAGAIN || error == -EWOULDBLOCK;
}

}  // namespace

Napi::Value AcceptBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  Napi::Int32Array out;
  if (!ReadInt32(info, 0, "listenFd", &fd) ||
      !ReadInt32Array(info, 1, "out", 0, &out)) {
    return Napi::Value();
  }
  int32_t* slots = out.Data();
  size_t capacity = out.ElementLength();
  size_t count = 0;
  // Each skipped ECONNABORTED consumed a pending connection, so the loop ends;
  // the bound only keeps a misbehaving kernel from spinning us.
  size_t aborted = 0;
  while (count < capacity) {
    int client = AcceptOne(fd);
    if (client >= 0) {
      slots[count++] = client;
      continue;
    }
    if (client == -ECONNABORTED && ++aborted <= 1024) continue;
    if (IsWouldBlock(client) || count > 0) break;
    return NumberResult(env, client);
  }
  return NumberResult(env, static_cast<double>(count));
}

}  // namespace unixsock
