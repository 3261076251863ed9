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
#include "message.h"
#include "platform.h"
#include "retry.h"

namespace unixsock {

namespace {

// Most messages one call takes; a bound on the stack arrays below.
constexpr size_t kMaxBatch = 64;
// Bytes of addrOut per message (sizeof(sockaddr_storage) everywhere we build).
constexpr size_t kAddressSlot = 128;
static_assert(sizeof(sockaddr_storage) <= kAddressSlot, "address slot");
// Info slots per message: receiveMessage's, then the real length.
constexpr size_t kRealLength = kInfoLength;
constexpr size_t kInfoStride = kInfoLength + 1;

const char kBufsType[] = "bufs must be an array of Uint8Array";

// Control buffers for one batch: cmsghdr-aligned, reused across calls on
// this thread and kept at their largest size (a batch of 64 with room for
// 253 descriptors each is ~68 KiB, with the most allowed, 1012, ~256 KiB:
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

namespace {

#ifdef __linux__
using BatchHeader = mmsghdr;
#else
struct BatchHeader {
  msghdr msg_hdr;
  unsigned int msg_len;
};
#endif

// The receive arenas bound by bindReceiveArenas, per thread (each Node
// environment runs on its own), and recvmmsg headers prepared for them: a
// call only restores the fields the kernel wrote in the previous one,
// instead of building 64 headers for what is often a single message.
struct ReceiveState {
  napi_env env = nullptr;
  napi_ref refs[4] = {nullptr, nullptr, nullptr, nullptr};
  uint8_t* data = nullptr;
  size_t data_length = 0;
  int32_t* fds = nullptr;
  size_t fds_length = 0;  // elements
  uint8_t* addresses = nullptr;
  size_t addresses_length = 0;
  int32_t* info = nullptr;
  size_t info_length = 0;  // elements
  // What the prepared headers were built for.
  size_t slot = 0;
  bool has_address = false;
  unsigned char* control = nullptr;
  size_t control_length = 0;
  size_t prepared = 0;  // headers [0, prepared) are built
  size_t dirty = 0;     // headers [0, dirty) were written by the kernel
  BatchHeader messages[kMaxBatch];
  iovec iov[kMaxBatch];
};

ReceiveState& ThreadReceiveState() {
  static thread_local ReceiveState state;
  return state;
}

void ReleaseArenas(ReceiveState* state) {
  for (napi_ref& ref : state->refs) {
    if (ref != nullptr) napi_delete_reference(state->env, ref);
    ref = nullptr;
  }
  state->data = nullptr;
  state->fds = nullptr;
  state->addresses = nullptr;
  state->info = nullptr;
  state->data_length = state->fds_length = 0;
  state->addresses_length = state->info_length = 0;
  state->prepared = state->dirty = 0;
}

// Environment cleanup hook: drops the references while they are valid.
void UnbindArenas(void* arg) {
  ReceiveState* state = static_cast<ReceiveState*>(arg);
  ReleaseArenas(state);
  state->env = nullptr;
}

}  // namespace

Napi::Value BindReceiveArenas(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array data, addresses;
  Napi::Int32Array fds, slots;
  if (!ReadBytes(info, 0, "arena", &data) ||
      !ReadInt32Array(info, 1, "fdsOut", 0, &fds) ||
      !ReadBytes(info, 2, "addrOut", &addresses) ||
      !ReadInt32Array(info, 3, "info", 0, &slots)) {
    return Napi::Value();
  }
  ReceiveState& state = ThreadReceiveState();
  if (state.env != env) {
    if (state.env != nullptr) {
      ThrowTypeError(env, "receive arenas are bound by another environment");
      return Napi::Value();
    }
    if (napi_add_env_cleanup_hook(env, UnbindArenas, &state) != napi_ok) {
      return Napi::Value();
    }
    state.env = env;
  }
  ReleaseArenas(&state);
  napi_value values[4] = {data, fds, addresses, slots};
  for (size_t i = 0; i < 4; i++) {
    napi_create_reference(env, values[i], 1, &state.refs[i]);
  }
  state.data = data.Data();
  state.data_length = data.ByteLength();
  state.fds = fds.Data();
  state.fds_length = fds.ElementLength();
  state.addresses = addresses.Data();
  state.addresses_length = addresses.ByteLength();
  state.info = slots.Data();
  state.info_length = slots.ElementLength();
  return env.Undefined();
}

Napi::Value ReceiveMessages(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  size_t slot = 0;
  size_t count = 0;
  size_t fd_slot = 0;
  if (!ReadInt32(info, 0, "fd", &fd) || !ReadSize(info, 1, "slot", &slot) ||
      !ReadCount(info, 2, &count) || !ReadSize(info, 3, "fdSlot", &fd_slot)) {
    return Napi::Value();
  }
  bool has_address = false;
  if (!ReadBoolean(info, 4, "withAddresses", &has_address)) {
    return Napi::Value();
  }
  ReceiveState& state = ThreadReceiveState();
  if (state.env != env || state.data == nullptr) {
    ThrowTypeError(env, "bindReceiveArenas first");
    return Napi::Value();
  }
  if (slot == 0 || state.data_length / slot < count) {
    ThrowTypeError(env, "arena must hold count slots");
    return Napi::Value();
  }
  if (fd_slot > kMaxDescriptorArgument ||
      (fd_slot > 0 && state.fds_length / fd_slot < count)) {
    ThrowTypeError(env, "fdsOut must hold count slots of at most 1012");
    return Napi::Value();
  }
  if (has_address && state.addresses_length / kAddressSlot < count) {
    ThrowTypeError(env, "addrOut must hold count slots of 128 bytes");
    return Napi::Value();
  }
  if (state.info_length / kInfoStride < count) {
    ThrowTypeError(env, "info must hold 9 slots per message");
    return Napi::Value();
  }

#ifndef __linux__
  // No recvmmsg: one message per call (an error after a first would be lost).
  count = 1;
#endif
  size_t control_length = ControlSpace(fd_slot);
  unsigned char* control = BatchControl(control_length * count);
  if (slot != state.slot || has_address != state.has_address ||
      control != state.control || control_length != state.control_length) {
    state.slot = slot;
    state.has_address = has_address;
    state.control = control;
    state.control_length = control_length;
    state.prepared = state.dirty = 0;
  }
  BatchHeader* messages = state.messages;
  // Restore what the kernel wrote last time; build headers never used yet.
  for (size_t i = 0; i < std::min(state.dirty, state.prepared); i++) {
    msghdr* message = &messages[i].msg_hdr;
    if (has_address) message->msg_namelen = static_cast<socklen_t>(kAddressSlot);
    message->msg_controllen =
        static_cast<decltype(message->msg_controllen)>(control_length);
    message->msg_flags = 0;
    messages[i].msg_len = 0;
  }
  for (size_t i = state.prepared; i < count; i++) {
    msghdr* message = &messages[i].msg_hdr;
    std::memset(message, 0, sizeof(*message));
    state.iov[i].iov_base = state.data + i * slot;
    state.iov[i].iov_len = slot;
    message->msg_iov = &state.iov[i];
    message->msg_iovlen = 1;
    if (has_address) {
      message->msg_name = state.addresses + i * kAddressSlot;
      message->msg_namelen = static_cast<socklen_t>(kAddressSlot);
    }
    if (control_length > 0) {
      message->msg_control = control + i * control_length;
      message->msg_controllen =
          static_cast<decltype(message->msg_controllen)>(control_length);
    }
    messages[i].msg_len = 0;
  }
  state.prepared = std::max(state.prepared, count);

  int flags = MSG_DONTWAIT | UNIXSOCK_RECV_CLOEXEC | UNIXSOCK_RECV_REAL_LENGTH;
  size_t received = 0;
  int r = -1;
  if (count == 1) {
    // One message: recvmsg, which skips recvmmsg's batch bookkeeping.
    ssize_t n = RetryOnEintr([&] { return recvmsg(fd, &messages[0].msg_hdr, flags); });
    if (n >= 0) messages[0].msg_len = static_cast<unsigned int>(n);
    r = n < 0 ? -1 : 1;
  } else {
#ifdef __linux__
    r = RetryOnEintr([&] {
      return recvmmsg(fd, messages, static_cast<unsigned int>(count), flags, nullptr);
    });
#endif
  }
  // The kernel writes back the headers it received into (and, to be safe,
  // the one it failed on).
  state.dirty = r < 0 ? count : std::min(count, static_cast<size_t>(r) + 1);
  if (r == -1) return NumberResult(env, -static_cast<double>(errno));
  received = static_cast<size_t>(r);

  for (size_t i = 0; i < received; i++) {
    msghdr* message = &messages[i].msg_hdr;
    size_t length = messages[i].msg_len;
    int32_t* s = state.info + i * kInfoStride;
    // Every descriptor the kernel installed ends up in fdsOut or closed.
    ReceivedControl taken;
    TakeControl(message, control_length,
                fd_slot > 0 ? state.fds + i * fd_slot : nullptr, fd_slot,
                &taken);
    size_t address_length = 0;
    if (has_address) {
      address_length = std::min<size_t>(message->msg_namelen, kAddressSlot);
    }
    PutReceiveInfo(s, std::min(length, slot), message->msg_flags, taken,
                   address_length);
    s[kRealLength] = static_cast<int32_t>(std::min<size_t>(length, INT32_MAX));
  }
  return NumberResult(env, static_cast<double>(received));
}

}  // namespace unixsock
