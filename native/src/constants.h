// Compile-time facts about the target platform, exported as `constants`.
#ifndef UNIXSOCK_CONSTANTS_H_
#define UNIXSOCK_CONSTANTS_H_

#include <napi.h>

namespace unixsock {

// { platform, abstractNamespace, seqpacket, peerCredentials, passCredentials,
//   acceptFlags, sockaddrSize, maxDescriptorsPerMessage }
Napi::Object Constants(Napi::Env env);

}  // namespace unixsock

#endif  // UNIXSOCK_CONSTANTS_H_
