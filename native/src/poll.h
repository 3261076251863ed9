// Poller: a readiness watcher for JS (readiness.h: libuv on Node, the
// reactor on Bun and Deno).
//
//   new Poller(fd, callback)  opens the watch; never throws for OS errors (a
//                             failed open is reported by start()).
//   start(events)             events 1 readable | 2 writable | 4 disconnect;
//                             0 | negative errno.
//   stop()                    0.
//   close()                   idempotent; no callback afterwards.
//   ref() / unref()           whether an active watch keeps the process alive.
//
// Lifetime: the watch is a separate object, freed after close (readiness.h),
// so it may outlive the JS object. While the watcher is active, and from
// close() until the watch is gone, the JS object is pinned (strong reference)
// so the C++ object stays alive. An idle Poller that is garbage collected
// closes its watch from the destructor. Environment teardown closes the watch
// (readiness.h), so nothing calls into this addon after it is unloaded.
#ifndef UNIXSOCK_POLL_H_
#define UNIXSOCK_POLL_H_

#include <napi.h>
#include "readiness.h"

namespace unixsock {

class Poller : public Napi::ObjectWrap<Poller>, public ReadinessOwner {
 public:
  static Napi::Function Define(Napi::Env env);

  explicit Poller(const Napi::CallbackInfo& info);
  ~Poller() override;

  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  void OnReady(int status, int events) override;
  void OnWatchGone(bool teardown) override { ForgetWatch(this, teardown); }
  template <typename Owner>
  friend void ForgetWatch(Owner* owner, bool teardown);

 private:
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value CloseHandle(const Napi::CallbackInfo& info);
  Napi::Value RefHandle(const Napi::CallbackInfo& info);
  Napi::Value UnrefHandle(const Napi::CallbackInfo& info);

  // Pins the JS object while the handle is active or closing; unpins otherwise.
  void UpdatePin();

  Watch* watch_ = nullptr;  // null if open failed or once the watch is gone
  int init_error_ = 0;      // open failure, reported by start()
  bool closing_ = false;    // close() called, init failed, or env teardown
  bool pinned_ = false;
  Napi::FunctionReference callback_;
  Napi::AsyncContext context_;
};

}  // namespace unixsock

#endif  // UNIXSOCK_POLL_H_
