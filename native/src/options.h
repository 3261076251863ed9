// getsockopt/setsockopt for the SOL_SOCKET options the library uses, addressed
// by our own option numbering (see OptionFromJs in options.cc and
// SOCKET_OPTION in host/native.ts). Each returns 0 or -errno.
#ifndef UNIXSOCK_OPTIONS_H_
#define UNIXSOCK_OPTIONS_H_

#include <napi.h>

namespace unixsock {

// Our option numbering: SOCKET_OPTION in host/native.ts, exported by the
// addon and checked by test/native/numberings.test.ts.
enum Option : int32_t {
  kSendBuffer = 0,       // SO_SNDBUF
  kReceiveBuffer = 1,    // SO_RCVBUF
  kType = 2,             // SO_TYPE, reported as our 1/2/3 numbering
  kError = 3,            // SO_ERROR, reported as -errno (0 = none)
  kAcceptConn = 4,       // SO_ACCEPTCONN
  kPassCred = 5,         // SO_PASSCRED
  kLinger = 6,           // SO_LINGER: [onoff, seconds]
  kReceiveTimeout = 7,   // SO_RCVTIMEO in milliseconds
  kSendTimeout = 8,      // SO_SNDTIMEO in milliseconds
  // The peer's identity beyond SO_PEERCRED (Linux; -ENOPROTOOPT elsewhere and
  // on kernels without them). kPeerGroups and kPeerSecurity are byte-valued:
  // getSocketOption takes a Uint8Array and returns the value's length.
  kPeerGroups = 9,       // SO_PEERGROUPS: gid_t[] (Linux >= 4.13)
  kPeerSecurity = 10,    // SO_PEERSEC: the label; length 0 when none
  kPeerPidfd = 11,       // SO_PEERPIDFD: a new pidfd, CLOEXEC (Linux >= 6.5)
};


// getSocketOption(fd, option, out: Int32Array) -> 0 | -errno;
// getSocketOption(fd, kPeerGroups | kPeerSecurity, out: Uint8Array) -> the
// value's byte length (more than out holds: nothing copied, ask again with
// that much room) | -errno.
Napi::Value GetSocketOption(const Napi::CallbackInfo& info);
// setSocketOption(fd, option, a, b)
Napi::Value SetSocketOption(const Napi::CallbackInfo& info);

}  // namespace unixsock

#endif  // UNIXSOCK_OPTIONS_H_
