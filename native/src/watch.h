// PollWatch<Owner>: the uv_poll_t behind a Poller or a StreamEngine, and the
// lifetime rules both share.
//
// The handle lives in this separate object, freed by uv_close's callback, so
// it may outlive its owner: the owner's destructor detaches (owner = null) and
// closes it. An async cleanup hook closes the handle when the environment
// shuts down (process exit, worker termination) and holds the teardown until
// uv_close's callback ran, so libuv never calls into the addon after it is
// unloaded (regression-tested in test/native/poller.test.ts).
//
// Owner provides (and declares PollWatch<Owner> a friend): `Watch* watch_`
// (cleared here once closed), `bool closing_` (set here at teardown),
// `void UpdatePin()` and `Env()`.
#ifndef UNIXSOCK_WATCH_H_
#define UNIXSOCK_WATCH_H_

#include <napi.h>
#include <uv.h>

namespace unixsock {

template <typename Owner>
struct PollWatch {
  uv_poll_t poll;  // poll.data points back to this watch
  Owner* owner = nullptr;  // null once the owner is destroyed
  napi_async_cleanup_hook_handle teardown = nullptr;
  bool closing = false;       // uv_close called
  bool tearing_down = false;  // closed by the environment's cleanup hook

  uv_handle_t* Handle() { return reinterpret_cast<uv_handle_t*>(&poll); }

  // uv_poll_init(fd) on env's loop, with the cleanup hook registered. Returns
  // null and sets *error (a libuv error) when it fails.
  static PollWatch* Open(napi_env env, int fd, Owner* owner, int* error) {
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      *error = UV_EINVAL;
      return nullptr;
    }
    PollWatch* watch = new PollWatch();
    int r = uv_poll_init(loop, &watch->poll, fd);
    if (r != 0) {
      delete watch;  // not registered with the loop: no uv_close
      *error = r;
      return nullptr;
    }
    watch->poll.data = watch;
    watch->owner = owner;
    // Without the hook, teardown relies on the finalizer's uv_close, whose
    // callback may then run after the addon is unloaded.
    napi_add_async_cleanup_hook(env, OnTeardown, watch, &watch->teardown);
    return watch;
  }

  // uv_close once; OnClosed frees the watch.
  void Close() {
    if (closing) return;
    closing = true;
    uv_close(Handle(), OnClosed);
  }

  // The owner is being destroyed: its callbacks must not reach it any more.
  void Release() {
    owner = nullptr;
    Close();
  }

  static void OnClosed(uv_handle_t* handle) {
    PollWatch* watch = static_cast<PollWatch*>(handle->data);
    Owner* self = watch->owner;
    bool tearing_down = watch->tearing_down;
    napi_async_cleanup_hook_handle hook = watch->teardown;
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
    if (hook != nullptr) napi_remove_async_cleanup_hook(hook);
  }

  static void OnTeardown(napi_async_cleanup_hook_handle, void* arg) {
    PollWatch* watch = static_cast<PollWatch*>(arg);
    watch->tearing_down = true;
    if (watch->owner != nullptr) watch->owner->closing_ = true;
    watch->Close();
  }
};

}  // namespace unixsock

#endif  // UNIXSOCK_WATCH_H_
