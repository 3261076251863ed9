// Socket lifecycle syscalls (see socket.h).
#include "socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "args.h"
#include "platform.h"
#include "retry.h"

namespace unixsock {

namespace {

// On platforms without SOCK_NONBLOCK/SOCK_CLOEXEC (or accept4, or
// MSG_NOSIGNAL), applies the missing flags with fcntl/setsockopt. Returns 0 or
// -errno; on failure the caller closes the descriptor.
int FinishDescriptor(int fd) {
#if !UNIXSOCK_HAVE_SOCK_FLAGS || !UNIXSOCK_HAVE_ACCEPT4
  if (RetryOnEintr([&] { return fcntl(fd, F_SETFD, FD_CLOEXEC); }) == -1) {
    return -errno;
  }
  int flags = RetryOnEintr([&] { return fcntl(fd, F_GETFL); });
  if (flags == -1) return -errno;
  if (RetryOnEintr([&] { return fcntl(fd, F_SETFL, flags | O_NONBLOCK); }) ==
      -1) {
    return -errno;
  }
#endif
#if UNIXSOCK_NEED_SO_NOSIGPIPE && defined(SO_NOSIGPIPE)
  int on = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof(on)) == -1) {
    return -errno;
  }
#endif
  (void)fd;
  return 0;
}

// Closes `fd` after a failed setup step, preserving the step's error.
int CloseAfterFailure(int fd, int error) {
  close(fd);
  return error;
}

// Type bits added to socket(2)/socketpair(2) where the kernel supports them.
constexpr int kCreateFlags =
#if UNIXSOCK_HAVE_SOCK_FLAGS
    SOCK_NONBLOCK | SOCK_CLOEXEC;
#else
    0;
#endif

// The fd and sockaddr arguments of bind/connect, the sockaddr copied into
// *storage: false with an exception pending; otherwise *error is 0, or
// -EINVAL for a sockaddr longer than sockaddr_storage.
bool ReadSocketAndAddress(const Napi::CallbackInfo& info, int32_t* fd,
                          sockaddr_storage* storage, socklen_t* length,
                          int* error) {
  Napi::Uint8Array bytes;
  if (!ReadInt32(info, 0, "fd", fd) || !ReadBytes(info, 1, "sockaddr", &bytes)) {
    return false;
  }
  *error = CopySockaddr(bytes, storage, length);
  return true;
}

// getsockname/getpeername share one shape.
using NameSyscall = int (*)(int, sockaddr*, socklen_t*);

Napi::Value GetName(const Napi::CallbackInfo& info, NameSyscall syscall) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  Napi::Uint8Array out;
  if (!ReadInt32(info, 0, "fd", &fd) || !ReadBytes(info, 1, "out", &out)) {
    return Napi::Value();
  }
  sockaddr_storage storage;
  std::memset(&storage, 0, sizeof(storage));
  socklen_t length = sizeof(storage);
  int r = RetryOnEintr([&] {
    return syscall(fd, reinterpret_cast<sockaddr*>(&storage), &length);
  });
  if (r == -1) return SyscallResult(env, -1);
  size_t copied = std::min<size_t>(
      std::min<size_t>(length, sizeof(storage)), out.ByteLength());
  if (copied > 0) std::memcpy(out.Data(), &storage, copied);
  return NumberResult(env, static_cast<double>(copied));
}

}  // namespace

int SocketTypeFromJs(int type) {
  switch (type) {
    case kJsStream:
      return SOCK_STREAM;
    case kJsDatagram:
      return SOCK_DGRAM;
#if defined(SOCK_SEQPACKET)
    case kJsSeqpacket:
      return SOCK_SEQPACKET;
#endif
    default:
      return -1;
  }
}

int SocketTypeToJs(int sock_type) {
  switch (sock_type) {
    case SOCK_STREAM:
      return kJsStream;
    case SOCK_DGRAM:
      return kJsDatagram;
#if defined(SOCK_SEQPACKET)
    case SOCK_SEQPACKET:
      return kJsSeqpacket;
#endif
    default:
      return 0;
  }
}

Napi::Value Socket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t type = 0;
  if (!ReadInt32(info, 0, "type", &type)) return Napi::Value();
  int sock_type = SocketTypeFromJs(type);
  if (sock_type < 0) return NumberResult(env, -EINVAL);
  int fd = RetryOnEintr(
      [&] { return socket(AF_UNIX, sock_type | kCreateFlags, 0); });
  if (fd == -1) return SyscallResult(env, -1);
  int r = FinishDescriptor(fd);
  if (r < 0) return NumberResult(env, CloseAfterFailure(fd, r));
  return NumberResult(env, fd);
}

Napi::Value SocketPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t type = 0;
  Napi::Int32Array out;
  if (!ReadInt32(info, 0, "type", &type) ||
      !ReadInt32Array(info, 1, "out", 2, &out)) {
    return Napi::Value();
  }
  int sock_type = SocketTypeFromJs(type);
  if (sock_type < 0) return NumberResult(env, -EINVAL);
  int fds[2] = {-1, -1};
  int r = RetryOnEintr(
      [&] { return socketpair(AF_UNIX, sock_type | kCreateFlags, 0, fds); });
  if (r == -1) return SyscallResult(env, -1);
  for (int fd : fds) {
    r = FinishDescriptor(fd);
    if (r < 0) {
      close(fds[0]);
      close(fds[1]);
      return NumberResult(env, r);
    }
  }
  out[0] = fds[0];
  out[1] = fds[1];
  return NumberResult(env, 0);
}

