// Message I/O with ancillary data: sendmsg/recvmsg carrying descriptors
// (SCM_RIGHTS), sender credentials (SCM_CREDENTIALS, Linux) and datagram
// addresses. The syscalls of datagram/seqpacket sockets and descriptor passing.
// Both are non-blocking (MSG_DONTWAIT); sends never raise SIGPIPE; received
// descriptors are close-on-exec. Each returns a byte count or -errno.
#ifndef UNIXSOCK_MESSAGE_H_
#define UNIXSOCK_MESSAGE_H_

#include <napi.h>

#include <cstddef>
#include <cstdint>

#include "control.h"

namespace unixsock {

// Info slots of a received message (receiveMessage; receiveMessages adds the
// real length after them); must match the doc in host/native/native.ts.
enum InfoSlot : size_t {
  kCopied = 0,
  kFlags = 1,
  kDescriptorCount = 2,
  kAddressLength = 3,
  kHasCredentials = 4,
  kPid = 5,
  kUid = 6,
  kGid = 7,
  kInfoLength = 8,
};

// Flag bits of info[kFlags]: MESSAGE_FLAG in host/native/native.ts, exported by the
// addon and checked by test/native/numberings.test.ts.
constexpr int32_t kFlagTruncated = 1;
constexpr int32_t kFlagControlTruncated = 2;

// Fills slots[0..kInfoLength) for a message of which `copied` bytes were
// stored, with recvmsg's msg_flags and what TakeControl found.
void PutReceiveInfo(int32_t* slots, size_t copied, int msg_flags,
                    const ReceivedControl& received, size_t address_length);

// sendMessage(fd, bufs: Uint8Array | Uint8Array[], fds: Int32Array | null,
//             sockaddr: Uint8Array | null, credentials: boolean)
//   -> bytes sent | -errno.
Napi::Value SendMessage(const Napi::CallbackInfo& info);

// receiveMessage(fd, buf, offset, length, fdsOut: Int32Array,
//                addrOut: Uint8Array | null, info: Int32Array(8), peek: boolean)
//   -> message length (Linux: the real datagram length) | -errno.
// info = [copied, flags, fdCount, addressLength, hasCredentials, pid, uid, gid];
// flags: 1 data truncated (MSG_TRUNC), 2 control truncated (descriptors or
// credentials lost).
Napi::Value ReceiveMessage(const Napi::CallbackInfo& info);

}  // namespace unixsock

#endif  // UNIXSOCK_MESSAGE_H_
