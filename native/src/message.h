// Message I/O with ancillary data: sendmsg/recvmsg carrying descriptors
// (SCM_RIGHTS), sender credentials (SCM_CREDENTIALS, Linux) and datagram
// addresses. The syscalls of datagram/seqpacket sockets and descriptor passing.
// Both are non-blocking (MSG_DONTWAIT); sends never raise SIGPIPE; received
// descriptors are close-on-exec. Each returns a byte count or -errno.
#ifndef UNIXSOCK_MESSAGE_H_
#define UNIXSOCK_MESSAGE_H_

#include <napi.h>

namespace unixsock {

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
