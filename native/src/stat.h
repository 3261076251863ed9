// File identity, resolution and removal for socket paths: fstat, lstat,
// realpath, unlink. Paths are
// raw bytes without a trailing NUL. Each returns 0 or -errno.
#ifndef UNIXSOCK_STAT_H_
#define UNIXSOCK_STAT_H_

#include <napi.h>

namespace unixsock {

// Our file type numbering (slot 2 of an identity): FILE_TYPE in
// host/native/native.ts and WIT `syscalls.file-kind` order, exported by the addon
// and checked by test/native/numberings.test.ts.
enum FileKind : uint64_t {
  kFileOther = 0,
  kFileSocket = 1,
  kFileRegular = 2,
  kFileDirectory = 3,
  kFileSymlink = 4,
  kFileFifo = 5,
  kFileCharacterDevice = 6,
  kFileBlockDevice = 7,
};

// fileIdentity(fd, out: BigUint64Array) -> fstat(2); out = [dev, ino, type].
Napi::Value FileIdentity(const Napi::CallbackInfo& info);
// pathIdentity(path: Uint8Array, out: BigUint64Array) -> lstat(2).
Napi::Value PathIdentity(const Napi::CallbackInfo& info);
// realPath(path: Uint8Array, out: Uint8Array) -> realpath(3): the length
// written to out | -errno (-ENAMETOOLONG when out is too small).
Napi::Value RealPath(const Napi::CallbackInfo& info);
// unlink(path: Uint8Array) -> unlink(2).
Napi::Value Unlink(const Napi::CallbackInfo& info);

}  // namespace unixsock

#endif  // UNIXSOCK_STAT_H_
