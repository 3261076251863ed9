// Batched message I/O (see message_batch.h).
#include "message_batch.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <limits.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "args.h"
#include "control.h"
#include "platform.h"
#include "retry.h"

namespace unixsock {

namespace {

// Most messages one call takes; a bound on the stack arrays below.
constexpr size_t kMaxBatch = 64;
// Bytes of addrOut per message (sizeof(sockaddr_storage) everywhere we build).
constexpr size_t kAddressSlot = 128;
static_assert(sizeof(sockaddr_storage) <= kAddressSlot, "address slot");
// Info slots per message: receiveMessage's eight, then the real length.
constexpr size_t kInfoStride = 9;
constexpr int32_t kFlagTruncated = 1;
constexpr int32_t kFlagControlTruncated = 2;

const char kBufsType[] = "bufs must be an array of Uint8Array";

// Control buffers for one batch: cmsghdr-aligned, reused across calls on
// this thread (a batch of 64 with room for 253 descriptors each is ~68 KiB:
// too big for the stack, too hot for a malloc per call).
unsigned char* BatchControl(size_t bytes) {
  thread_local std::vector<cmsghdr> storage;
  size_t headers = (bytes + sizeof(cmsghdr) - 1) / sizeof(cmsghdr);
  if (storage.size() < headers) storage.resize(headers);
  return reinterpret_cast<unsigned char*>(storage.data());
}

// A count argument in [1, kMaxBatch].
bool ReadCount(const Napi::CallbackInfo& info, size_t index, size_t* out) {
  if (!ReadSize(info, index, "count", out)) return false;
  if (*out < 1 || *out > kMaxBatch) {
    return ThrowTypeError(info.Env(), "count must be from 1 to 64");
  }
  return true;
}

}  // namespace

Napi::Value SendMessages(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  size_t count = 0;
  if (!ReadInt32(info, 0, "fd", &fd)) return Napi::Value();
  Napi::Value bufs_value = info[1];
  if (!bufs_value.IsArray()) {
    ThrowTypeError(env, kBufsType);
    return Napi::Value();
  }
  if (!ReadCount(info, 2, &count)) return Napi::Value();
  Napi::Array bufs = bufs_value.As<Napi::Array>();
  if (bufs.Length() < count) {
    ThrowTypeError(env, "count must not exceed bufs.length");
    return Napi::Value();
  }
  bool has_address = false;
  Napi::Uint8Array sockaddr_bytes;
  if (!ReadOptionalBytes(info, 3, "sockaddr", &has_address, &sockaddr_bytes)) {
    return Napi::Value();
  }
  // Every element is read (getters may run JS) before any pointer is taken.
  napi_value elements[kMaxBatch];
  for (size_t i = 0; i < count; i++) {
    Napi::Value element = bufs.Get(static_cast<uint32_t>(i));
    if (env.IsExceptionPending()) return Napi::Value();
    if (!IsBytes(element)) {
      ThrowTypeError(env, kBufsType);
      return Napi::Value();
    }
    elements[i] = element;
  }
  sockaddr_storage storage;
  socklen_t address_length = 0;
  if (has_address) {
    int r = CopySockaddr(sockaddr_bytes, &storage,
                         &address_length);
    if (r < 0) return NumberResult(env, r);
  }
  iovec iov[kMaxBatch];
  for (size_t i = 0; i < count; i++) {
    Napi::Uint8Array buf(env, elements[i]);
    iov[i].iov_base = buf.Data();
    iov[i].iov_len = buf.ByteLength();
  }
  auto header = [&](msghdr* message, size_t i) {
    std::memset(message, 0, sizeof(*message));
    if (has_address) {
      message->msg_name = &storage;
      message->msg_namelen = address_length;
    }
    message->msg_iov = &iov[i];
    message->msg_iovlen = 1;
  };
#ifdef __linux__
  mmsghdr messages[kMaxBatch];
  for (size_t i = 0; i < count; i++) {
    header(&messages[i].msg_hdr, i);
    messages[i].msg_len = 0;
  }
  int r = RetryOnEintr([&] {
    return sendmmsg(fd, messages, static_cast<unsigned int>(count),
                    UNIXSOCK_SEND_FLAGS);
  });
  return SyscallResult(env, static_cast<double>(r));
#else
  size_t sent = 0;
  for (; sent < count; sent++) {
    msghdr message;
    header(&message, sent);
    ssize_t r = RetryOnEintr(
        [&] { return sendmsg(fd, &message, UNIXSOCK_SEND_FLAGS); });
    if (r == -1) {
      if (sent == 0) return NumberResult(env, -static_cast<double>(errno));
      break;
    }
  }
  return NumberResult(env, static_cast<double>(sent));
#endif
}

Napi::Value ReceiveMessages(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  Napi::Uint8Array arena;
  size_t slot = 0;
  size_t count = 0;
  Napi::Int32Array fds_out;
  size_t fd_slot = 0;
  Napi::Int32Array out;
  if (!ReadInt32(info, 0, "fd", &fd) || !ReadBytes(info, 1, "arena", &arena) ||
      !ReadSize(info, 2, "slot", &slot) || !ReadCount(info, 3, &count) ||
      !ReadInt32Array(info, 4, "fdsOut", 0, &fds_out) ||
      !ReadSize(info, 5, "fdSlot", &fd_slot) ||
      !ReadInt32Array(info, 7, "info", 0, &out)) {
    return Napi::Value();
  }
  bool has_address = false;
  Napi::Uint8Array address_out;
  if (!ReadOptionalBytes(info, 6, "addrOut", &has_address, &address_out)) {
    return Napi::Value();
  }
  if (slot == 0 || arena.ByteLength() / slot < count) {
    ThrowTypeError(env, "arena must hold count slots");
    return Napi::Value();
  }
  if (fd_slot > kMaxDescriptorArgument ||
      (fd_slot > 0 && fds_out.ElementLength() / fd_slot < count)) {
    ThrowTypeError(env, "fdsOut must hold count slots of at most 1012");
    return Napi::Value();
  }
  unsigned char* addresses = nullptr;
  if (has_address) {
    if (address_out.ByteLength() / kAddressSlot < count) {
      ThrowTypeError(env, "addrOut must hold count slots of 128 bytes");
      return Napi::Value();
    }
    addresses = address_out.Data();
  }
  if (out.ElementLength() / kInfoStride < count) {
    ThrowTypeError(env, "info must hold 9 slots per message");
    return Napi::Value();
  }

  size_t control_length = ControlSpace(fd_slot);
  unsigned char* control = BatchControl(control_length * count);
  iovec iov[kMaxBatch];
  auto header = [&](msghdr* message, size_t i) {
    std::memset(message, 0, sizeof(*message));
    iov[i].iov_base = arena.Data() + i * slot;
    iov[i].iov_len = slot;
    message->msg_iov = &iov[i];
    message->msg_iovlen = 1;
    if (has_address) {
      message->msg_name = addresses + i * kAddressSlot;
      message->msg_namelen = static_cast<socklen_t>(kAddressSlot);
    }
    if (control_length > 0) {
      message->msg_control = control + i * control_length;
      message->msg_controllen =
          static_cast<decltype(message->msg_controllen)>(control_length);
    }
  };
  int flags = MSG_DONTWAIT | UNIXSOCK_RECV_CLOEXEC | UNIXSOCK_RECV_REAL_LENGTH;
  size_t received = 0;
  msghdr* headers[kMaxBatch];
  size_t lengths[kMaxBatch];
#ifdef __linux__
  mmsghdr messages[kMaxBatch];
  for (size_t i = 0; i < count; i++) {
    header(&messages[i].msg_hdr, i);
    messages[i].msg_len = 0;
  }
  int r = RetryOnEintr([&] {
    return recvmmsg(fd, messages, static_cast<unsigned int>(count), flags,
                    nullptr);
  });
  if (r == -1) return NumberResult(env, -static_cast<double>(errno));
  received = static_cast<size_t>(r);
  for (size_t i = 0; i < received; i++) {
    headers[i] = &messages[i].msg_hdr;
    lengths[i] = messages[i].msg_len;
  }
#else
  // One at a time: an error after the first message would be lost here.
  msghdr message;
  header(&message, 0);
  ssize_t r = RetryOnEintr([&] { return recvmsg(fd, &message, flags); });
  if (r == -1) return NumberResult(env, -static_cast<double>(errno));
  received = 1;
  headers[0] = &message;
  lengths[0] = static_cast<size_t>(r);
#endif

  int32_t* slots = out.Data();
  for (size_t i = 0; i < received; i++) {
    msghdr* message = headers[i];
    int32_t* s = slots + i * kInfoStride;
    // Every descriptor the kernel installed ends up in fdsOut or closed.
    ReceivedControl taken;
    TakeControl(message, control_length,
                fd_slot > 0 ? fds_out.Data() + i * fd_slot : nullptr, fd_slot,
                &taken);
    int32_t result_flags = 0;
    if (message->msg_flags & MSG_TRUNC) result_flags |= kFlagTruncated;
    if (taken.lost) result_flags |= kFlagControlTruncated;
    size_t address_length = 0;
    if (has_address) {
      address_length = std::min<size_t>(message->msg_namelen, kAddressSlot);
    }
    s[0] = static_cast<int32_t>(std::min(lengths[i], slot));
    s[1] = result_flags;
    s[2] = static_cast<int32_t>(taken.count);
    s[3] = static_cast<int32_t>(address_length);
    s[4] = taken.has_credentials ? 1 : 0;
    s[5] = taken.pid;
    s[6] = taken.uid;
    s[7] = taken.gid;
    s[8] = static_cast<int32_t>(std::min<size_t>(lengths[i], INT32_MAX));
  }
  return NumberResult(env, static_cast<double>(received));
}

}  // namespace unixsock
