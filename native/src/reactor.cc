// The reactor backend of readiness.h: one epoll set and one thread per
// environment, events delivered on the JS thread through one
// napi_threadsafe_function. Needs nothing of libuv, so it runs on Bun and
// Deno (see readiness.h for why their uv_poll cannot be used).
//
// Thread side: epoll_wait on the set, append what fired to `pending_` under
// the mutex, and signal the threadsafe function once per batch (not again
// until the JS side took the batch). No busy polling: the thread sleeps in
// epoll_wait until an fd fires or the eventfd wakes it for shutdown.
//
// JS side (Drain, the threadsafe function's call_js): take the batch, and for
// each event whose watch still exists (looked up by id: the thread never
// touches a watch) call the owner, then re-arm the watch if it still wants
// events. Then a few non-blocking epoll_waits on the JS thread itself take
// what became ready meanwhile, saving the trip through the thread while a
// stream is busy (they stop at the first empty answer). Watches are registered EPOLLONESHOT: an fd that fired is not
// reported again until its event was delivered and the owner had its chance
// to drain it, so level-triggered semantics hold without the thread spinning
// on a readable fd the JS thread has not read yet. A re-arm is one
// epoll_ctl(MOD); Stop() on a watch that already fired costs nothing.
//
// Keeping the process alive: the threadsafe function is ref'd exactly while
// some watch is active and ref'd, so an idle or unref'd reactor never holds
// the loop open, as with uv_poll handles.
//
// Lost wake-ups: a runtime may lose the wake-up of a threadsafe-function
// call made from another thread. Deno 2.9's task queue does: its poll checks
// the queue's flag and only then registers the loop's waker
// (deno_core core/tasks.rs, V8TaskSpawnerFactory::poll_inner), so a call
// landing between the two sets the flag, finds no waker to wake, and the
// Drain waits until something else wakes the loop (a timer; forever in a
// process that only waits on sockets). Seen as a 1-byte ping-pong stalling
// in about 1 of 20 short runs on a loaded machine. So the thread watches its
// own calls: while one is queued and no Drain has started, it calls again
// after 10 ms, then 20, 40, ... up to 1 s (a call finding a busy JS thread
// costs one empty Drain). Not polling: the thread has a timeout only while
// a Drain it queued is outstanding.
//
// Close: the watch leaves the epoll set and the id table at once (no event
// reaches the owner afterwards), and is freed by the next Drain, which then
// tells the owner (OnWatchGone(false)), as uv_close's callback would.
//
// Teardown: an environment cleanup hook stops and joins the thread, tells
// every owner (OnWatchGone(true)), frees every watch and aborts the
// threadsafe function, so nothing runs after the addon is unloaded.
//
// Linux-only (epoll, eventfd); elsewhere setReadiness("reactor") reports
// -ENOSYS and the libuv backend stays (a kqueue reactor would keep this
// shape: only the thread's wait and the arming calls differ).
#include "readiness.h"

#include <cerrno>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "args.h"

#if defined(__linux__)
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#define UNIXSOCK_HAVE_REACTOR 1
#endif

namespace unixsock {

namespace {

struct Backends {
  // Per environment (instance data): its reactor, or null for libuv.
  void* reactor = nullptr;
};

#if UNIXSOCK_HAVE_REACTOR

constexpr uint64_t kWakeId = 0;  // the eventfd's id; watches start at 1
constexpr int kBatch = 256;      // events per epoll_wait
// Non-blocking epoll_waits on the JS thread after a delivery (see Deliver).
constexpr int kDrainRounds = 4;
// A Drain queued by the thread that has not started after this long is
// queued again, then after twice as long, up to the cap (see "Lost
// wake-ups" at the top).
constexpr int kNudgeFirstMs = 10;
constexpr int kNudgeMaxMs = 1000;

class Reactor;

class ReactorWatch final : public Watch {
 public:
  ReactorWatch(Reactor* reactor, int fd, uint64_t id, ReadinessOwner* owner)
      : reactor_(reactor), fd_(fd), id_(id), owner_(owner) {}

  int Start(int events) override;
  void Stop() override;
  bool Active() const override { return !closing_ && mask_ != 0; }
  void Ref() override;
  void Unref() override;
  void Close() override;
  void Release() override {
    owner_ = nullptr;
    Close();
  }

 private:
  friend class Reactor;
  ~ReactorWatch() override = default;

  // epoll_ctl(ADD or MOD) for mask_, one-shot: 0 | -errno.
  int Arm();

