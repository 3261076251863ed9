// Message I/O with ancillary data (see message.h).
#include "message.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "args.h"
#include "control.h"
#include "platform.h"
#include "retry.h"

namespace unixsock {

Napi::Value SendMessage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  bool has_fds = false;
  Napi::Int32Array fds;
  bool has_address = false;
  Napi::Uint8Array address;
  bool credentials = false;
  Napi::Value bufs = info[1];
  bool single = IsBytes(bufs);
  if (!ReadInt32(info, 0, "fd", &fd)) return Napi::Value();
  if (!single && !bufs.IsArray()) {
    ThrowTypeError(env, "bufs must be a Uint8Array or an array of Uint8Array");
    return Napi::Value();
  }
  if (!ReadOptionalInt32Array(info, 2, "fds", &has_fds, &fds) ||
      !ReadOptionalBytes(info, 3, "sockaddr", &has_address, &address) ||
      !ReadBoolean(info, 4, "credentials", &credentials)) {
    return Napi::Value();
  }

  // A lone buffer (the common case) needs no vectors.
  iovec single_iov;
  std::vector<Napi::Uint8Array> buffers;
  std::vector<iovec> iov_list;
  iovec* iov = &single_iov;
  size_t iov_count = 1;
  if (single) {
    Napi::Uint8Array buffer = bufs.As<Napi::Uint8Array>();
    single_iov.iov_base = buffer.Data();
    single_iov.iov_len = buffer.ByteLength();
  } else {
    Napi::Array array = bufs.As<Napi::Array>();
    if (array.Length() > kIovMax) {
      std::string message =
          "bufs must hold at most " + std::to_string(kIovMax) + " buffers";
      ThrowTypeError(env, message.c_str());
      return Napi::Value();
    }
    if (!ReadBufferArray(env, array, kIovMax,
                         "bufs must be a Uint8Array or an array of Uint8Array",
                         &buffers)) {
      return Napi::Value();
    }
    iov_list.resize(buffers.size());
    for (size_t i = 0; i < buffers.size(); i++) {
      iov_list[i].iov_base = buffers[i].Data();
      iov_list[i].iov_len = buffers[i].ByteLength();
    }
    iov = iov_list.data();
    iov_count = iov_list.size();
  }
  size_t fd_count = has_fds ? fds.ElementLength() : 0;
  if (fd_count > kMaxDescriptorArgument) {
    std::string message = "fds must hold at most " +
                          std::to_string(kMaxDescriptorArgument) +
                          " descriptors";
    ThrowTypeError(env, message.c_str());
    return Napi::Value();
  }
#if !UNIXSOCK_HAVE_SCM_CREDENTIALS
  if (credentials) return NumberResult(env, -EOPNOTSUPP);
#endif

  sockaddr_storage storage;
  socklen_t address_length = 0;
  if (has_address) {
    int r = CopySockaddr(address, &storage, &address_length);
    if (r < 0) return NumberResult(env, r);
  }
  sockaddr* name = has_address ? reinterpret_cast<sockaddr*>(&storage) : nullptr;
  ssize_t r = SendWithControl(fd, iov, iov_count, name, address_length,
                              has_fds ? fds.Data() : nullptr, fd_count,
                              credentials);
  return NumberResult(env, static_cast<double>(r));
}

Napi::Value ReceiveMessage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  Napi::Uint8Array buf;
  size_t offset = 0;
  size_t length = 0;
  Napi::Int32Array fds_out;
  bool has_address = false;
  Napi::Uint8Array address_out;
  Napi::Int32Array out;
  bool peek = false;
  if (!ReadInt32(info, 0, "fd", &fd) || !ReadBytes(info, 1, "buf", &buf) ||
      !ReadSize(info, 2, "offset", &offset) ||
      !ReadSize(info, 3, "length", &length) ||
      !ReadInt32Array(info, 4, "fdsOut", 0, &fds_out) ||
      !ReadOptionalBytes(info, 5, "addrOut", &has_address, &address_out) ||
      !ReadInt32Array(info, 6, "info", kInfoLength, &out) ||
      !ReadBoolean(info, 7, "peek", &peek)) {
    return Napi::Value();
  }
  size_t size = buf.ByteLength();
  if (offset > size || length > size - offset) {
    ThrowTypeError(env, "offset + length must not exceed buf.length");
    return Napi::Value();
  }

  size_t capacity =
      std::min<size_t>(fds_out.ElementLength(), kMaxDescriptorArgument);
  size_t control_length = ControlSpace(capacity);
  ControlBuffer control;
  if (control_length > 0) std::memset(control.bytes, 0, control_length);
  sockaddr_storage storage;
  std::memset(&storage, 0, sizeof(storage));
  iovec iov;
  iov.iov_base = buf.Data() + offset;
  iov.iov_len = length;

  msghdr message;
  std::memset(&message, 0, sizeof(message));
  if (has_address) {
    message.msg_name = &storage;
    message.msg_namelen = sizeof(storage);
  }
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  if (control_length > 0) {
    message.msg_control = control.bytes;
    message.msg_controllen =
        static_cast<decltype(message.msg_controllen)>(control_length);
  }
  int flags = MSG_DONTWAIT | UNIXSOCK_RECV_CLOEXEC | UNIXSOCK_RECV_REAL_LENGTH |
              (peek ? MSG_PEEK : 0);
  ssize_t r = RetryOnEintr([&] { return recvmsg(fd, &message, flags); });
  int32_t* slots = out.Data();
  if (r == -1) {
    int error = errno;
    std::fill(slots, slots + kInfoLength, 0);
    return NumberResult(env, -static_cast<double>(error));
  }

  // Every descriptor the kernel installed ends up in fdsOut or closed.
  ReceivedControl received;
  TakeControl(&message, control_length, fds_out.Data(), capacity, &received);

  size_t address_length = 0;
  if (has_address) {
    address_length = std::min<size_t>(
        std::min<size_t>(message.msg_namelen, sizeof(storage)),
        address_out.ByteLength());
    if (address_length > 0) {
      std::memcpy(address_out.Data(), &storage, address_length);
    }
  }

  PutReceiveInfo(slots, std::min<size_t>(static_cast<size_t>(r), length),
                 message.msg_flags, received, address_length);
  return NumberResult(env, static_cast<double>(r));
}

void PutReceiveInfo(int32_t* slots, size_t copied, int msg_flags,
                    const ReceivedControl& received, size_t address_length) {
  int32_t flags = 0;
  if (msg_flags & MSG_TRUNC) flags |= kFlagTruncated;
  if (received.lost) flags |= kFlagControlTruncated;
  slots[kCopied] = static_cast<int32_t>(copied);
  slots[kFlags] = flags;
  slots[kDescriptorCount] = static_cast<int32_t>(received.count);
  slots[kAddressLength] = static_cast<int32_t>(address_length);
  slots[kHasCredentials] = received.has_credentials ? 1 : 0;
  slots[kPid] = received.pid;
  slots[kUid] = received.uid;
  slots[kGid] = received.gid;
}

}  // namespace unixsock
