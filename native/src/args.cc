// Argument validation helpers (see args.h).
#include "args.h"

#include <algorithm>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>

namespace unixsock {

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1

bool ReadIntegral(const Napi::CallbackInfo& info, size_t index,
                  const char* name, double min, double max, double* out) {
  Napi::Value value = info[index];
  if (value.IsNumber()) {
    double number = value.As<Napi::Number>().DoubleValue();
    if (std::isfinite(number) && std::trunc(number) == number &&
        number >= min && number <= max) {
      *out = number;
      return true;
    }
  }
  std::string message(name);
  message += " must be an integer between ";
  message += std::to_string(static_cast<int64_t>(min));
  message += " and ";
  message += std::to_string(static_cast<int64_t>(max));
  return ThrowTypeError(info.Env(), message.c_str());
}

bool IsTypedArrayOf(const Napi::Value& value, napi_typedarray_type type) {
  return value.IsTypedArray() &&
         value.As<Napi::TypedArray>().TypedArrayType() == type;
}

bool ThrowExpected(Napi::Env env, const char* name, const char* what) {
  std::string message(name);
  message += " must be ";
  message += what;
  return ThrowTypeError(env, message.c_str());
}

}  // namespace

bool ThrowTypeError(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return false;
}

int CopySockaddr(const Napi::Uint8Array& bytes, sockaddr_storage* storage,
                 socklen_t* length) {
  size_t size = bytes.ByteLength();
  if (size > sizeof(sockaddr_storage)) return -EINVAL;
  std::memset(storage, 0, sizeof(*storage));
  if (size > 0) std::memcpy(storage, bytes.Data(), size);
  *length = static_cast<socklen_t>(size);
  return 0;
}

bool IsBytes(const Napi::Value& value) {
  return IsTypedArrayOf(value, napi_uint8_array);
}

bool ReadBufferArray(Napi::Env env, Napi::Array array, size_t limit,
                     const char* message, std::vector<Napi::Uint8Array>* out) {
  size_t count = std::min<size_t>(array.Length(), limit);
  out->reserve(out->size() + count);
  for (size_t i = 0; i < count; i++) {
    Napi::Value element = array.Get(static_cast<uint32_t>(i));
    if (env.IsExceptionPending()) return false;
    if (!IsBytes(element)) return ThrowTypeError(env, message);
    out->push_back(element.As<Napi::Uint8Array>());
  }
  return true;
}

bool ReadInt32(const Napi::CallbackInfo& info, size_t index, const char* name,
               int32_t* out) {
  double number = 0;
  if (!ReadIntegral(info, index, name, INT32_MIN, INT32_MAX, &number)) {
    return false;
  }
  *out = static_cast<int32_t>(number);
  return true;
}

bool ReadSize(const Napi::CallbackInfo& info, size_t index, const char* name,
              size_t* out) {
  double number = 0;
  if (!ReadIntegral(info, index, name, 0, kMaxSafeInteger, &number)) {
    return false;
  }
  *out = static_cast<size_t>(number);
  return true;
}

bool ReadBoolean(const Napi::CallbackInfo& info, size_t index,
                 const char* name, bool* out) {
  Napi::Value value = info[index];
  if (!value.IsBoolean()) return ThrowExpected(info.Env(), name, "a boolean");
  *out = value.As<Napi::Boolean>().Value();
  return true;
}

bool ReadBytes(const Napi::CallbackInfo& info, size_t index, const char* name,
               Napi::Uint8Array* out) {
  Napi::Value value = info[index];
  if (!IsBytes(value)) return ThrowExpected(info.Env(), name, "a Uint8Array");
  *out = value.As<Napi::Uint8Array>();
  return true;
}

// null/undefined (absent) or an Int32Array.
bool ReadOptionalInt32Array(const Napi::CallbackInfo& info, size_t index,
                            const char* name, bool* present,
                            Napi::Int32Array* out) {
  Napi::Value value = info[index];
  *present = !(value.IsNull() || value.IsUndefined());
  return !*present || ReadInt32Array(info, index, name, 0, out);
}

// null/undefined (absent) or a Uint8Array.
bool ReadOptionalBytes(const Napi::CallbackInfo& info, size_t index,
                       const char* name, bool* present,
                       Napi::Uint8Array* out) {
  Napi::Value value = info[index];
  *present = !(value.IsNull() || value.IsUndefined());
  return !*present || ReadBytes(info, index, name, out);
}

bool ReadInt32Array(const Napi::CallbackInfo& info, size_t index,
                    const char* name, size_t min_length,
                    Napi::Int32Array* out) {
  Napi::Value value = info[index];
  if (!IsTypedArrayOf(value, napi_int32_array) ||
      value.As<Napi::Int32Array>().ElementLength() < min_length) {
    std::string what = "an Int32Array of length >= " + std::to_string(min_length);
    return ThrowExpected(info.Env(), name, what.c_str());
  }
  *out = value.As<Napi::Int32Array>();
  return true;
}

bool ReadBigUint64Array(const Napi::CallbackInfo& info, size_t index,
                        const char* name, size_t min_length,
                        Napi::BigUint64Array* out) {
  Napi::Value value = info[index];
  if (!IsTypedArrayOf(value, napi_biguint64_array) ||
      value.As<Napi::BigUint64Array>().ElementLength() < min_length) {
    std::string what =
        "a BigUint64Array of length >= " + std::to_string(min_length);
    return ThrowExpected(info.Env(), name, what.c_str());
  }
  *out = value.As<Napi::BigUint64Array>();
  return true;
}

bool ReadFunction(const Napi::CallbackInfo& info, size_t index,
                  const char* name, Napi::Function* out) {
  Napi::Value value = info[index];
  if (!value.IsFunction()) return ThrowExpected(info.Env(), name, "a function");
  *out = value.As<Napi::Function>();
  return true;
}

}  // namespace unixsock
