// Platform constants (see constants.h).
#include "constants.h"

#include <sys/un.h>

#include "platform.h"

namespace unixsock {

Napi::Object Constants(Napi::Env env) {
  Napi::Object constants = Napi::Object::New(env);
  constants.Set("platform", UNIXSOCK_PLATFORM);
  constants.Set("abstractNamespace", UNIXSOCK_HAVE_ABSTRACT != 0);
  constants.Set("seqpacket", UNIXSOCK_HAVE_SEQPACKET != 0);
  constants.Set("peerCredentials",
                (UNIXSOCK_HAVE_SO_PEERCRED || UNIXSOCK_HAVE_GETPEEREID) != 0);
  constants.Set("passCredentials", UNIXSOCK_HAVE_PASSCRED != 0);
  constants.Set("acceptFlags", UNIXSOCK_HAVE_ACCEPT4 != 0);
  constants.Set("sockaddrSize",
                static_cast<double>(sizeof(struct sockaddr_un)));
  constants.Set("maxDescriptorsPerMessage",
                static_cast<double>(UNIXSOCK_MAX_FDS_PER_MESSAGE));
  constants.Freeze();
  return constants;
}

}  // namespace unixsock