Napi::Value Bind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  sockaddr_storage storage;
  socklen_t length = 0;
  int r = 0;
  if (!ReadSocketAndAddress(info, &fd, &storage, &length, &r)) {
    return Napi::Value();
  }
  if (r < 0) return NumberResult(env, r);
  r = RetryOnEintr([&] {
    return bind(fd, reinterpret_cast<const sockaddr*>(&storage), length);
  });
  return SyscallResult(env, r);
}

Napi::Value Listen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  int32_t backlog = 0;
  if (!ReadInt32(info, 0, "fd", &fd) ||
      !ReadInt32(info, 1, "backlog", &backlog)) {
    return Napi::Value();
  }
  int r = RetryOnEintr([&] { return listen(fd, backlog); });
  return SyscallResult(env, r);
}

Napi::Value Connect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  sockaddr_storage storage;
  socklen_t length = 0;
  int r = 0;
  if (!ReadSocketAndAddress(info, &fd, &storage, &length, &r)) {
    return Napi::Value();
  }
  if (r < 0) return NumberResult(env, r);
  // Not retried: after EINTR the connection proceeds asynchronously and a
  // second connect(2) would fail with EALREADY. Report it as in progress.
  r = connect(fd, reinterpret_cast<const sockaddr*>(&storage), length);
  if (r == -1 && errno == EINTR) return NumberResult(env, -EINPROGRESS);
  return SyscallResult(env, r);
}

Napi::Value Accept(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  if (!ReadInt32(info, 0, "fd", &fd)) return Napi::Value();
#if UNIXSOCK_HAVE_ACCEPT4
  int client = RetryOnEintr([&] {
    return accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  });
#else
  int client = RetryOnEintr([&] { return accept(fd, nullptr, nullptr); });
#endif
  if (client == -1) return SyscallResult(env, -1);
  int r = FinishDescriptor(client);
  if (r < 0) return NumberResult(env, CloseAfterFailure(client, r));
  return NumberResult(env, client);
}

Napi::Value GetSockName(const Napi::CallbackInfo& info) {
  return GetName(info, getsockname);
}

Napi::Value GetPeerName(const Napi::CallbackInfo& info) {
  return GetName(info, getpeername);
}

Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  int32_t how = 0;
  if (!ReadInt32(info, 0, "fd", &fd) || !ReadInt32(info, 1, "how", &how)) {
    return Napi::Value();
  }
  int sys_how;
  switch (how) {
    case kShutRead:
      sys_how = SHUT_RD;
      break;
    case kShutWrite:
      sys_how = SHUT_WR;
      break;
    case kShutBoth:
      sys_how = SHUT_RDWR;
      break;
    default:
      return NumberResult(env, -EINVAL);
  }
  int r = RetryOnEintr([&] { return shutdown(fd, sys_how); });
  return SyscallResult(env, r);
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  if (!ReadInt32(info, 0, "fd", &fd)) return Napi::Value();
  // Never retried: the descriptor is released even when close(2) reports
  // EINTR, and a retry could close a descriptor another thread just opened.
  int r = close(fd);
#if defined(__linux__)
  if (r == -1 && errno == EINTR) return NumberResult(env, 0);
#endif
  return SyscallResult(env, r);
}

Napi::Value Duplicate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  if (!ReadInt32(info, 0, "fd", &fd)) return Napi::Value();
  int r = RetryOnEintr([&] { return fcntl(fd, F_DUPFD_CLOEXEC, 0); });
  return SyscallResult(env, r);
}

Napi::Value SetDescriptorFlags(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  if (!ReadInt32(info, 0, "fd", &fd)) return Napi::Value();
  if (!info[1].IsBoolean() || !info[2].IsBoolean()) {
    ThrowTypeError(env, "nonblocking and cloexec must be booleans");
    return Napi::Value();
  }
  bool nonblocking = info[1].As<Napi::Boolean>().Value();
  bool cloexec = info[2].As<Napi::Boolean>().Value();
  int fd_flags = RetryOnEintr([&] { return fcntl(fd, F_GETFD); });
  if (fd_flags == -1) return NumberResult(env, -errno);
  int want_fd = cloexec ? (fd_flags | FD_CLOEXEC) : (fd_flags & ~FD_CLOEXEC);
  if (want_fd != fd_flags &&
      RetryOnEintr([&] { return fcntl(fd, F_SETFD, want_fd); }) == -1) {
    return NumberResult(env, -errno);
  }
  int flags = RetryOnEintr([&] { return fcntl(fd, F_GETFL); });
  if (flags == -1) return NumberResult(env, -errno);
  int want = nonblocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (want != flags &&
      RetryOnEintr([&] { return fcntl(fd, F_SETFL, want); }) == -1) {
    return NumberResult(env, -errno);
  }
  return NumberResult(env, 0);
}

}  // namespace unixsock
