// Argument validation and the result convention shared by every function of the
// shim. A wrong JS type or an out-of-range index is a programmer error: the
// Read* helpers throw a TypeError and return false, and the caller returns an
// empty value. OS errors never throw; they come back as -errno.
#ifndef UNIXSOCK_ARGS_H_
#define UNIXSOCK_ARGS_H_

#include <napi.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace unixsock {

// Integral JS number within int32 range (descriptors, flags, enums).
bool ReadInt32(const Napi::CallbackInfo& info, size_t index, const char* name,
               int32_t* out);

// Integral JS number in [0, 2^53) (offsets, lengths).
bool ReadSize(const Napi::CallbackInfo& info, size_t index, const char* name,
              size_t* out);

// A boolean.
bool ReadBoolean(const Napi::CallbackInfo& info, size_t index,
                 const char* name, bool* out);

// A Uint8Array (Buffer included).
bool ReadBytes(const Napi::CallbackInfo& info, size_t index, const char* name,
               Napi::Uint8Array* out);

// An Int32Array with at least min_length elements.
bool ReadInt32Array(const Napi::CallbackInfo& info, size_t index,
                    const char* name, size_t min_length, Napi::Int32Array* out);

// A BigUint64Array with at least min_length elements.
bool ReadBigUint64Array(const Napi::CallbackInfo& info, size_t index,
                        const char* name, size_t min_length,
                        Napi::BigUint64Array* out);

// A function.
bool ReadFunction(const Napi::CallbackInfo& info, size_t index,
                  const char* name, Napi::Function* out);

// Copies a caller-encoded sockaddr (raw bytes, length = socklen) into aligned
// storage. The bytes are not interpreted; the kernel judges them. Returns 0 or
// -EINVAL when longer than any sockaddr.
int CopySockaddr(const Napi::Uint8Array& bytes, sockaddr_storage* storage,
                 socklen_t* length);

// True if `value` is a Uint8Array.
bool IsBytes(const Napi::Value& value);

// null/undefined (absent: *present false) or an Int32Array.
bool ReadOptionalInt32Array(const Napi::CallbackInfo& info, size_t index,
                            const char* name, bool* present,
                            Napi::Int32Array* out);

// null/undefined (absent: *present false) or a Uint8Array.
bool ReadOptionalBytes(const Napi::CallbackInfo& info, size_t index,
                       const char* name, bool* present, Napi::Uint8Array* out);

// The first `limit` elements of `array`, each a Uint8Array, all read before
// the caller takes any data pointer (element getters are arbitrary JS and
// must not run between taking pointers and the syscall). False with an
// exception pending when a getter threw or an element is not a Uint8Array
// (a TypeError with `message`).
bool ReadBufferArray(Napi::Env env, Napi::Array array, size_t limit,
                     const char* message, std::vector<Napi::Uint8Array>* out);

// Throws a TypeError with `message`; always returns false.
bool ThrowTypeError(Napi::Env env, const char* message);

// Syscall result as a JS number: the value itself when >= 0, -errno when -1.
// Must be called before anything else can clobber errno.
inline Napi::Value SyscallResult(Napi::Env env, double result) {
  return Napi::Number::New(env, result < 0 ? -static_cast<double>(errno)
                                           : result);
}

// A negative errno constant or any other number as a JS number.
inline Napi::Value NumberResult(Napi::Env env, double value) {
  return Napi::Number::New(env, value);
}

}  // namespace unixsock

#endif  // UNIXSOCK_ARGS_H_
