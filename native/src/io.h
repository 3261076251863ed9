// Data transfer syscalls: send, recv, sendmsg-based writev. All non-blocking
// (MSG_DONTWAIT); sends never raise SIGPIPE. Each returns a byte count or -errno.
#ifndef UNIXSOCK_IO_H_
#define UNIXSOCK_IO_H_

#include <napi.h>

namespace unixsock {

Napi::Value Send(const Napi::CallbackInfo& info);    // send(fd, buf, offset, length)
Napi::Value Recv(const Napi::CallbackInfo& info);    // recv(fd, buf, offset, length)
Napi::Value Writev(const Napi::CallbackInfo& info);  // writev(fd, bufs)

}  // namespace unixsock

#endif  // UNIXSOCK_IO_H_
