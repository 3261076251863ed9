// getsockopt/setsockopt for the SOL_SOCKET options the library uses, addressed
// by our own option numbering (see OptionFromJs in options.cc and
// SOCKET_OPTION in host/native.ts). Each returns 0 or -errno.
#ifndef UNIXSOCK_OPTIONS_H_
#define UNIXSOCK_OPTIONS_H_

#include <napi.h>

namespace unixsock {

// getSocketOption(fd, option, out: Int32Array)
Napi::Value GetSocketOption(const Napi::CallbackInfo& info);
// setSocketOption(fd, option, a, b)
Napi::Value SetSocketOption(const Napi::CallbackInfo& info);

}  // namespace unixsock

#endif  // UNIXSOCK_OPTIONS_H_
