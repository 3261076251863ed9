// Poller (see poll.h).
#include "poll.h"

#include <cerrno>

#include "args.h"

namespace unixsock {


Napi::Function Poller::Define(Napi::Env env) {
  return DefineClass(env, "Poller",
                     {
                         InstanceMethod<&Poller::Start>("start"),
                         InstanceMethod<&Poller::Stop>("stop"),
                         InstanceMethod<&Poller::CloseHandle>("close"),
                         InstanceMethod<&Poller::RefHandle>("ref"),
                         InstanceMethod<&Poller::UnrefHandle>("unref"),
                     });
}

Poller::Poller(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<Poller>(info),
      context_(info.Env(), "UnixsockPoller") {
  closing_ = true;  // until fully initialized
  int32_t fd = 0;
  Napi::Function callback;
  if (!ReadInt32(info, 0, "fd", &fd) ||
      !ReadFunction(info, 1, "callback", &callback)) {
    return;
  }
  watch_ = Watch::Open(info.Env(), fd, this, &init_error_);
  if (watch_ == nullptr) return;
  callback_ = Napi::Persistent(callback);
  closing_ = false;
}

Poller::~Poller() {
  // The handle outlives this object; its callbacks must not reach it.
  if (watch_ != nullptr) watch_->Release();
}

Napi::Value Poller::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t events = 0;
  if (!ReadInt32(info, 0, "events", &events)) return Napi::Value();
  if (closing_ || watch_ == nullptr) {
    return NumberResult(env, init_error_ != 0 ? init_error_ : -EBADF);
  }
  if (events & ~kAllEvents) return NumberResult(env, -EINVAL);
  int r = watch_->Start(events);
  UpdatePin();
  return NumberResult(env, r);
}

Napi::Value Poller::Stop(const Napi::CallbackInfo& info) {
  if (!closing_ && watch_ != nullptr) {
    watch_->Stop();
    UpdatePin();
  }
  return NumberResult(info.Env(), 0);
}

Napi::Value Poller::CloseHandle(const Napi::CallbackInfo& info) {
  if (!closing_) {
    closing_ = true;
    callback_.Reset();
    if (watch_ != nullptr) watch_->Close();
    UpdatePin();
  }
  return info.Env().Undefined();
}

Napi::Value Poller::RefHandle(const Napi::CallbackInfo& info) {
  if (watch_ != nullptr) watch_->Ref();
  return info.Env().Undefined();
}

Napi::Value Poller::UnrefHandle(const Napi::CallbackInfo& info) {
  if (watch_ != nullptr) watch_->Unref();
  return info.Env().Undefined();
}

void Poller::OnReady(int status, int events) {
  if (closing_) return;
  napi_env env = Env();
  Napi::HandleScope scope(env);
  // Raw Node-API calls: node-addon-api's noexcept wrappers turn a failure into
  // napi_throw, which is fatal while a worker is terminating (JS cannot run).
  napi_value argv[2];
  if (napi_create_int32(env, status, &argv[0]) != napi_ok ||
      napi_create_int32(env, events, &argv[1]) != napi_ok) {
    return;
  }
  napi_value result;
  napi_status call = napi_make_callback(env, context_, Value(),
                                        callback_.Value(), 2, argv, &result);
  if (call != napi_ok) {
    // A JS exception from the callback becomes an uncaught exception, as for
    // any other event source. No pending exception means JS could not run
    // (environment shutting down): drop the event.
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
      napi_value error;
      if (napi_get_and_clear_last_exception(env, &error) == napi_ok) {
        napi_fatal_exception(env, error);
      }
    }
  }
  // The watch stops itself after an error; the callback may also have
  // stopped or closed it. Pinning follows the watch's state.
  UpdatePin();
}

void Poller::UpdatePin() {
  bool want = watch_ != nullptr && (closing_ || watch_->Active());
  if (want == pinned_) return;
  pinned_ = want;
  if (want) {
    Ref();
  } else {
    Unref();
  }
}

}  // namespace unixsock
