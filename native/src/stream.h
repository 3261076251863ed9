// StreamEngine: the data path of a connected SOCK_STREAM socket, driven by one
// readiness watch (readiness.h: libuv on Node, the reactor on Bun and
// Deno). It never owns (or closes) the descriptor.
//
//   new StreamEngine(fd, onEvent)  opens the watch; never throws for OS errors (a
//                                  failed init is returned by readStart(),
//                                  write() and shutdownWrite()).
//   onEvent(type, a, b, c)         1 data (a = Buffer; when descriptors came
//                                  with it, b = array of them and c = their
//                                  chunks, 4 numbers each: [start, end) of
//                                  the recv that brought them within a, how
//                                  many of b are theirs, 1 when some were
//                                  lost), 2 end, 3 error (a = -errno),
//                                  4 written (a = requestId), 5 shutdown
//                                  (a = 0 | -errno).
//   readStart() / readStop()       watch / stop watching readable; 0 | -errno.
//   write(chunks, requestId[, fds]) 1 written synchronously (no event follows),
//                                  0 queued ('written' follows, in order),
//                                  -errno immediate error (nothing queued).
//                                  `fds` (Int32Array) go with the request's
//                                  first byte (SCM_RIGHTS); the request must
//                                  hold at least one byte (else -EINVAL).
//   setDescriptorCapacity(n)       receive up to n descriptors per read
//                                  (recvmsg; default 0: plain recv, and the
//                                  kernel discards descriptors); 0 | -EINVAL.
//   writeQueueSize()               bytes still queued.
//   shutdownWrite()                shutdown(SHUT_WR) now: 0 | -errno; or 1 when
//                                  deferred until the queue drained ('shutdown'
//                                  follows).
//   setReadCap(bytes)              most bytes per data event; 0 | -EINVAL.
//   close()                        closes the watch; idempotent; drops queued buffers;
//                                  no event afterwards (safe inside onEvent).
//   ref() / unref()                whether an active watch keeps the process alive.
//   bytesRead / bytesWritten       counters.
//
// Reading: one readable callback receives (MSG_DONTWAIT) until the socket is
// drained or the read cap is reached and delivers a Buffer the JS side owns
// per read (up to 4 per callback while more keeps coming):
// small reads (<= 2 KiB) are copied into a shared 32 KiB slab and delivered as
// views of it (like Buffer.allocUnsafe's pool); larger ones are copied from a
// per-thread pool into a right-sized Buffer; after a read of >= 16 KiB the
// next one sizes a Buffer with FIONREAD and receives into it without a copy
// (on a recycled block from blocks.h when it is 32-256 KiB).
// EOF gives 'end', an error gives 'error'; reading stops for good after either.
// The socket buffers are left at the kernel's defaults: raising the writer's
// SO_SNDBUF (default 208 KiB) to 1 MiB gave no gain on the 64 KiB-write
// bench (0.5-0.9x, noisy) and 4 MiB made it ~3x slower, presumably because
// the data no longer stays in cache between the copy in and the copy out.
//
// Descriptors: a sent set rides on the first byte of its request; while it
// is queued the engine holds duplicates (so the caller may close its own at
// once) and a sendmsg never gathers past a later request that carries some.
// Received ones arrive with the data event whose bytes include the first
// byte of the write they were sent with (a read stops right after them);
// past the capacity they are closed and reported lost.
//
// Writing: with an empty queue, write() sends at once (sendmsg, MSG_NOSIGNAL,
// IOV_MAX iovecs per call). What the kernel does not take is queued with a
// reference to each Buffer and flushed on writable. A write error while
// flushing drops the queue (and a deferred shutdown) and emits 'error'; after
// that write() returns the same error. Buffers must not be modified or
// detached while queued.
//
// The poll mask follows need: readable only while reading is started (and not
// ended/failed), writable only while the queue is non-empty, stopped when
// neither. While events are dispatched to JS, mask and pin updates are
// deferred to the end of the readiness callback.
//
// Lifetime (as Poller, see poll.h): the watch is a separate object freed
// after close; the JS object is pinned while the watch is active, while
// writes are queued, and from close() until the watch is gone. Environment
// teardown closes the watch (readiness.h).
#ifndef UNIXSOCK_STREAM_H_
#define UNIXSOCK_STREAM_H_

#include <napi.h>
#include "readiness.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace unixsock {