  Reactor* reactor_;
  int fd_;
  uint64_t id_;
  ReadinessOwner* owner_;  // null once released
  int mask_ = 0;           // events wanted; 0 = stopped
  bool registered_ = false;  // in the epoll set
  bool armed_ = false;       // registered with mask_ and not fired since
  bool refed_ = true;
  bool holding_ = false;     // counted in the reactor's holds_
  bool closing_ = false;
};

class Reactor {
 public:
  // Creates env's reactor: 0 | -errno.
  static int Create(napi_env env, Backends* backends) {
    Reactor* reactor = new Reactor(env);
    int r = reactor->Init();
    if (r != 0) {
      reactor->Shutdown();
      delete reactor;
      return r;
    }
    backends->reactor = reactor;
    reactor->backends_ = backends;
    return 0;
  }

  ReactorWatch* Open(int fd, ReadinessOwner* owner) {
    ReactorWatch* watch = new ReactorWatch(this, fd, next_id_++, owner);
    watches_.emplace(watch->id_, watch);
    return watch;
  }

  int epfd() const { return epfd_; }

  // For diagnosis (readinessStats()): counters and state, JS thread.
  Napi::Object Stats(Napi::Env env) {
    Napi::Object o = Napi::Object::New(env);
    size_t pending;
    bool signaled;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      pending = pending_.size();
      signaled = signaled_;
    }
    o.Set("calls", static_cast<double>(calls_.load(std::memory_order_relaxed)));
    o.Set("drains", static_cast<double>(started_.load(std::memory_order_relaxed)));
    o.Set("nudges", static_cast<double>(nudges_.load(std::memory_order_relaxed)));
    o.Set("pending", static_cast<double>(pending));
    o.Set("signaled", signaled);
    o.Set("holds", holds_);
    o.Set("refed", tsfn_refed_);
    o.Set("watches", static_cast<double>(watches_.size()));
    return o;
  }

  // Whether the process is kept alive follows the watches (see the top).
  void Sync(ReactorWatch* watch) {
    bool hold = watch->refed_ && watch->mask_ != 0 && !watch->closing_;
    if (hold != watch->holding_) {
      watch->holding_ = hold;
      holds_ += hold ? 1 : -1;
    }
    bool want = holds_ > 0;
    if (want == tsfn_refed_ || tsfn_ == nullptr) return;
    tsfn_refed_ = want;
    if (want) {
      napi_ref_threadsafe_function(env_, tsfn_);
    } else {
      napi_unref_threadsafe_function(env_, tsfn_);
    }
  }

  void Closed(ReactorWatch* watch) {
    watches_.erase(watch->id_);
    closed_.push_back(watch);
    // The next Drain frees it and tells its owner; run one soon.
    Signal();
  }

 private:
  explicit Reactor(napi_env env) : env_(env) {}

