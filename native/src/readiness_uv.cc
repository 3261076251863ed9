// The libuv backend of readiness.h.
//
// Linux: one epoll set per environment, itself watched by one uv_poll_t on
// the environment's loop ("loop epoll"). A watch is an entry in that set
// (EPOLL_CTL_ADD on its first Start, MOD when the mask changes, DEL on Stop
// and Close), so events still arrive on the loop thread without a thread
// hop, and opening or closing a watch costs no libuv handle: uv_poll_init
// probes every descriptor with an epoll_ctl ADD and DEL, and every uv_poll_t
// needs an async cleanup hook and a uv_close round trip, which made the
// watch the largest part of a connection's setup (fan-out bench: ~4
// epoll_ctl per socket instead of 2). Events are translated as libuv's
// uv_poll does: level-triggered; a lone EPOLLERR or EPOLLHUP reports the
// wanted directions; EPOLLERR stops the watch and reports -EBADF.
// The watches of a set sit in a slot table; the epoll entry carries the slot
// and a generation, so an event for a watch already freed is dropped rather
// than followed. Closed watches are freed, and their owners told
// (OnWatchGone(false)), from an idle handle on the next loop turn, never
// while events are being dispatched. One async cleanup hook per environment
// tells every open watch OnWatchGone(true) at teardown and holds the teardown
// until the set's handles are closed, so libuv never calls into the addon
// after it is unloaded (regression-tested in test/native/poller.test.ts).
//
// Elsewhere: one uv_poll_t per watch (UvWatch), freed by uv_close's
// callback, so it may outlive its owner: Release() detaches the owner and
// closes it; an async cleanup hook per watch closes it at teardown.
#include <sys/ioctl.h>
#include <uv.h>

#include <cerrno>
#include <cstdint>
#include <vector>

#include "platform.h"
#include "readiness.h"

#if defined(__linux__) && !defined(UNIXSOCK_PORTABLE_FALLBACKS)
#include <sys/epoll.h>
#include <unistd.h>
#define UNIXSOCK_HAVE_LOOP_EPOLL 1
#else
#define UNIXSOCK_HAVE_LOOP_EPOLL 0
#endif

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

#if UNIXSOCK_HAVE_LOOP_EPOLL

class LoopEpoll;

class EpollWatch final : public Watch {
 public:
  int Start(int events) override;
  void Stop() override;
  bool Active() const override;
  void Ref() override;
  void Unref() override;
  void Close() override;
  void Release() override {
    owner_ = nullptr;
    Close();
  }

 private:
  friend class LoopEpoll;
  EpollWatch(LoopEpoll* set, int fd, ReadinessOwner* owner, uint32_t slot)
      : set_(set), fd_(fd), slot_(slot), owner_(owner) {}
  ~EpollWatch() override = default;

  // Whether this watch keeps the loop alive through the set's handle.
  bool Holds() const { return poll_ == nullptr && Active() && refed_; }
  // Moves a busy watch to a uv_poll_t of its own (see LoopEpoll::Dispatch).
  void Promote();
  static void OnOwnPoll(uv_poll_t* handle, int status, int events);
  static void OnOwnClosed(uv_handle_t* handle);

  LoopEpoll* set_;
  int fd_;
  uint32_t slot_;             // index in the set's slot table
  ReadinessOwner* owner_;     // null once the owner is destroyed
  uv_poll_t* poll_ = nullptr;  // once promoted: its own handle
  uint32_t wakeups_ = 0;      // events dispatched through the set
  int events_ = 0;            // started mask; 0: stopped
  bool registered_ = false;   // in the epoll set
  bool refed_ = true;
  bool closing_ = false;      // Close called: waiting to be freed
};

