// Socket options (see options.h).
#include "options.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "args.h"
#include "platform.h"
#include "retry.h"
#include "socket.h"

// The peer-identity options, with the asm-generic numbers (x86-64, arm64)
// where the C library's headers predate them: the running kernel, not the
// build machine, decides whether they work (ENOPROTOOPT where it lacks one).
#if defined(__linux__)
#define UNIXSOCK_HAVE_PEER_IDENTITY 1
#ifndef SO_PEERSEC
#define SO_PEERSEC 31
#endif
#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59
#endif
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#else
#define UNIXSOCK_HAVE_PEER_IDENTITY 0
#endif

namespace unixsock {

namespace {

// The option numbering (exported by SocketOptionNumbering). kType reads back
// as the 1/2/3 socket-type numbering, kError as -errno (0 = none), kLinger
// is [onoff, seconds], the timeouts are in milliseconds; kPeerGroups and
// kPeerSecurity are byte-valued (a Uint8Array and the value's length).
enum Option : int32_t {
  kSendBuffer,
  kReceiveBuffer,
  kType,
  kError,
  kAcceptConn,
  kPassCred,
  kLinger,
  kReceiveTimeout,
  kSendTimeout,
  kPeerGroups,    // Linux >= 4.13
  kPeerSecurity,  // length 0 when the peer has no label
  kPeerPidfd,     // a new pidfd, CLOEXEC (Linux >= 6.5)
  kOptionCount,
};

// Each option's SOL_SOCKET name, by number; -1 where this platform has none
// (-ENOPROTOOPT).
constexpr int kUnavailable = -1;
struct OptionEntry {
  const char* js_name;
  int system_name;
};
const OptionEntry kOptionTable[kOptionCount] = {
    {"SO_SNDBUF", SO_SNDBUF},
    {"SO_RCVBUF", SO_RCVBUF},
    {"SO_TYPE", SO_TYPE},
    {"SO_ERROR", SO_ERROR},
    {"SO_ACCEPTCONN", SO_ACCEPTCONN},
#if UNIXSOCK_HAVE_PASSCRED
    {"SO_PASSCRED", SO_PASSCRED},
#else
    {"SO_PASSCRED", kUnavailable},
#endif
    {"SO_LINGER", SO_LINGER},
    {"SO_RCVTIMEO", SO_RCVTIMEO},
    {"SO_SNDTIMEO", SO_SNDTIMEO},
#if UNIXSOCK_HAVE_PEER_IDENTITY
    {"SO_PEERGROUPS", SO_PEERGROUPS},
    {"SO_PEERSEC", SO_PEERSEC},
    {"SO_PEERPIDFD", SO_PEERPIDFD},
#else
    {"SO_PEERGROUPS", kUnavailable},
    {"SO_PEERSEC", kUnavailable},
    {"SO_PEERPIDFD", kUnavailable},
#endif
};

// Maps an option number to its SOL_SOCKET name; 0, -EINVAL when unknown,
// -ENOPROTOOPT when unavailable here.
int SystemOption(int32_t option, int* name) {
  if (option < 0 || option >= kOptionCount) return -EINVAL;
  if (kOptionTable[option].system_name == kUnavailable) return -ENOPROTOOPT;
  *name = kOptionTable[option].system_name;
  return 0;
}

bool IsTimeout(int32_t option) {
  return option == kReceiveTimeout || option == kSendTimeout;
}

// A failed peer-identity getsockopt (errno set): Linux's ENODATA means no
// peer is recorded (an unconnected socket, a listener, a datagram connect),
// which the library reports as getpeername(2) does: ENOTCONN.
Napi::Value NoPeerIsNotConnected(Napi::Env env) {
  return NumberResult(env, errno == ENODATA ? -ENOTCONN : -errno);
}

bool IsBytes(int32_t option) {
  return option == kPeerGroups || option == kPeerSecurity;
}

// A byte-valued option into `out`: its length, more than out holds when it
// did not fit (the kernel's ERANGE, which reports the length needed), or
// -errno. A socket with no security label (Linux answers SO_PEERSEC with
// ENOPROTOOPT then) has length 0.
Napi::Value GetBytesOption(Napi::Env env, int32_t fd, int32_t option, int name,
                           Napi::Uint8Array out) {
  socklen_t length = static_cast<socklen_t>(out.ByteLength());
  int r = RetryOnEintr([&] {
    return getsockopt(fd, SOL_SOCKET, name, out.Data(), &length);
  });
  if (r == -1 && errno == ERANGE) {
    return NumberResult(env, length > out.ByteLength() ? length : out.ByteLength() + 1);
  }
  if (r == -1 && errno == ENOPROTOOPT && option == kPeerSecurity) {
    // Only a socket can have no label: ask SO_TYPE so a non-socket or a
    // closed descriptor still fails as it should.
    int type = 0;
    socklen_t type_length = sizeof(type);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_length) == -1) return SyscallResult(env, -1);
    return NumberResult(env, 0);
  }
  if (r == -1) return NoPeerIsNotConnected(env);
  return NumberResult(env, length);
}

