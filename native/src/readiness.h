// Readiness: "tell me when this descriptor is readable or writable", the one
// thing the I/O engines (Poller in poll.h, StreamEngine in stream.h) need
// from the runtime's event loop, behind one interface with two backends.
//
//   libuv     on the environment's libuv loop (readiness_uv.cc): on Linux
//             one epoll set per environment on one uv_poll_t, a watch moving
//             to a uv_poll_t of its own once busy; elsewhere a uv_poll_t per
//             watch. Node: the loop every other handle runs on, so an event
//             costs no thread hop.
//   reactor   one epoll set and one thread per environment; events reach the
//             JS thread through one napi_threadsafe_function (reactor.cc).
//             For runtimes whose libuv emulation has no faithful uv_poll:
//             Bun (uv_poll_* are crash stubs) and Deno (a thread per
//             uv_poll_start that fires once and reports the requested mask,
//             not the real events). Needs only Node-API.
//
// The backend is chosen once per environment at load by the host
// (host/native/runtime.ts: the reactor on Bun and Deno, libuv on Node), through the
// addon's setReadiness(); watches opened afterwards use it. Both backends
// give the same contract, so the engines do not know which one runs them:
//
//   Start(events)  watch for kReadable | kWritable | kDisconnect (level-
//                  triggered: the owner hears again while the condition
//                  holds); replaces the previous mask; 0 | negative errno.
//   Stop()         stop watching; no event afterwards until Start.
//   Active()       started and not stopped (and not stopped by an error).
//   Ref()/Unref()  whether an active watch keeps the process alive (default:
//                  it does); an inactive or unref'd watch never does.
//   Close()        once; the owner hears no event afterwards, and
//                  OnWatchGone(false) later, on the JS thread, after which
//                  the watch is freed.
//   Release()      the owner is being destroyed: Close() and never call it.
//
// Events reach ReadinessOwner::OnReady(status, events) on the JS thread:
// status 0 with the ready bits, or a negative errno (-EBADF for POLLERR, as
// libuv reports it) with the watch already stopped. When the environment is
// torn down (process exit, worker termination) each open watch calls
// OnWatchGone(true) and is freed, so nothing calls into the addon after it is
// unloaded.
#ifndef UNIXSOCK_READINESS_H_
#define UNIXSOCK_READINESS_H_

#include <napi.h>

namespace unixsock {

// Event bits (identical to libuv's UV_READABLE, UV_WRITABLE, UV_DISCONNECT;
// host/native/native.ts POLL_EVENT).
constexpr int kReadable = 1;
constexpr int kWritable = 2;
constexpr int kDisconnect = 4;
constexpr int kAllEvents = kReadable | kWritable | kDisconnect;

class ReadinessOwner {
 public:
  // On the JS thread, outside any other callback of this watch.
  virtual void OnReady(int status, int events) = 0;
  // The watch is gone: `teardown` when the environment is being torn down
  // (JS cannot run; the owner must not touch references).
  virtual void OnWatchGone(bool teardown) = 0;

 protected:
  ~ReadinessOwner() = default;
};

class Watch {
 public:
  // A watch on fd for `owner` with the environment's backend; null with
  // *error (negative errno) when it cannot be opened.
  static Watch* Open(napi_env env, int fd, ReadinessOwner* owner, int* error);

  virtual int Start(int events) = 0;
  virtual void Stop() = 0;
  virtual bool Active() const = 0;
  virtual void Ref() = 0;
  virtual void Unref() = 0;
  virtual void Close() = 0;
  virtual void Release() = 0;

 protected:
  virtual ~Watch() = default;
};

// The owners' side of OnWatchGone (Poller, StreamEngine; each declares it a
// friend): forget the watch and re-pin from the owner's state; at teardown
// only mark the owner closing (the environment releases every reference).
template <typename Owner>
void ForgetWatch(Owner* owner, bool teardown) {
  owner->watch_ = nullptr;
  if (teardown) {
    owner->closing_ = true;
    return;
  }
  Napi::HandleScope scope(owner->Env());
  owner->UpdatePin();
}

// The backends' own constructors (readiness_uv.cc, reactor.cc).
Watch* OpenUvWatch(napi_env env, int fd, ReadinessOwner* owner, int* error);
// Null (with *error) when env has no reactor: the libuv backend is used.
Watch* OpenReactorWatch(napi_env env, int fd, ReadinessOwner* owner,
                        int* error, bool* has_reactor);

// setReadiness("libuv" | "reactor"): the backend of watches opened from now
// on in this environment; 0 | negative errno (the reactor's epoll, eventfd or
// thread could not be created). readiness(): the backend in use.
Napi::Value SetReadiness(const Napi::CallbackInfo& info);
Napi::Value ReadinessBackend(const Napi::CallbackInfo& info);
// The reactor's counters and state for diagnosis (null on libuv): calls
// queued, drains run, pending events, signaled, holds, refed, watches.
Napi::Value ReadinessStats(const Napi::CallbackInfo& info);

}  // namespace unixsock

#endif  // UNIXSOCK_READINESS_H_
