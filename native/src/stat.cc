// File identity and removal (see stat.h).
#include "stat.h"

#include <limits.h>
#include <sys/stat.h>
#include <cstdlib>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "args.h"
#include "retry.h"

namespace unixsock {

namespace {

#if defined(PATH_MAX)
constexpr size_t kPathMax = PATH_MAX;
#else
constexpr size_t kPathMax = 4096;
#endif

// NUL-terminated copy of a raw path. Copy() returns 0, -ENAMETOOLONG when the
// bytes plus the terminator exceed PATH_MAX, or -EINVAL for an embedded NUL.
class PathBuffer {
 public:
  int Copy(const Napi::Uint8Array& bytes) {
    size_t size = bytes.ByteLength();
    if (size >= kPathMax) return -ENAMETOOLONG;
    if (size > 0) {
      if (std::memchr(bytes.Data(), 0, size) != nullptr) return -EINVAL;
      std::memcpy(path_, bytes.Data(), size);
    }
    path_[size] = '\0';
    return 0;
  }
  const char* c_str() const { return path_; }

 private:
  char path_[kPathMax];
};

// Our file type numbering (stat.h).
uint64_t FileType(mode_t mode) {
  if (S_ISSOCK(mode)) return kFileSocket;
  if (S_ISREG(mode)) return kFileRegular;
  if (S_ISDIR(mode)) return kFileDirectory;
  if (S_ISLNK(mode)) return kFileSymlink;
  if (S_ISFIFO(mode)) return kFileFifo;
  if (S_ISCHR(mode)) return kFileCharacterDevice;
  if (S_ISBLK(mode)) return kFileBlockDevice;
  return kFileOther;
}

void WriteIdentity(const struct stat& st, Napi::BigUint64Array* out) {
  (*out)[0] = static_cast<uint64_t>(st.st_dev);
  (*out)[1] = static_cast<uint64_t>(st.st_ino);
  (*out)[2] = FileType(st.st_mode);
}

}  // namespace

Napi::Value FileIdentity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd = 0;
  Napi::BigUint64Array out;
  if (!ReadInt32(info, 0, "fd", &fd) ||
      !ReadBigUint64Array(info, 1, "out", 3, &out)) {
    return Napi::Value();
  }
  struct stat st;
  int r = RetryOnEintr([&] { return fstat(fd, &st); });
  if (r == -1) return SyscallResult(env, -1);
  WriteIdentity(st, &out);
  return NumberResult(env, 0);
}

Napi::Value PathIdentity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array bytes;
  Napi::BigUint64Array out;
  if (!ReadBytes(info, 0, "path", &bytes) ||
      !ReadBigUint64Array(info, 1, "out", 3, &out)) {
    return Napi::Value();
  }
  PathBuffer path;
  int r = path.Copy(bytes);
  if (r < 0) return NumberResult(env, r);
  struct stat st;
  r = RetryOnEintr([&] { return lstat(path.c_str(), &st); });
  if (r == -1) return SyscallResult(env, -1);
  WriteIdentity(st, &out);
  return NumberResult(env, 0);
}

Napi::Value RealPath(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array bytes;
  Napi::Uint8Array out;
  if (!ReadBytes(info, 0, "path", &bytes) || !ReadBytes(info, 1, "out", &out)) {
    return Napi::Value();
  }
  PathBuffer path;
  int r = path.Copy(bytes);
  if (r < 0) return NumberResult(env, r);
  char resolved[kPathMax];
  if (realpath(path.c_str(), resolved) == nullptr) return SyscallResult(env, -1);
  size_t length = std::strlen(resolved);
  if (length > out.ByteLength()) return NumberResult(env, -ENAMETOOLONG);
  std::memcpy(out.Data(), resolved, length);
  return NumberResult(env, static_cast<double>(length));
}

Napi::Value Unlink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array bytes;
  if (!ReadBytes(info, 0, "path", &bytes)) return Napi::Value();
  PathBuffer path;
  int r = path.Copy(bytes);
  if (r < 0) return NumberResult(env, r);
  r = RetryOnEintr([&] { return unlink(path.c_str()); });
  return SyscallResult(env, r);
}

}  // namespace unixsock
