// The libuv backend of readiness.h: one uv_poll_t per watch.
//
// The handle lives in the UvWatch, freed by uv_close's callback, so it may
// outlive its owner: Release() detaches the owner and closes it. An async
// cleanup hook closes the handle when the environment shuts down (process
// exit, worker termination) and holds the teardown until uv_close's callback
// ran, so libuv never calls into the addon after it is unloaded
// (regression-tested in test/native/poller.test.ts).
#include <uv.h>

#include "readiness.h"

namespace unixsock {

namespace {

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

class UvWatch final : public Watch {
 public:
  static UvWatch* Open(napi_env env, int fd, ReadinessOwner* owner,
                       int* error) {
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      *error = UV_EINVAL;
      return nullptr;
    }
    UvWatch* watch = new UvWatch();
    int r = uv_poll_init(loop, &watch->poll_, fd);
    if (r != 0) {
      delete watch;  // not registered with the loop: no uv_close
      *error = r;
      return nullptr;
    }
    watch->poll_.data = watch;
    watch->owner_ = owner;
    // Without the hook, teardown relies on the finalizer's uv_close, whose
    // callback may then run after the addon is unloaded.
    napi_add_async_cleanup_hook(env, OnTeardown, watch, &watch->teardown_);
    return watch;
  }

  int Start(int events) override {
    if (closing_) return UV_EBADF;
    int r = uv_poll_start(&poll_, EventsToUv(events), OnPoll);
    if (r != 0) uv_poll_stop(&poll_);
    return r;
  }

  void Stop() override {
    if (!closing_) uv_poll_stop(&poll_);
  }

  bool Active() const override {
    return !closing_ && uv_is_active(Handle()) != 0;
  }

  void Ref() override { uv_ref(Handle()); }
  void Unref() override { uv_unref(Handle()); }

  void Close() override {
    if (closing_) return;
    closing_ = true;
    uv_close(Handle(), OnClosed);
  }

  void Release() override {
    owner_ = nullptr;
    Close();
  }

 private:
  uv_handle_t* Handle() const {
    return reinterpret_cast<uv_handle_t*>(const_cast<uv_poll_t*>(&poll_));
  }

  static void OnPoll(uv_poll_t* handle, int status, int events) {
    UvWatch* watch = static_cast<UvWatch*>(handle->data);
    if (watch->closing_ || watch->owner_ == nullptr) return;
    watch->owner_->OnReady(status, EventsFromUv(events));
  }

  static void OnClosed(uv_handle_t* handle) {
    UvWatch* watch = static_cast<UvWatch*>(handle->data);
    ReadinessOwner* owner = watch->owner_;
    bool tearing_down = watch->tearing_down_;
    napi_async_cleanup_hook_handle hook = watch->teardown_;
    delete watch;
    if (owner != nullptr) owner->OnWatchGone(tearing_down);
    // Unregisters the hook, or tells a running teardown that the handle is gone.
    if (hook != nullptr) napi_remove_async_cleanup_hook(hook);
  }

  static void OnTeardown(napi_async_cleanup_hook_handle, void* arg) {
    UvWatch* watch = static_cast<UvWatch*>(arg);
    watch->tearing_down_ = true;
    watch->Close();
  }

  uv_poll_t poll_;  // poll_.data points back to this watch
  ReadinessOwner* owner_ = nullptr;  // null once the owner is destroyed
  napi_async_cleanup_hook_handle teardown_ = nullptr;
  bool closing_ = false;       // uv_close called
  bool tearing_down_ = false;  // closed by the environment's cleanup hook
};

}  // namespace

Watch* OpenUvWatch(napi_env env, int fd, ReadinessOwner* owner, int* error) {
  return UvWatch::Open(env, fd, owner, error);
}

Watch* Watch::Open(napi_env env, int fd, ReadinessOwner* owner, int* error) {
  bool has_reactor = false;
  Watch* watch = OpenReactorWatch(env, fd, owner, error, &has_reactor);
  if (has_reactor) return watch;
  return OpenUvWatch(env, fd, owner, error);
}

}  // namespace unixsock
