// Batched message I/O: many datagrams/seqpacket records per call (Linux:
// sendmmsg/recvmmsg; elsewhere one sendmsg/recvmsg at a time), so a busy
// socket pays one JS->native crossing and one syscall per batch instead of
// per message. Same flags and guarantees as message.h: non-blocking, no
// SIGPIPE, received descriptors close-on-exec, real lengths reported.
#ifndef UNIXSOCK_MESSAGE_BATCH_H_
#define UNIXSOCK_MESSAGE_BATCH_H_

#include <napi.h>

namespace unixsock {

// sendMessages(fd, bufs: Uint8Array[], count, sockaddr: Uint8Array | null)
//   -> messages sent (>= 1) | -errno.
// Sends bufs[0..count) (count <= 64), each one message, in order, all to
// `sockaddr` (null: the connected peer). Stops at the first message the
// kernel refuses: when none went, that message's -errno.
Napi::Value SendMessages(const Napi::CallbackInfo& info);

// bindReceiveArenas(arena: Uint8Array, fdsOut: Int32Array, addrOut: Uint8Array,
//                   info: Int32Array) -> undefined.
// Where receiveMessages puts what it receives, until the next bind: held by
// this thread's environment (referenced, so they stay alive), read once here
// instead of four typed-array look-ups per receive.
Napi::Value BindReceiveArenas(const Napi::CallbackInfo& info);

// receiveMessages(fd, slot, count, fdSlot, withAddresses: boolean)
//   -> messages received (>= 1) | -errno.
// Into the bound arenas: message i lands in arena[i*slot, (i+1)*slot), its
// descriptors in fdsOut[i*fdSlot, i*fdSlot + fdCount) (fdSlot <= 4 *
// SCM_MAX_FD; any beyond are closed and flagged), its sender's address (when
// withAddresses) in addrOut[i*128, ...) and info[i*9, i*9 + 9) = [copied,
// flags, fdCount, addressLength, hasCredentials, pid, uid, gid] as for
// receiveMessage, then the message's real length (Linux; elsewhere the bytes
// copied). count <= 64. A seqpacket end of stream may fill several slots
// with 0-length messages.
Napi::Value ReceiveMessages(const Napi::CallbackInfo& info);

}  // namespace unixsock

#endif  // UNIXSOCK_MESSAGE_BATCH_H_