class LoopEpoll {
 public:
  friend class EpollWatch;
  // The environment's set, created on first use; null when it cannot be
  // (no loop, no epoll): the caller falls back to a uv_poll_t per watch.
  static LoopEpoll* Of(napi_env env) {
    for (LoopEpoll* set : Sets()) {
      if (set->env_ == env) return set;
    }
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      return nullptr;
    }
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) return nullptr;
    LoopEpoll* set = new LoopEpoll(env, loop, epfd);
    if (uv_poll_init(loop, &set->poll_, epfd) != 0) {
      close(epfd);
      delete set;
      return nullptr;
    }
    set->poll_.data = set;
    uv_idle_init(loop, &set->idle_);
    set->idle_.data = set;
    uv_poll_start(&set->poll_, UV_READABLE, OnPoll);
    uv_unref(reinterpret_cast<uv_handle_t*>(&set->poll_));
    napi_add_async_cleanup_hook(env, OnTeardown, set, &set->teardown_);
    Sets().push_back(set);
    return set;
  }

  EpollWatch* Open(int fd, ReadinessOwner* owner, int* error) {
    // uv_poll_init makes the descriptor non-blocking; so does this.
    int on = 1;
    if (ioctl(fd, FIONBIO, &on) != 0) {
      *error = -errno;
      return nullptr;
    }
    uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = static_cast<uint32_t>(slots_.size());
      slots_.push_back(Slot{});
    }
    EpollWatch* watch = new EpollWatch(this, fd, owner, slot);
    slots_[slot].watch = watch;
    return watch;
  }

  int Arm(EpollWatch* watch, int events) {
    epoll_event event;
    event.events = 0;
    if (events & kReadable) event.events |= EPOLLIN;
    if (events & kWritable) event.events |= EPOLLOUT;
    if (events & kDisconnect) event.events |= EPOLLRDHUP;
    event.data.u64 = (static_cast<uint64_t>(slots_[watch->slot_].generation) << 32) |
                     watch->slot_;
    int op = watch->registered_ ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(epfd_, op, watch->fd_, &event) != 0) return -errno;
    watch->registered_ = true;
    return 0;
  }

  void Disarm(EpollWatch* watch) {
    if (!watch->registered_) return;
    watch->registered_ = false;
    epoll_ctl(epfd_, EPOLL_CTL_DEL, watch->fd_, nullptr);
  }

  // Keeps the loop alive exactly while some watch holds it.
  void Hold(int delta) {
    int before = holders_;
    holders_ += delta;
    if (before == 0 && holders_ > 0) {
      uv_ref(reinterpret_cast<uv_handle_t*>(&poll_));
    } else if (before > 0 && holders_ == 0) {
      uv_unref(reinterpret_cast<uv_handle_t*>(&poll_));
    }
  }

  // The watch is closed: freed (and its owner told) on the next loop turn.
  void Retire(EpollWatch* watch) {
    if (gone_.empty()) uv_idle_start(&idle_, OnIdle);
    gone_.push_back(watch);
  }

 private:
  struct Slot {
    EpollWatch* watch = nullptr;
    uint32_t generation = 0;
  };

  static constexpr int kBatch = 256;  // events per epoll_wait
  static constexpr int kRounds = 4;   // epoll_waits per wakeup, at most
  // Events after which a watch gets a uv_poll_t of its own. Through the set
  // each wakeup costs one more epoll_wait (and the kernel one more wakeup
  // hop), ~1 us; a uv_poll_t costs ~10 us to set up (uv_poll_init's
  // epoll_ctl probe, the loop's ADD). Short-lived connections stay in the
  // set, busy ones (a ping-pong, a bulk transfer, a listener) move out.
  static constexpr uint32_t kPromoteAfter = 16;

  LoopEpoll(napi_env env, uv_loop_t* loop, int epfd)
      : env_(env), loop_(loop), epfd_(epfd) {}

  static std::vector<LoopEpoll*>& Sets() {
    static thread_local std::vector<LoopEpoll*> sets;
    return sets;
  }

  void Free(EpollWatch* watch) {
    Slot& slot = slots_[watch->slot_];
    slot.watch = nullptr;
    slot.generation++;
    free_.push_back(watch->slot_);
    delete watch;
  }

  static void OnPoll(uv_poll_t* handle, int status, int) {
    LoopEpoll* set = static_cast<LoopEpoll*>(handle->data);
    if (status < 0) {
      // Not expected of an epoll descriptor; libuv stopped the handle.
      if (!set->tearing_down_) uv_poll_start(&set->poll_, UV_READABLE, OnPoll);
      return;
    }
    set->Dispatch();
  }

  void Dispatch() {
    epoll_event events[kBatch];
    for (int round = 0; round < kRounds && !tearing_down_; round++) {
      int n;
      do {
        n = epoll_wait(epfd_, events, kBatch, 0);
      } while (n < 0 && errno == EINTR);
      if (n <= 0) return;
      for (int i = 0; i < n && !tearing_down_; i++) {
        uint32_t index = static_cast<uint32_t>(events[i].data.u64);
        uint32_t generation = static_cast<uint32_t>(events[i].data.u64 >> 32);
        if (index >= slots_.size()) continue;
        Slot& slot = slots_[index];
        EpollWatch* watch = slot.watch;
        // Freed, closed, stopped, or detached since this batch was taken.
        if (watch == nullptr || slot.generation != generation ||
            watch->poll_ != nullptr || !watch->Active() ||
            watch->owner_ == nullptr) {
          continue;
        }
        uint32_t wanted = 0;
        if (watch->events_ & kReadable) wanted |= EPOLLIN;
        if (watch->events_ & kWritable) wanted |= EPOLLOUT;
        if (watch->events_ & kDisconnect) wanted |= EPOLLRDHUP;
        uint32_t fired = events[i].events & (wanted | EPOLLERR | EPOLLHUP);
        // As libuv: a lone error or hang-up is reported on the wanted
        // directions, so the owner's read or write sees it.
        if (fired == EPOLLERR || fired == EPOLLHUP) fired |= wanted;
        if (fired == 0) continue;
        if (fired & EPOLLERR) {
          watch->Stop();
          watch->owner_->OnReady(-EBADF, 0);
          continue;
        }
        int ready = 0;
        if (fired & EPOLLIN) ready |= kReadable;
        if (fired & EPOLLOUT) ready |= kWritable;
        if (fired & EPOLLRDHUP) ready |= kDisconnect;
        watch->owner_->OnReady(0, ready);
        // Freed only on a later loop turn: still valid here.
        if (++watch->wakeups_ == kPromoteAfter && watch->Active() &&
            watch->owner_ != nullptr && !tearing_down_) {
          watch->Promote();
        }
      }
      if (n < kBatch) return;
    }
  }

  static void OnIdle(uv_idle_t* handle) {
    LoopEpoll* set = static_cast<LoopEpoll*>(handle->data);
    std::vector<EpollWatch*> gone;
    gone.swap(set->gone_);
    uv_idle_stop(&set->idle_);
    for (EpollWatch* watch : gone) {
      ReadinessOwner* owner = watch->owner_;
      set->Free(watch);
      // May close further watches: they wait for the next turn.
      if (owner != nullptr) owner->OnWatchGone(false);
    }
  }

  // Environment teardown: every watch's owner hears OnWatchGone(true), the
  // watches are freed, and the teardown waits for the set's two handles.
  static void OnTeardown(napi_async_cleanup_hook_handle, void* arg) {
    LoopEpoll* set = static_cast<LoopEpoll*>(arg);
    set->tearing_down_ = true;
    std::vector<LoopEpoll*>& sets = Sets();
    for (size_t i = 0; i < sets.size(); i++) {
      if (sets[i] == set) {
        sets.erase(sets.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
    // Promoted watches are freed by their handle's close callback.
    set->open_handles_ = 2 + set->promoted_;
    for (Slot& slot : set->slots_) {
      EpollWatch* watch = slot.watch;
      if (watch == nullptr) continue;
      slot.watch = nullptr;
      ReadinessOwner* owner = watch->owner_;
      watch->owner_ = nullptr;
      if (owner != nullptr) owner->OnWatchGone(true);
      if (watch->poll_ == nullptr) {
        delete watch;
      } else if (!watch->closing_) {
        watch->closing_ = true;
        uv_close(reinterpret_cast<uv_handle_t*>(watch->poll_),
                 EpollWatch::OnOwnClosed);
      }
    }
    set->slots_.clear();
    set->gone_.clear();
    uv_close(reinterpret_cast<uv_handle_t*>(&set->poll_), OnHandleClosed);
    uv_close(reinterpret_cast<uv_handle_t*>(&set->idle_), OnHandleClosed);
  }

  // At teardown: one more of the set's handles is closed.
  void HandleClosed() {
    if (--open_handles_ > 0) return;
    napi_async_cleanup_hook_handle hook = teardown_;
    close(epfd_);
    delete this;
    // Tells the running teardown that the handles are gone.
    if (hook != nullptr) napi_remove_async_cleanup_hook(hook);
  }

  static void OnHandleClosed(uv_handle_t* handle) {
    static_cast<LoopEpoll*>(handle->data)->HandleClosed();
  }

  napi_env env_;
  uv_loop_t* loop_;
  int epfd_;
  uv_poll_t poll_;  // on epfd_; ref'd while some watch holds the loop
  uv_idle_t idle_;  // started while watches wait to be freed
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;       // free slot indices
  std::vector<EpollWatch*> gone_;    // closed, not yet freed
  int holders_ = 0;                  // active, referenced watches
  int promoted_ = 0;                 // watches whose own handle is not yet closed
  int open_handles_ = 0;             // at teardown: handles not yet closed
  bool tearing_down_ = false;
  napi_async_cleanup_hook_handle teardown_ = nullptr;
};

bool EpollWatch::Active() const {
  if (closing_) return false;
  if (poll_ != nullptr) {
    return uv_is_active(reinterpret_cast<uv_handle_t*>(poll_)) != 0;
  }
  return events_ != 0;
}

int EpollWatch::Start(int events) {
  if (closing_) return -EBADF;
  if (events == 0) {
    Stop();
    return 0;
  }
  if (poll_ != nullptr) {
    int r = uv_poll_start(poll_, EventsToUv(events), OnOwnPoll);
    if (r != 0) uv_poll_stop(poll_);
    events_ = r != 0 ? 0 : events;
    return r;
  }
  if (events == events_) return 0;
  bool held = Holds();
  int r = set_->Arm(this, events);
  if (r != 0) {
    // As UvWatch: a failed start leaves the watch stopped.
    set_->Disarm(this);
    events_ = 0;
    if (held) set_->Hold(-1);
    return r;
  }
  events_ = events;
  if (!held && Holds()) set_->Hold(1);
  return 0;
}

void EpollWatch::Stop() {
  if (closing_) return;
  if (poll_ != nullptr) {
    uv_poll_stop(poll_);
    events_ = 0;
    return;
  }
  if (events_ == 0) return;
  bool held = Holds();
  set_->Disarm(this);
  events_ = 0;
  if (held) set_->Hold(-1);
}

void EpollWatch::Ref() {
  if (closing_) return;
  if (poll_ != nullptr) {
    refed_ = true;
    uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
    return;
  }
  if (refed_) return;
  refed_ = true;
  if (Holds()) set_->Hold(1);
}

void EpollWatch::Unref() {
  if (closing_) return;
  if (poll_ != nullptr) {
    refed_ = false;
    uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
    return;
  }
  if (!refed_) return;
  bool held = Holds();
  refed_ = false;
  if (held) set_->Hold(-1);
}

void EpollWatch::Close() {
  if (closing_) return;
  if (poll_ != nullptr) {
    closing_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), OnOwnClosed);
    return;
  }
  Stop();
  set_->Disarm(this);
  closing_ = true;
  set_->Retire(this);
}

