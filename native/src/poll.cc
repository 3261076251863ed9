// Poller (see poll.h).
#include "poll.h"

#include <cerrno>

#include "args.h"

namespace unixsock {

namespace {

// Our event bits; identical to libuv's today, mapped explicitly anyway.
constexpr int kReadable = 1;
constexpr int kWritable = 2;
constexpr int kDisconnect = 4;

int EventsToUv(int events) {
  int uv_events = 0;
  if (events & kReadable) uv_events |= UV_READABLE;
  if (events & kWritable) uv_events |= UV_WRITABLE;
  if (events & kDisconnect) uv_events |= UV_DISCONNECT;
  return uv_events;
}

int EventsFromUv(int uv_events) {
  int events = 0;
  if (uv_events & UV_READABLE) events |= kReadable;
  if (uv_events & UV_WRITABLE) events |= kWritable;
  if (uv_events & UV_DISCONNECT) events |= kDisconnect;
  return events;
}

}  // namespace

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
      context_(info.Env(), "UnixsockPoller", info.This().As<Napi::Object>()) {
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
    return NumberResult(env, init_error_ != 0 ? init_error_ : UV_EBADF);
  }
  if (events & ~(kReadable | kWritable | kDisconnect)) {
    return NumberResult(env, UV_EINVAL);
  }
  int r = uv_poll_start(&watch_->poll, EventsToUv(events), OnPoll);
  UpdatePin();
  return NumberResult(env, r);
}

Napi::Value Poller::Stop(const Napi::CallbackInfo& info) {
  if (!closing_ && watch_ != nullptr) {
    uv_poll_stop(&watch_->poll);
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
  if (watch_ != nullptr) uv_ref(watch_->Handle());
  return info.Env().Undefined();
}

Napi::Value Poller::UnrefHandle(const Napi::CallbackInfo& info) {
  if (watch_ != nullptr) uv_unref(watch_->Handle());
  return info.Env().Undefined();
}

void Poller::OnPoll(uv_poll_t* handle, int status, int events) {
  Watch* watch = static_cast<Watch*>(handle->data);
  Poller* self = watch->owner;
  if (watch->closing || self == nullptr || self->closing_) return;
  self->Deliver(status, EventsFromUv(events));
}

void Poller::Deliver(int status, int events) {
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
  // libuv stops the watcher itself after an error; the callback may also have
  // stopped or closed it. Pinning follows the handle's state.
  UpdatePin();
}

void Poller::UpdatePin() {
  bool want = watch_ != nullptr &&
              (closing_ || uv_is_active(watch_->Handle()) != 0);
  if (want == pinned_) return;
  pinned_ = want;
  if (want) {
    Ref();
  } else {
    Unref();
  }
}

}  // namespace unixsock