  int Init() {
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) return -errno;
    wakefd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wakefd_ < 0) return -errno;
    epoll_event wake{};
    wake.events = EPOLLIN;
    wake.data.u64 = kWakeId;
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, wakefd_, &wake) != 0) return -errno;
    napi_value name;
    if (napi_create_string_utf8(env_, "unixsock.reactor", NAPI_AUTO_LENGTH,
                                &name) != napi_ok ||
        napi_create_threadsafe_function(env_, nullptr, nullptr, name, 0, 1,
                                        nullptr, nullptr, this, Drain,
                                        &tsfn_) != napi_ok) {
      tsfn_ = nullptr;
      return -ENOMEM;
    }
    // Idle until a watch is active and ref'd.
    napi_unref_threadsafe_function(env_, tsfn_);
    // Registered after the threadsafe function, so it runs before the
    // runtime's own teardown of it (hooks run in reverse order).
    if (napi_add_env_cleanup_hook(env_, Teardown, this) != napi_ok) {
      return -ENOMEM;
    }
    hooked_ = true;
    thread_ = std::thread([this] { Run(); });
    return 0;
  }

  // The reactor thread.
  void Run() {
    using Clock = std::chrono::steady_clock;
    epoll_event events[kBatch];
    // While a Drain this thread queued has not started: when to queue it
    // again (see "Lost wake-ups" at the top), and the wait before that.
    bool watching = false;
    Clock::time_point deadline;
    int backoff_ms = kNudgeFirstMs;
    uint64_t started_at_call = 0;
    for (;;) {
      int timeout = -1;
      if (watching) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        timeout = left < 0 ? 0 : static_cast<int>(left) + 1;
      }
      int n = epoll_wait(epfd_, events, kBatch, timeout);
      if (n < 0) {
        if (errno == EINTR) continue;
        return;  // EBADF/EINVAL: the set is gone; nothing more can fire
      }
      bool signal = false;
      bool nudge = false;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        for (int i = 0; i < n; i++) {
          if (events[i].data.u64 == kWakeId) {
            if (stopping_) return;
            continue;
          }
          pending_.push_back(events[i]);
        }
        if (!pending_.empty() && !signaled_) {
          signal = signaled_ = true;
        } else if (!signaled_) {
          watching = false;  // the Drain ran: nothing outstanding
        } else if (watching && Clock::now() >= deadline) {
          // Our Drain is still queued. If none started since the call, the
          // runtime may have lost the wake-up: queue it again.
          uint64_t started = started_.load(std::memory_order_acquire);
          if (started == started_at_call) {
            nudge = true;
          } else {
            // Started and still running (a busy JS thread): look again later.
            started_at_call = started;
            deadline = Clock::now() + std::chrono::milliseconds(backoff_ms);
          }
        }
      }
      if (signal || nudge) {
        if (nudge) {
          nudges_.fetch_add(1, std::memory_order_relaxed);
          backoff_ms = backoff_ms * 2 > kNudgeMaxMs ? kNudgeMaxMs : backoff_ms * 2;
        } else {
          backoff_ms = kNudgeFirstMs;
        }
        started_at_call = started_.load(std::memory_order_acquire);
        watching = true;
        deadline = Clock::now() + std::chrono::milliseconds(backoff_ms);
        Call();
      }
    }
  }

  // Queues one Drain (signaled_ is set). A full queue is waited out (at
  // most one call is outstanding, so it cannot stay full); any other
  // failure (the function is closing: teardown) clears signaled_.
  void Call() {
    napi_status status;
    while ((status = napi_call_threadsafe_function(tsfn_, nullptr, napi_tsfn_nonblocking)) == napi_queue_full) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (status != napi_ok) {
      std::lock_guard<std::mutex> lock(mutex_);
      signaled_ = false;
      return;
    }
    calls_.fetch_add(1, std::memory_order_relaxed);
  }

  // Asks for a Drain from the JS thread (to finish closes).
  void Signal() {
    bool signal = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!signaled_) signal = signaled_ = true;
    }
    if (signal && tsfn_ != nullptr) Call();
  }

  static void Drain(napi_env env, napi_value, void* context, void*) {
    if (env == nullptr) return;  // the threadsafe function is being finalized
    static_cast<Reactor*>(context)->Deliver();
  }

  void Deliver() {
    started_.fetch_add(1, std::memory_order_release);
    // signaled_ stays set until the queue is found empty here, so the
    // thread queues no other Drain meanwhile: what it adds while the owners
    // run is taken by this loop, and no wake-up can be lost between them.
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        batch_.swap(pending_);
        if (batch_.empty()) {
          signaled_ = false;
          break;
        }
      }
      for (const epoll_event& event : batch_) DeliverOne(event);
      batch_.clear();
    }
    // What became ready meanwhile is taken here, without a trip through the
    // thread: one non-blocking epoll_wait per round, while it finds any (a
    // stream under load keeps finding its socket readable or writable
    // again). Not busy polling: it stops at the first empty answer.
    epoll_event ready[kBatch];
    for (int round = 0; round < kDrainRounds && !watches_.empty(); round++) {
      int n = epoll_wait(epfd_, ready, kBatch, 0);
      if (n <= 0) break;
      for (int i = 0; i < n; i++) {
        if (ready[i].data.u64 != kWakeId) DeliverOne(ready[i]);
      }
    }
    // Closes finish here, as uv_close's callbacks do on the next loop turn.
    while (!closed_.empty()) {
      std::vector<ReactorWatch*> closed;
      closed.swap(closed_);
      for (ReactorWatch* watch : closed) {
        ReadinessOwner* owner = watch->owner_;
        delete watch;
        if (owner != nullptr) owner->OnWatchGone(false);
      }
    }
  }

  // One fired event: to its watch's owner (if the watch still exists and
  // wants events), then the watch re-armed.
  void DeliverOne(const epoll_event& event) {
    auto found = watches_.find(event.data.u64);
    if (found == watches_.end()) return;  // closed since
    ReactorWatch* watch = found->second;
    watch->armed_ = false;
    int mask = watch->mask_;
    if (mask == 0) return;  // stopped since (a hang-up still fires)
    uint32_t fired = event.events;
    // As libuv: a lone error or hang-up reports the events asked for, so
    // the owner's recv/send sees the condition.
    if (fired == EPOLLERR || fired == EPOLLHUP) fired |= EPOLLIN | EPOLLOUT;
    int status = 0;
    int ready = 0;
    if (fired & EPOLLERR) {
      // As libuv: POLLERR stops the watch and reports UV_EBADF (-EBADF).
      status = -EBADF;
      watch->mask_ = 0;
      Sync(watch);
    } else {
      if (fired & EPOLLIN) ready |= kReadable;
      if (fired & EPOLLOUT) ready |= kWritable;
      if (fired & EPOLLRDHUP) ready |= kDisconnect;
      ready &= mask;
      if (ready == 0) {
        Rearm(event.data.u64);
        return;
      }
    }
    uint64_t id = event.data.u64;
    if (watch->owner_ != nullptr) watch->owner_->OnReady(status, ready);
    Rearm(id);
  }

  // After delivery: re-arms the watch if it still wants events (the owner
  // may have stopped, restarted or closed it meanwhile).
  void Rearm(uint64_t id) {
    auto found = watches_.find(id);
    if (found == watches_.end()) return;
    ReactorWatch* watch = found->second;
    if (watch->mask_ == 0 || watch->armed_) return;
    int r = watch->Arm();
    if (r != 0 && watch->owner_ != nullptr) {
      // Cannot happen for an fd that was armed before unless it was closed
      // under the watch; report it as libuv reports a failed re-arm.
      watch->mask_ = 0;
      Sync(watch);
      watch->owner_->OnReady(r, 0);
    }
  }

  // Stops the thread (joins it), frees the set and the eventfd.
  void Shutdown() {
    if (thread_.joinable()) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
      }
      uint64_t one = 1;
      ssize_t ignored = write(wakefd_, &one, sizeof(one));
      (void)ignored;
      thread_.join();
    }
    if (epfd_ >= 0) close(epfd_);
    if (wakefd_ >= 0) close(wakefd_);
    epfd_ = wakefd_ = -1;
    if (tsfn_ != nullptr) {
      napi_release_threadsafe_function(tsfn_, napi_tsfn_abort);
      tsfn_ = nullptr;
    }
  }

  static void Teardown(void* arg) {
    Reactor* self = static_cast<Reactor*>(arg);
    self->hooked_ = false;
    self->Shutdown();
    for (auto& entry : self->watches_) self->closed_.push_back(entry.second);
    self->watches_.clear();
    for (ReactorWatch* watch : self->closed_) {
      ReadinessOwner* owner = watch->owner_;
      delete watch;
      if (owner != nullptr) owner->OnWatchGone(true);
    }
    self->closed_.clear();
    if (self->backends_ != nullptr) self->backends_->reactor = nullptr;
    delete self;
  }

  napi_env env_;
  Backends* backends_ = nullptr;
  int epfd_ = -1;
  int wakefd_ = -1;
  std::thread thread_;
  napi_threadsafe_function tsfn_ = nullptr;
  bool tsfn_refed_ = false;
  bool hooked_ = false;
  int holds_ = 0;  // watches active and ref'd
  uint64_t next_id_ = kWakeId + 1;
  // JS thread only.
  std::unordered_map<uint64_t, ReactorWatch*> watches_;
  std::vector<ReactorWatch*> closed_;  // freed by the next Drain
  std::vector<epoll_event> batch_;
  // Shared with the thread, under mutex_.
  std::mutex mutex_;
  std::vector<epoll_event> pending_;
  bool signaled_ = false;  // a Drain is scheduled and has not taken pending_
  // Drains started (Deliver); the thread compares it across a call.
  std::atomic<uint64_t> started_{0};
  std::atomic<uint64_t> calls_{0};   // Drains queued (diagnostics)
  std::atomic<uint64_t> nudges_{0};  // of which queued again (diagnostics)
  bool stopping_ = false;
};