class StreamEngine : public Napi::ObjectWrap<StreamEngine>,
                     public ReadinessOwner {
 public:
  static Napi::Function Define(Napi::Env env);
  // { data: 1, end: 2, error: 3, written: 4, shutdown: 5 }
  static Napi::Object EventTypes(Napi::Env env);

  explicit StreamEngine(const Napi::CallbackInfo& info);
  ~StreamEngine() override;

  StreamEngine(const StreamEngine&) = delete;
  StreamEngine& operator=(const StreamEngine&) = delete;

  void OnReady(int status, int events) override;
  void OnWatchGone(bool teardown) override { ForgetWatch(this, teardown); }
  template <typename Owner>
  friend void ForgetWatch(Owner* owner, bool teardown);

 private:
  // One queued iovec. `ref` keeps its Buffer alive; the last piece of a
  // request carries the request id; the first piece of a request sent with
  // descriptors owns duplicates of them until its first byte is sent.
  struct Piece {
    const uint8_t* base;
    size_t length;
    napi_ref ref;
    double id;
    bool last;
    std::vector<int32_t> fds;
  };

  Napi::Value ReadStart(const Napi::CallbackInfo& info);
  Napi::Value ReadStop(const Napi::CallbackInfo& info);
  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value WriteQueueSize(const Napi::CallbackInfo& info);
  Napi::Value ShutdownWrite(const Napi::CallbackInfo& info);
  Napi::Value SetReadCap(const Napi::CallbackInfo& info);
  Napi::Value SetDescriptorCapacity(const Napi::CallbackInfo& info);
  Napi::Value CloseHandle(const Napi::CallbackInfo& info);
  Napi::Value RefHandle(const Napi::CallbackInfo& info);
  Napi::Value UnrefHandle(const Napi::CallbackInfo& info);
  Napi::Value BytesRead(const Napi::CallbackInfo& info);
  Napi::Value BytesWritten(const Napi::CallbackInfo& info);

  // 0 when usable, else the error every operation reports.
  int Unusable() const;
  // Reads what is queued, up to the read cap, and emits it as one chunk.
  // The kernel ends a recv after bytes that carried descriptors; the reads
  // go on past them (up to kChunksPerRead such recvs), noting where each
  // lay. True when more may be queued: it stopped at that limit, or a
  // direct read took all FIONREAD reported. `again`: not the wakeup's first
  // read, so an empty queue ends the wakeup without a recv.
  bool ReadOnce(napi_env env, bool again = false);
  // recv, or recvmsg collecting descriptors into received_fds_ when the
  // capacity is set: bytes | -1 with errno set. When descriptors came (or
  // were lost), notes the chunk [start, start + bytes) of the coming data
  // event in chunks_ and sets `*with_fds`.
  ssize_t Receive(void* data, size_t length, size_t start, bool* with_fds);
  // Emits 'data' with `buffer` and the descriptors received with it.
  void EmitData(napi_env env, napi_value buffer);
  // FIONREAD-sized recv straight into a new Buffer: 1 when it took all
  // FIONREAD reported (more may have come since), 0 when it read less or
  // ended; -1 when nothing is queued (or FIONREAD is unsupported) and the
  // pooled path must run instead (it reports EOF and errors).
  int ReadDirect(napi_env env);
  void Flush(napi_env env);
  // Drops the queue and a deferred shutdown, stops reading, emits 'error'.
  void Fail(napi_env env, int error);
  // Calls onEvent(type[, arg[, extra, extra2]]) unless closed.
  void Emit(napi_env env, int type, napi_value arg, napi_value extra = nullptr,
            napi_value extra2 = nullptr);
  // Applies the poll mask wanted now: 0 | negative errno.
  int UpdatePoll();
  // Pins the JS object while the handle is active, writes are queued or the
  // handle is closing; unpins otherwise.
  void UpdatePin();
  // Releases every queued Buffer.
  void DropQueue();

  Watch* watch_ = nullptr;  // null if open failed or once the watch is gone
  int fd_ = -1;
  int init_error_ = 0;      // open failure
  bool closing_ = false;    // close() called, init failed, or env teardown
  bool pinned_ = false;
  bool dispatching_ = false;  // inside OnReady: mask/pin updates deferred
  // One callback scope for every event of a dispatch (opened by the first
  // Emit): the tick queue and microtasks run once, when it closes.
  napi_callback_scope scope_ = nullptr;
  bool reading_ = false;      // readStart() called (and not readStop())
  bool read_done_ = false;    // 'end' or 'error' seen
  bool shutdown_requested_ = false;
  bool shutdown_pending_ = false;  // deferred until the queue drains
  int write_error_ = 0;            // error reported by 'error'
  int poll_events_ = 0;            // mask the watch was last started with
  size_t read_cap_;
  size_t fd_capacity_ = 0;              // descriptors received per read
  std::vector<int32_t> received_fds_;   // received, not yet emitted
  // Per recv that brought descriptors, for the next data event: start, end
  // (offsets in its Buffer), how many of received_fds_, 1 when some were lost.
  std::vector<uint32_t> chunks_;
  size_t last_read_ = 0;  // bytes of the last data event (picks the read path)
  uint64_t emitted_ = 0;  // events emitted so far
  size_t queued_bytes_ = 0;
  double bytes_read_ = 0;
  double bytes_written_ = 0;
  std::deque<Piece> pieces_;
  std::vector<double> completed_;  // reused by Flush
  Napi::FunctionReference callback_;
  Napi::AsyncContext context_;
};

}  // namespace unixsock

#endif  // UNIXSOCK_STREAM_H_
