// Poller: a libuv uv_poll_t readiness watcher on the main loop.
//
//   new Poller(fd, callback)  uv_poll_init; never throws for OS errors (a
//                             failed init is reported by start()).
//   start(events)             uv_poll_start; events 1 readable | 2 writable |
//                             4 disconnect; 0 | negative libuv error.
//   stop()                    uv_poll_stop; 0.
//   close()                   uv_close; idempotent; no callback afterwards.
//   ref() / unref()           uv_ref / uv_unref.
//
// Lifetime: the uv_poll_t lives in a separate Watch, freed by uv_close's
// callback, so it may outlive the JS object. While the watcher is active, and
// from close() until uv_close's callback ran, the JS object is pinned (strong
// reference) so the C++ object stays alive. An idle Poller that is garbage
// collected closes its handle from the destructor. When the environment shuts
// down (process exit, worker termination) an async cleanup hook closes the
// handle and holds the teardown until uv_close's callback ran, so libuv never
// calls into this addon after it is unloaded.
#ifndef UNIXSOCK_POLL_H_
#define UNIXSOCK_POLL_H_

#include <napi.h>
#include <uv.h>

#include "watch.h"

namespace unixsock {

class Poller : public Napi::ObjectWrap<Poller> {
 public:
  static Napi::Function Define(Napi::Env env);

  explicit Poller(const Napi::CallbackInfo& info);
  ~Poller() override;

  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // The libuv handle and its lifetime (watch.h).
  using Watch = PollWatch<Poller>;
  friend Watch;

 private:
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value CloseHandle(const Napi::CallbackInfo& info);
  Napi::Value RefHandle(const Napi::CallbackInfo& info);
  Napi::Value UnrefHandle(const Napi::CallbackInfo& info);

  static void OnPoll(uv_poll_t* handle, int status, int events);

  void Deliver(int status, int events);
  // Pins the JS object while the handle is active or closing; unpins otherwise.
  void UpdatePin();

  Watch* watch_ = nullptr;  // null if init failed or once uv_close's callback ran
  int init_error_ = 0;      // uv_poll_init failure, reported by start()
  bool closing_ = false;    // close() called, init failed, or env teardown
  bool pinned_ = false;
  Napi::FunctionReference callback_;
  Napi::AsyncContext context_;
};

}  // namespace unixsock

#endif  // UNIXSOCK_POLL_H_
