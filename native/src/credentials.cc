// Peer credentials (see credentials.h).
#include "credentials.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "args.h"
#include "platform.h"
#include "retry.h"

namespace unixsock {

Napi::Value PeerCredentials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  Napi::Int32Array out;
  if (!ReadInt32(info, 0, "fd", &fd) ||
      !ReadInt32Array(info, 1, "out", 3, &out)) {
    return Napi::Value();
  }
#if UNIXSOCK_HAVE_SO_PEERCRED
  ucred credentials;
  std::memset(&credentials, 0, sizeof(credentials));
  socklen_t length = sizeof(credentials);
  int r = RetryOnEintr([&] {
    return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length);
  });
  if (r == -1) return SyscallResult(env, -1);
  out[0] = static_cast<int32_t>(credentials.pid);
  out[1] = static_cast<int32_t>(credentials.uid);
  out[2] = static_cast<int32_t>(credentials.gid);
  return NumberResult(env, 0);
#elif UNIXSOCK_HAVE_GETPEEREID
  uid_t uid = 0;
  gid_t gid = 0;
  int r = RetryOnEintr([&] { return getpeereid(fd, &uid, &gid); });
  if (r == -1) return SyscallResult(env, -1);
  out[0] = -1;
  out[1] = static_cast<int32_t>(uid);
  out[2] = static_cast<int32_t>(gid);
  return NumberResult(env, 0);
#else
  (void)fd;
  (void)out;
  return NumberResult(env, -ENOTSUP);
#endif
}

}  // namespace unixsock
