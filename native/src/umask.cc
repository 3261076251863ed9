// File-creation mask (see umask.h).
#include "umask.h"

#include <sys/stat.h>
#include <sys/types.h>

#include "args.h"

namespace unixsock {

Napi::Value SetUmask(const Napi::CallbackInfo& info) {
  int32_t mask = 0;
  if (!ReadInt32(info, 0, "mask", &mask)) return Napi::Value();
  mode_t previous = umask(static_cast<mode_t>(mask) & 0777);
  return NumberResult(info.Env(), static_cast<double>(previous));
}

}  // namespace unixsock
