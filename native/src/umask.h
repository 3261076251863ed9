// File-creation mask (umask(2)); bind(2) creates socket files through it.
#ifndef UNIXSOCK_UMASK_H_
#define UNIXSOCK_UMASK_H_

#include <napi.h>

namespace unixsock {

// setUmask(mask) -> previous mask. umask(2) cannot fail.
Napi::Value SetUmask(const Napi::CallbackInfo& info);

}  // namespace unixsock

#endif  // UNIXSOCK_UMASK_H_