int ReactorWatch::Arm() {
  epoll_event event{};
  event.events = EPOLLONESHOT;
  if (mask_ & kReadable) event.events |= EPOLLIN;
  if (mask_ & kWritable) event.events |= EPOLLOUT;
  if (mask_ & kDisconnect) event.events |= EPOLLRDHUP;
  event.data.u64 = id_;
  int op = registered_ ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (epoll_ctl(reactor_->epfd(), op, fd_, &event) != 0) return -errno;
  registered_ = true;
  armed_ = true;
  return 0;
}

int ReactorWatch::Start(int events) {
  if (closing_) return -EBADF;
  if ((events & kAllEvents) == 0) {
    Stop();
    return 0;
  }
  if (armed_ && events == mask_) return 0;
  int previous = mask_;
  mask_ = events;
  int r = Arm();
  if (r != 0) {
    mask_ = previous;
    Stop();
  }
  reactor_->Sync(this);
  return r;
}

void ReactorWatch::Stop() {
  if (closing_) return;
  mask_ = 0;
  if (armed_) {
    // Disarmed but kept registered (a later Start is one MOD): no in/out
    // interest; a hang-up may still fire once, and Drain ignores it.
    epoll_event event{};
    event.events = EPOLLONESHOT;
    event.data.u64 = id_;
    epoll_ctl(reactor_->epfd(), EPOLL_CTL_MOD, fd_, &event);
    armed_ = false;
  }
  reactor_->Sync(this);
}

