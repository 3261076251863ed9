// Data transfer syscalls (see io.h).
#include "io.h"

#include <limits.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "args.h"
#include "control.h"
#include "platform.h"
#include "retry.h"

namespace unixsock {

namespace {

// Reads fd, buf, offset, length and checks offset + length <= buf.length.
bool ReadRange(const Napi::CallbackInfo& info, int32_t* fd,
               Napi::Uint8Array* buf, size_t* offset, size_t* length) {
  if (!ReadInt32(info, 0, "fd", fd) || !ReadBytes(info, 1, "buf", buf) ||
      !ReadSize(info, 2, "offset", offset) ||
      !ReadSize(info, 3, "length", length)) {
    return false;
  }
  size_t size = buf->ByteLength();
  if (*offset > size || *length > size - *offset) {
    return ThrowTypeError(info.Env(),
                          "offset + length must not exceed buf.length");
  }
  return true;
}

}  // namespace

Napi::Value Send(const Napi::CallbackInfo& info) {
  int32_t fd = 0;
  Napi::Uint8Array buf;
  size_t offset = 0;
  size_t length = 0;
  if (!ReadRange(info, &fd, &buf, &offset, &length)) return Napi::Value();
  const uint8_t* data = buf.Data() + offset;
  ssize_t r = RetryOnEintr(
      [&] { return send(fd, data, length, UNIXSOCK_SEND_FLAGS); });
  return SyscallResult(info.Env(), static_cast<double>(r));
}

Napi::Value Recv(const Napi::CallbackInfo& info) {
  int32_t fd = 0;
  Napi::Uint8Array buf;
  size_t offset = 0;
  size_t length = 0;
  if (!ReadRange(info, &fd, &buf, &offset, &length)) return Napi::Value();
  // A zero-length recv(2) can block or consume a datagram; skip the syscall.
  if (length == 0) return NumberResult(info.Env(), 0);
  uint8_t* data = buf.Data() + offset;
  ssize_t r =
      RetryOnEintr([&] { return recv(fd, data, length, MSG_DONTWAIT); });
  return SyscallResult(info.Env(), static_cast<double>(r));
}

Napi::Value Writev(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  if (!ReadInt32(info, 0, "fd", &fd)) return Napi::Value();
  if (!info[1].IsArray()) {
    ThrowTypeError(env, "bufs must be an array of Uint8Array");
    return Napi::Value();
  }
  Napi::Array array = info[1].As<Napi::Array>();
  // At most IOV_MAX buffers go out per call (the rest is the caller's).
  std::vector<Napi::Uint8Array> buffers;
  if (!ReadBufferArray(env, array, kIovMax,
                       "bufs must be an array of Uint8Array", &buffers)) {
    return Napi::Value();
  }
  size_t count = buffers.size();
  std::vector<iovec> iov(count);
  for (size_t i = 0; i < count; i++) {
    iov[i].iov_base = buffers[i].Data();
    iov[i].iov_len = buffers[i].ByteLength();
  }
  ssize_t r = SendWithControl(fd, iov.data(), count, nullptr, 0, nullptr, 0,
                              false);
  return NumberResult(env, static_cast<double>(r));
}

}  // namespace unixsock
