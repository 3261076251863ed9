// Socket lifecycle syscalls: socket, socketpair, bind, listen, connect, accept,
// getsockname, getpeername, shutdown, close. AF_UNIX only; every descriptor is
// created non-blocking and close-on-exec. Each returns >= 0 or -errno.
#ifndef UNIXSOCK_SOCKET_H_
#define UNIXSOCK_SOCKET_H_

#include <napi.h>

namespace unixsock {

// Our socket type numbering (JS side: SOCKET_TYPE in host/native/native.ts, the
// addon's SOCKET_TYPE export, checked by test/native/numberings.test.ts):
// WIT `socket-type` case index + 1.
enum JsSocketType : int32_t { kJsStream = 1, kJsDatagram = 2, kJsSeqpacket = 3 };
// shutdown's `how` (SHUTDOWN in host/native/native.ts; WIT `shutdown-how` order).
enum JsShutdown : int32_t { kShutRead = 0, kShutWrite = 1, kShutBoth = 2 };

// Returns the SOCK_* constant, or -1 for an unknown number.
int SocketTypeFromJs(int type);
// Inverse of SocketTypeFromJs; 0 for a type we do not number.
int SocketTypeToJs(int sock_type);

Napi::Value Socket(const Napi::CallbackInfo& info);      // socket(type)
Napi::Value SocketPair(const Napi::CallbackInfo& info);  // socketPair(type, out)
Napi::Value Bind(const Napi::CallbackInfo& info);        // bind(fd, sockaddr)
Napi::Value Listen(const Napi::CallbackInfo& info);      // listen(fd, backlog)
Napi::Value Connect(const Napi::CallbackInfo& info);     // connect(fd, sockaddr)
Napi::Value Accept(const Napi::CallbackInfo& info);      // accept(fd)
Napi::Value GetSockName(const Napi::CallbackInfo& info); // getSockName(fd, out)
Napi::Value GetPeerName(const Napi::CallbackInfo& info); // getPeerName(fd, out)
Napi::Value Shutdown(const Napi::CallbackInfo& info);    // shutdown(fd, how)
Napi::Value Close(const Napi::CallbackInfo& info);       // close(fd)
// duplicate(fd): fcntl(F_DUPFD_CLOEXEC): the new descriptor | -errno.
Napi::Value Duplicate(const Napi::CallbackInfo& info);
// setDescriptorFlags(fd, nonblocking, cloexec): O_NONBLOCK and FD_CLOEXEC
// set or cleared (fcntl), e.g. on a descriptor from elsewhere: 0 | -errno.
Napi::Value SetDescriptorFlags(const Napi::CallbackInfo& info);

}  // namespace unixsock

#endif  // UNIXSOCK_SOCKET_H_