// SO_PEERPIDFD: the kernel makes the pidfd close-on-exec; make sure of it
// (a descriptor that leaks into a child would keep the answer alive there).
Napi::Value GetPidfdOption(Napi::Env env, int32_t fd, int name, Napi::Int32Array out) {
  int pidfd = -1;
  socklen_t length = sizeof(pidfd);
  int r = RetryOnEintr(
      [&] { return getsockopt(fd, SOL_SOCKET, name, &pidfd, &length); });
  if (r == -1) return NoPeerIsNotConnected(env);
  int flags = fcntl(pidfd, F_GETFD);
  if (flags == -1 || (!(flags & FD_CLOEXEC) && fcntl(pidfd, F_SETFD, flags | FD_CLOEXEC) == -1)) {
    int saved = errno;
    close(pidfd);
    return NumberResult(env, -saved);
  }
  out[0] = pidfd;
  return NumberResult(env, 0);
}

int32_t ClampToInt32(long long value) {
  if (value > INT32_MAX) return INT32_MAX;
  if (value < INT32_MIN) return INT32_MIN;
  return static_cast<int32_t>(value);
}

}  // namespace

Napi::Object SocketOptionNumbering(Napi::Env env) {
  Napi::Object numbering = Napi::Object::New(env);
  for (int32_t i = 0; i < kOptionCount; i++) numbering.Set(kOptionTable[i].js_name, i);
  numbering.Freeze();
  return numbering;
}

Napi::Value GetSocketOption(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  int32_t option = 0;
  if (!ReadInt32(info, 0, "fd", &fd) ||
      !ReadInt32(info, 1, "option", &option)) {
    return Napi::Value();
  }
  if (IsBytes(option)) {
    Napi::Uint8Array bytes;
    if (!ReadBytes(info, 2, "out", &bytes)) return Napi::Value();
    int name = 0;
    int r = SystemOption(option, &name);
    if (r < 0) return NumberResult(env, r);
    return GetBytesOption(env, fd, option, name, bytes);
  }
  Napi::Int32Array out;
  if (!ReadInt32Array(info, 2, "out", option == kLinger ? 2 : 1, &out)) {
    return Napi::Value();
  }
  int name = 0;
  int r = SystemOption(option, &name);
  if (r < 0) return NumberResult(env, r);
  if (option == kPeerPidfd) return GetPidfdOption(env, fd, name, out);

  if (option == kLinger) {
    linger value;
    std::memset(&value, 0, sizeof(value));
    socklen_t length = sizeof(value);
    r = RetryOnEintr(
        [&] { return getsockopt(fd, SOL_SOCKET, name, &value, &length); });
    if (r == -1) return SyscallResult(env, -1);
    out[0] = value.l_onoff;
    out[1] = value.l_linger;
    return NumberResult(env, 0);
  }
  if (IsTimeout(option)) {
    timeval value;
    std::memset(&value, 0, sizeof(value));
    socklen_t length = sizeof(value);
    r = RetryOnEintr(
        [&] { return getsockopt(fd, SOL_SOCKET, name, &value, &length); });
    if (r == -1) return SyscallResult(env, -1);
    out[0] = ClampToInt32(static_cast<long long>(value.tv_sec) * 1000 +
                          static_cast<long long>(value.tv_usec) / 1000);
    return NumberResult(env, 0);
  }
  int value = 0;
  socklen_t length = sizeof(value);
  r = RetryOnEintr(
      [&] { return getsockopt(fd, SOL_SOCKET, name, &value, &length); });
  if (r == -1) return SyscallResult(env, -1);
  if (option == kType) value = SocketTypeToJs(value);
  if (option == kError) value = -value;
  out[0] = value;
  return NumberResult(env, 0);
}

Napi::Value SetSocketOption(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  int32_t option = 0;
  int32_t a = 0;
  int32_t b = 0;
  if (!ReadInt32(info, 0, "fd", &fd) ||
      !ReadInt32(info, 1, "option", &option) || !ReadInt32(info, 2, "a", &a) ||
      (!info[3].IsUndefined() && !ReadInt32(info, 3, "b", &b))) {
    return Napi::Value();
  }
  int name = 0;
  int r = SystemOption(option, &name);
  if (r < 0) return NumberResult(env, r);

  if (option == kLinger) {
    linger value;
    std::memset(&value, 0, sizeof(value));
    value.l_onoff = a;
    value.l_linger = b;
    r = RetryOnEintr([&] {
      return setsockopt(fd, SOL_SOCKET, name, &value, sizeof(value));
    });
    return SyscallResult(env, r);
  }
  if (IsTimeout(option)) {
    if (a < 0) return NumberResult(env, -EINVAL);
    timeval value;
    std::memset(&value, 0, sizeof(value));
    value.tv_sec = a / 1000;
    value.tv_usec = (a % 1000) * 1000;
    r = RetryOnEintr([&] {
      return setsockopt(fd, SOL_SOCKET, name, &value, sizeof(value));
    });
    return SyscallResult(env, r);
  }
  int value = a;
  r = RetryOnEintr(
      [&] { return setsockopt(fd, SOL_SOCKET, name, &value, sizeof(value)); });
  return SyscallResult(env, r);
}

}  // namespace unixsock
