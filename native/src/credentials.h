// Peer credentials of a connected AF_UNIX socket: SO_PEERCRED on Linux,
// getpeereid(3) on macOS/BSD (pid unknown there, reported as -1).
#ifndef UNIXSOCK_CREDENTIALS_H_
#define UNIXSOCK_CREDENTIALS_H_

#include <napi.h>

namespace unixsock {

// peerCredentials(fd, out: Int32Array) -> 0 | -errno; out = [pid, uid, gid].
Napi::Value PeerCredentials(const Napi::CallbackInfo& info);

}  // namespace unixsock

#endif  // UNIXSOCK_CREDENTIALS_H_
