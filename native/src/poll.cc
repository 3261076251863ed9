// Poller (see poll.h).
#include "poll.h"

#include <cerrno>

#include "args.h"

namespace unixsock {

struct Poller::Watch {
  uv_poll_t poll;  // poll.data points back to this Watch
  Poller* owner = nullptr;  // null once the Poller is destroyed
  napi_async_cleanup_hook_handle teardown = nullptr;
  bool closing = false;       // uv_close called
  bool tearing_down = false;  // closed by the environment's cleanup hook
};

namespace {

using Watch = Poller::Watch;

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

uv_handle_t* AsHandle(Watch* watch) {
  return reinterpret_cast<uv_handle_t*>(&watch->poll);
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
  napi_env env = info.Env();
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    init_error_ = UV_EINVAL;
    return;
  }
  Watch* watch = new Watch();
  int r = uv_poll_init(loop, &watch->poll, fd);
  if (r != 0) {
    delete watch;  // not registered with the loop: no uv_close
    init_error_ = r;
    return;
  }
  watch->poll.data = watch;
  watch->owner = this;
  // Without the hook, teardown relies on the finalizer's uv_close, whose
  // callback may then run after the addon is unloaded.
  napi_add_async_cleanup_hook(env, OnTeardown, watch, &watch->teardown);
  watch_ = watch;
  callback_ = Napi::Persistent(callback);
  closing_ = false;
}

Poller::~Poller() {
  if (watch_ == nullptr) return;
  // The handle outlives this object; its callbacks must not reach it.
  watch_->owner = nullptr;
  if (!watch_->closing) {
    watch_->closing = true;
    uv_close(AsHandle(watch_), OnClosed);
  }
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
    if (watch_ != nullptr && !watch_->closing) {
      watch_->closing = true;
      uv_close(AsHandle(watch_), OnClosed);
    }
    UpdatePin();
  }
  return info.Env().Undefined();
}

Napi::Value Poller::RefHandle(const Napi::CallbackInfo& info) {
  if (watch_ != nullptr) uv_ref(AsHandle(watch_));
  return info.Env().Undefined();
}

Napi::Value Poller::UnrefHandle(const Napi::CallbackInfo& info) {
  if (watch_ != nullptr) uv_unref(AsHandle(watch_));
  return info.Env().Undefined();
}

void Poller::OnPoll(uv_poll_t* handle, int status, int events) {
  Watch* watch = static_cast<Watch*>(handle->data);
  Poller* self = watch->owner;
  if (watch->closing || self == nullptr || self->closing_) return;
  self->Deliver(status, EventsFromUv(events));
}

void Poller::OnClosed(uv_handle_t* handle) {
  Watch* watch = static_cast<Watch*>(handle->data);
  Poller* self = watch->owner;
  bool tearing_down = watch->tearing_down;
  napi_async_cleanup_hook_handle teardown = watch->teardown;
  delete watch;
  if (self != nullptr) {
    self->watch_ = nullptr;
    // During teardown the environment releases every reference itself.
    if (!tearing_down) {
      Napi::HandleScope scope(self->Env());
      self->UpdatePin();
    }
  }
  // Unregisters the hook, or tells a running teardown that the handle is gone.
  if (teardown != nullptr) napi_remove_async_cleanup_hook(teardown);
}

void Poller::OnTeardown(napi_async_cleanup_hook_handle, void* arg) {
  Watch* watch = static_cast<Watch*>(arg);
  watch->tearing_down = true;
  if (watch->owner != nullptr) watch->owner->closing_ = true;
  if (!watch->closing) {
    watch->closing = true;
    uv_close(AsHandle(watch), OnClosed);
  }
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
              (closing_ || uv_is_active(AsHandle(watch_)) != 0);
  if (want == pinned_) return;
  pinned_ = want;
  if (want) {
    Ref();
  } else {
    Unref();
  }
}

}  // namespace unixsock