void ReactorWatch::Ref() {
  refed_ = true;
  if (!closing_) reactor_->Sync(this);
}

void ReactorWatch::Unref() {
  refed_ = false;
  if (!closing_) reactor_->Sync(this);
}

void ReactorWatch::Close() {
  if (closing_) return;
  if (registered_) epoll_ctl(reactor_->epfd(), EPOLL_CTL_DEL, fd_, nullptr);
  registered_ = armed_ = false;
  mask_ = 0;
  closing_ = true;
  reactor_->Sync(this);
  reactor_->Closed(this);
}

#endif  // UNIXSOCK_HAVE_REACTOR

Backends* BackendsOf(napi_env env) {
  void* data = nullptr;
  if (napi_get_instance_data(env, &data) == napi_ok && data != nullptr) {
    return static_cast<Backends*>(data);
  }
  Backends* backends = new Backends();
  napi_set_instance_data(
      env, backends,
      [](napi_env, void* data, void*) { delete static_cast<Backends*>(data); },
      nullptr);
  return backends;
}

}  // namespace

Watch* OpenReactorWatch(napi_env env, int fd, ReadinessOwner* owner,
                        int* error, bool* has_reactor) {
  *has_reactor = false;
#if UNIXSOCK_HAVE_REACTOR
  void* data = nullptr;
  if (napi_get_instance_data(env, &data) != napi_ok || data == nullptr) {
    return nullptr;
  }
  Reactor* reactor = static_cast<Reactor*>(static_cast<Backends*>(data)->reactor);
  if (reactor == nullptr) return nullptr;
  *has_reactor = true;
  if (fd < 0) {
    *error = -EBADF;
    return nullptr;
  }
  return reactor->Open(fd, owner);
#else
  (void)env;
  (void)fd;
  (void)owner;
  (void)error;
  return nullptr;
#endif
}

Napi::Value SetReadiness(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "backend must be \"libuv\" or \"reactor\"")
        .ThrowAsJavaScriptException();
    return Napi::Value();
  }
  std::string backend = info[0].As<Napi::String>().Utf8Value();
  if (backend != "libuv" && backend != "reactor") {
    Napi::TypeError::New(env, "backend must be \"libuv\" or \"reactor\"")
        .ThrowAsJavaScriptException();
    return Napi::Value();
  }
  Backends* backends = BackendsOf(env);
#if UNIXSOCK_HAVE_REACTOR
  if (backend == "reactor") {
    if (backends->reactor != nullptr) return NumberResult(env, 0);
    return NumberResult(env, Reactor::Create(env, backends));
  }
  // Back to libuv for new watches; the reactor keeps serving its own until
  // the environment's teardown.
  if (backends->reactor != nullptr) {
    // Keep it: existing watches may still use it. New watches use libuv.
    return NumberResult(env, -EBUSY);
  }
  return NumberResult(env, 0);
#else
  (void)backends;
  return NumberResult(env, backend == "reactor" ? -ENOSYS : 0);
#endif
}

Napi::Value ReadinessStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if UNIXSOCK_HAVE_REACTOR
  void* data = nullptr;
  if (napi_get_instance_data(env, &data) == napi_ok && data != nullptr) {
    Reactor* reactor = static_cast<Reactor*>(static_cast<Backends*>(data)->reactor);
    if (reactor != nullptr) return reactor->Stats(env);
  }
#endif
  return env.Null();
}

Napi::Value ReadinessBackend(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  void* data = nullptr;
  bool reactor = napi_get_instance_data(env, &data) == napi_ok &&
                 data != nullptr &&
                 static_cast<Backends*>(data)->reactor != nullptr;
  return Napi::String::New(env, reactor ? "reactor" : "libuv");
}

}  // namespace unixsock