void EpollWatch::Promote() {
  uv_poll_t* poll = new uv_poll_t;
  // uv_poll_init's probe adds the descriptor to the loop's own epoll set;
  // the set's entry stays until the handle is in place.
  if (uv_poll_init(set_->loop_, poll, fd_) != 0) {
    delete poll;  // stays in the set
    return;
  }
  poll->data = this;
  bool held = Holds();
  set_->Disarm(this);
  if (held) set_->Hold(-1);
  poll_ = poll;
  set_->promoted_++;
  if (!refed_) uv_unref(reinterpret_cast<uv_handle_t*>(poll));
  if (uv_poll_start(poll, EventsToUv(events_), OnOwnPoll) != 0) {
    uv_poll_stop(poll);
    events_ = 0;
  }
}

void EpollWatch::OnOwnPoll(uv_poll_t* handle, int status, int events) {
  EpollWatch* watch = static_cast<EpollWatch*>(handle->data);
  if (watch->closing_ || watch->owner_ == nullptr) return;
  // libuv stopped the handle after an error (Active() follows it).
  watch->owner_->OnReady(status, EventsFromUv(events));
}

void EpollWatch::OnOwnClosed(uv_handle_t* handle) {
  EpollWatch* watch = static_cast<EpollWatch*>(handle->data);
  LoopEpoll* set = watch->set_;
  delete reinterpret_cast<uv_poll_t*>(handle);
  set->promoted_--;
  if (set->tearing_down_) {
    // The owner was told at teardown; the slot table is gone.
    delete watch;
    set->HandleClosed();
    return;
  }
  ReadinessOwner* owner = watch->owner_;
  set->Free(watch);
  if (owner != nullptr) owner->OnWatchGone(false);
}

#endif  // UNIXSOCK_HAVE_LOOP_EPOLL

}  // namespace

Watch* OpenUvWatch(napi_env env, int fd, ReadinessOwner* owner, int* error) {
#if UNIXSOCK_HAVE_LOOP_EPOLL
  if (LoopEpoll* set = LoopEpoll::Of(env)) return set->Open(fd, owner, error);
#endif
  return UvWatch::Open(env, fd, owner, error);
}

Watch* Watch::Open(napi_env env, int fd, ReadinessOwner* owner, int* error) {
  bool has_reactor = false;
  Watch* watch = OpenReactorWatch(env, fd, owner, error, &has_reactor);
  if (has_reactor) return watch;
  return OpenUvWatch(env, fd, owner, error);
}

}  // namespace unixsock
