// getsockopt/setsockopt for the SOL_SOCKET options the library uses, addressed
// by the addon's own option numbering (SocketOptionNumbering, below). Each
// returns 0 or -errno.
#ifndef UNIXSOCK_OPTIONS_H_
#define UNIXSOCK_OPTIONS_H_

#include <napi.h>

namespace unixsock {

// The addon's option numbering, keyed by the SOL_SOCKET names users write
// ({ SO_SNDBUF: 0, ... }): exported as SOCKET_OPTION, the one table
// host/native/options.ts and the rest of the host use. Defined by the table
// in options.cc, so an option is added there (and its name and value type in
// host/native/options.ts).
Napi::Object SocketOptionNumbering(Napi::Env env);

// getSocketOption(fd, option, out: Int32Array) -> 0 | -errno;
// getSocketOption(fd, SO_PEERGROUPS | SO_PEERSEC number, out: Uint8Array) -> the
// value's byte length (more than out holds: nothing copied, ask again with
// that much room) | -errno.
Napi::Value GetSocketOption(const Napi::CallbackInfo& info);
// setSocketOption(fd, option, a, b)
Napi::Value SetSocketOption(const Napi::CallbackInfo& info);

}  // namespace unixsock

#endif  // UNIXSOCK_OPTIONS_H_
