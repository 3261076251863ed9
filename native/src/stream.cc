// StreamEngine (see stream.h).
#include "stream.h"

#include <limits.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "args.h"
#include "blocks.h"
#include "control.h"
#include "platform.h"
#include "retry.h"

namespace unixsock {

namespace {

constexpr int kEventData = 1;
constexpr int kEventEnd = 2;
constexpr int kEventError = 3;
constexpr int kEventWritten = 4;
constexpr int kEventShutdown = 5;

// Large reads land in recycled blocks (blocks.h), so a 256 KiB cap costs no
// page faults; it takes a quarter of libuv's 64 KiB read callbacks.
constexpr size_t kDefaultReadCap = 256 * 1024;
constexpr size_t kMaxReadCap = 64 * 1024 * 1024;

// iovecs on the stack for write() before falling back to the heap.
constexpr size_t kInlineIovecs = 64;
// Most queued pieces one flush sendmsg gathers.
constexpr size_t kFlushIovecs = kIovMax < 256 ? kIovMax : 256;

bool IsWouldBlock(int error) { return error == EAGAIN || error == EWOULDBLOCK; }

// Reads of at most this many bytes become views into a shared slab (as
// Buffer.allocUnsafe does with its pool) instead of one allocation each.
constexpr size_t kSlabSize = 32 * 1024;
constexpr size_t kSlabMaxRead = 2 * 1024;
// After a read of at least this many bytes the next read asks the kernel how
// much is queued (FIONREAD) and receives straight into a right-sized Buffer,
// saving the copy; below it one recv into the pool plus a copy is cheaper
// than the extra syscall.
constexpr size_t kDirectReadMin = 16 * 1024;
// The kernel ends a recv after bytes that carried descriptors. One data
// event gathers up to kChunksPerRead such recvs (a 'descriptors' event each,
// one push for all their bytes), so a stream of small writes with
// descriptors costs neither a loop turn nor a Buffer per descriptor.
// A readable wakeup reads on while a read may have left more behind (the
// descriptor-chunk limit, or a FIONREAD-sized read that took all it was
// told of), up to kReadsPerDispatch data events: a fast writer's data is
// taken without a loop turn and an epoll_wait per read (on a 64 KiB-write
// stream that raised throughput from ~0.85x to ~1.0x net), and the
// wakeup stays bounded.
constexpr size_t kChunksPerRead = 64;
constexpr int kReadsPerDispatch = 4;

// Per-thread read state shared by every engine of the thread (each Node
// environment runs on its own thread): the receive pool and the slab.
struct ReadState {
  uint8_t* pool = nullptr;  // receive buffer, grown on demand, never shrunk
  size_t pool_size = 0;
  napi_env env = nullptr;  // environment the references below belong to
  napi_ref buffer = nullptr;       // Buffer
  napi_ref buffer_from = nullptr;  // Buffer.from
  napi_ref slab = nullptr;         // current slab ArrayBuffer
  uint8_t* slab_data = nullptr;
  size_t slab_used = kSlabSize;
  ~ReadState() { std::free(pool); }
};

ReadState& ThreadReadState() {
  static thread_local ReadState state;
  return state;
}

uint8_t* ReadPool(size_t size) {
  ReadState& state = ThreadReadState();
  if (state.pool_size < size) {
    void* grown = std::malloc(size);
    if (grown == nullptr) return nullptr;
    std::free(state.pool);
    state.pool = static_cast<uint8_t*>(grown);
    state.pool_size = size;
  }
  return state.pool;
}

// Environment cleanup hook: releases the slab references while they are
// still valid.
void ResetSlab(void* arg) {
  ReadState* state = static_cast<ReadState*>(arg);
  napi_env env = state->env;
  for (napi_ref* ref : {&state->buffer, &state->buffer_from, &state->slab}) {
    if (*ref != nullptr) napi_delete_reference(env, *ref);
    *ref = nullptr;
  }
  state->env = nullptr;
  state->slab_data = nullptr;
  state->slab_used = kSlabSize;
}

// A Buffer holding a copy of data[0..length), length <= kSlabMaxRead, as a
// view into the thread's slab: no allocation unless the slab is full. Returns
// nullptr when that fails (the caller copies into a Buffer of its own).
napi_value SlabBuffer(napi_env env, const uint8_t* data, size_t length) {
  ReadState& state = ThreadReadState();
  if (state.env != env) {
    if (state.env != nullptr) return nullptr;  // another environment's slab
    napi_value global, buffer, from;
    if (napi_get_global(env, &global) != napi_ok ||
        napi_get_named_property(env, global, "Buffer", &buffer) != napi_ok ||
        napi_get_named_property(env, buffer, "from", &from) != napi_ok ||
        napi_add_env_cleanup_hook(env, ResetSlab, &state) != napi_ok) {
      return nullptr;
    }
    state.env = env;
    napi_create_reference(env, buffer, 1, &state.buffer);
    napi_create_reference(env, from, 1, &state.buffer_from);
  }
  napi_value slab;
  if (state.slab_used + length > kSlabSize) {
    void* slab_data = nullptr;
    if (napi_create_arraybuffer(env, kSlabSize, &slab_data, &slab) != napi_ok) {
      return nullptr;
    }
    if (state.slab != nullptr) napi_delete_reference(env, state.slab);
    state.slab = nullptr;
    napi_create_reference(env, slab, 1, &state.slab);
    state.slab_data = static_cast<uint8_t*>(slab_data);
    state.slab_used = 0;
  } else if (napi_get_reference_value(env, state.slab, &slab) != napi_ok ||
             slab == nullptr) {
    return nullptr;
  }
  size_t offset = state.slab_used;
  std::memcpy(state.slab_data + offset, data, length);
  napi_value argv[3] = {slab, nullptr, nullptr};
  napi_value buffer, from, result;
  if (napi_create_uint32(env, static_cast<uint32_t>(offset), &argv[1]) !=
          napi_ok ||
      napi_create_uint32(env, static_cast<uint32_t>(length), &argv[2]) !=
          napi_ok ||
      napi_get_reference_value(env, state.buffer, &buffer) != napi_ok ||
      napi_get_reference_value(env, state.buffer_from, &from) != napi_ok ||
      napi_call_function(env, buffer, from, 3, argv, &result) != napi_ok) {
    return nullptr;
  }
  state.slab_used = (offset + length + 7) & ~static_cast<size_t>(7);
  return result;
}

// A Uint8Array's bytes, or false when `value` is not a Uint8Array.
bool BytesOf(napi_env env, napi_value value, iovec* out) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) {
    return false;
  }
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(env, value, &type, &length, &data, nullptr,
                               nullptr) != napi_ok ||
      type != napi_uint8_array) {
    return false;
  }
  out->iov_base = data;
  out->iov_len = length;
  return true;
}

// Duplicates of fds[0..count) (close-on-exec), or false with errno set and
// nothing left open.
bool Duplicate(const int32_t* fds, size_t count, std::vector<int32_t>* out) {
  out->clear();
  for (size_t i = 0; i < count; i++) {
    int copy = fcntl(fds[i], F_DUPFD_CLOEXEC, 0);
    if (copy == -1) {
      int error = errno;
      for (int32_t held : *out) Discard(held);
      out->clear();
      errno = error;
      return false;
    }
    out->push_back(copy);
  }
  return true;
}

void CloseAll(std::vector<int32_t>* fds) {
  for (int32_t fd : *fds) Discard(fd);
  fds->clear();
}

// The socket's pending error (SO_ERROR, which also clears it) as -errno, or
// `fallback` when there is none.
int PendingError(int fd, int fallback) {
  int error = 0;
  socklen_t length = sizeof(error);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error != 0) {
    return -error;
  }
  return fallback;
}

// Drops an exception a failed Node-API call left pending.
void ClearPendingException(napi_env env) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
  }
}

// Routes a JS exception thrown by onEvent to uncaughtException, as for any
// other event source. No pending exception means JS could not run
// (environment shutting down): the event is dropped.
void ReportCallbackFailure(napi_env env) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    napi_value error;
    if (napi_get_and_clear_last_exception(env, &error) == napi_ok) {
      napi_fatal_exception(env, error);
    }
  }
}

}  // namespace

Napi::Function StreamEngine::Define(Napi::Env env) {
  return DefineClass(
      env, "StreamEngine",
      {
          InstanceMethod<&StreamEngine::ReadStart>("readStart"),
          InstanceMethod<&StreamEngine::ReadStop>("readStop"),
          InstanceMethod<&StreamEngine::Write>("write"),
          InstanceMethod<&StreamEngine::WriteQueueSize>("writeQueueSize"),
          InstanceMethod<&StreamEngine::ShutdownWrite>("shutdownWrite"),
          InstanceMethod<&StreamEngine::SetReadCap>("setReadCap"),
          InstanceMethod<&StreamEngine::SetDescriptorCapacity>(
              "setDescriptorCapacity"),
          InstanceMethod<&StreamEngine::CloseHandle>("close"),
          InstanceMethod<&StreamEngine::RefHandle>("ref"),
          InstanceMethod<&StreamEngine::UnrefHandle>("unref"),
          InstanceAccessor<&StreamEngine::BytesRead>("bytesRead"),
          InstanceAccessor<&StreamEngine::BytesWritten>("bytesWritten"),
      });
}

Napi::Object StreamEngine::EventTypes(Napi::Env env) {
  Napi::Object types = Napi::Object::New(env);
  types.Set("data", kEventData);
  types.Set("end", kEventEnd);
  types.Set("error", kEventError);
  types.Set("written", kEventWritten);
  types.Set("shutdown", kEventShutdown);
  napi_object_freeze(env, types);
  return types;
}

StreamEngine::StreamEngine(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<StreamEngine>(info),
      read_cap_(kDefaultReadCap),
      context_(info.Env(), "UnixsockStreamEngine") {
  closing_ = true;  // until fully initialized
  int32_t fd = 0;
  Napi::Function callback;
  if (!ReadInt32(info, 0, "fd", &fd) ||
      !ReadFunction(info, 1, "onEvent", &callback)) {
    return;
  }
  watch_ = Watch::Open(info.Env(), fd, this, &init_error_);
  if (watch_ == nullptr) return;
  fd_ = fd;
  callback_ = Napi::Persistent(callback);
  closing_ = false;
}

StreamEngine::~StreamEngine() {
  DropQueue();
  CloseAll(&received_fds_);
  // The handle outlives this object; its callbacks must not reach it.
  if (watch_ != nullptr) watch_->Release();
}

int StreamEngine::Unusable() const {
  if (init_error_ != 0) return init_error_;
  if (closing_ || watch_ == nullptr) return -EBADF;
  return 0;
}

// ---------------------------------------------------------------------------
// JS methods

Napi::Value StreamEngine::ReadStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int r = Unusable();
  if (r != 0) return NumberResult(env, r);
  reading_ = true;
  r = UpdatePoll();
  if (r < 0) reading_ = false;
  UpdatePin();
  return NumberResult(env, r);
}

Napi::Value StreamEngine::ReadStop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int r = Unusable();
  if (r != 0) return NumberResult(env, r);
  reading_ = false;
  UpdatePoll();  // removing interest cannot fail
  UpdatePin();
  return NumberResult(env, 0);
}

Napi::Value StreamEngine::Write(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  // Arguments first: a programmer error throws even on a closed engine.
  napi_value chunks = info[0];
  napi_valuetype id_type;
  double id = 0;
  if (napi_typeof(env, info[1], &id_type) != napi_ok ||
      id_type != napi_number ||
      napi_get_value_double(env, info[1], &id) != napi_ok) {
    ThrowTypeError(info.Env(), "requestId must be a number");
    return Napi::Value();
  }
  const int32_t* fds = nullptr;
  size_t nfds = 0;
  if (info.Length() > 2 && !info[2].IsUndefined() && !info[2].IsNull()) {
    Napi::Int32Array array;
    if (!ReadInt32Array(info, 2, "fds", 0, &array)) return Napi::Value();
    if (array.ElementLength() > kMaxDescriptorArgument) {
      ThrowTypeError(info.Env(), "fds holds too many descriptors");
      return Napi::Value();
    }
    fds = array.Data();
    nfds = array.ElementLength();
  }
  iovec inline_iov[kInlineIovecs];
  napi_value inline_values[kInlineIovecs];
  std::vector<iovec> heap_iov;
  std::vector<napi_value> heap_values;
  iovec* iov = inline_iov;
  napi_value* values = inline_values;
  size_t count = 0;
  bool is_array = false;
  if (BytesOf(env, chunks, &inline_iov[0])) {
    inline_values[0] = chunks;
    count = 1;
  } else if (napi_is_array(env, chunks, &is_array) == napi_ok && is_array) {
    uint32_t length = 0;
    napi_get_array_length(env, chunks, &length);
    if (length > kInlineIovecs) {
      heap_iov.resize(length);
      heap_values.resize(length);
      iov = heap_iov.data();
      values = heap_values.data();
    }
    // Element getters are arbitrary JS: every element is read (and kept for
    // the queue's references) before any pointer is used.
    for (uint32_t i = 0; i < length; i++) {
      if (napi_get_element(env, chunks, i, &values[i]) != napi_ok) {
        return Napi::Value();  // exception pending
      }
      if (!BytesOf(env, values[i], &iov[i])) {
        ThrowTypeError(info.Env(),
                       "chunks must be a Uint8Array or an array of them");
        return Napi::Value();
      }
    }
    count = length;
  } else {
    ThrowTypeError(info.Env(), "chunks must be a Uint8Array or an array of them");
    return Napi::Value();
  }

  int unusable = Unusable();
  if (unusable != 0) return NumberResult(env, unusable);
  if (write_error_ != 0) return NumberResult(env, write_error_);
  if (shutdown_requested_) return NumberResult(env, -EPIPE);
  if (nfds > 0) {
    // The kernel passes descriptors only with at least one byte.
    size_t total = 0;
    for (size_t i = 0; i < count; i++) total += iov[i].iov_len;
    if (total == 0) return NumberResult(env, -EINVAL);
  }

  // The unsent part begins at iov[first] (trimmed in place when partial).
  size_t first = 0;
  if (pieces_.empty()) {
    size_t index = 0;
    while (index < count) {
      size_t batch = std::min(count - index, kIovMax);
      size_t attempted = 0;
      for (size_t i = index; i < index + batch; i++) attempted += iov[i].iov_len;
      if (attempted == 0) {
        index += batch;
        continue;
      }
      ssize_t n = SendWithControl(fd_, iov + index, batch, nullptr, 0, fds, nfds, false);
      if (n < 0) {
        if (IsWouldBlock(static_cast<int>(-n))) break;
        return NumberResult(env, static_cast<double>(n));
      }
      nfds = 0;  // sent with the first byte
      bytes_written_ += static_cast<double>(n);
      size_t sent = static_cast<size_t>(n);
      // Advance past fully written iovecs; trim a partial one in place.
      while (index < count && sent >= iov[index].iov_len) {
        sent -= iov[index].iov_len;
        index++;
      }
      if (sent > 0) {
        iov[index].iov_base = static_cast<uint8_t*>(iov[index].iov_base) + sent;
        iov[index].iov_len -= sent;
      }
      // A short write means the socket buffer is full: queue the rest.
      if (static_cast<size_t>(n) < attempted) break;
    }
    if (index == count) return NumberResult(env, 1);
    first = index;
  }
  // Descriptors not sent yet ride on the first queued piece, as duplicates
  // the engine owns until they are sent.
  std::vector<int32_t> held;
  if (nfds > 0 && !Duplicate(fds, nfds, &held)) {
    return NumberResult(env, -static_cast<double>(errno));
  }
  bool was_empty = pieces_.empty();
  for (size_t i = first; i < count; i++) {
    napi_ref ref = nullptr;
    if (iov[i].iov_len > 0) napi_create_reference(env, values[i], 1, &ref);
    pieces_.push_back(Piece{static_cast<const uint8_t*>(iov[i].iov_base),
                            iov[i].iov_len, ref, id, i + 1 == count, {}});
    if (i == first) pieces_.back().fds.swap(held);
    queued_bytes_ += iov[i].iov_len;
  }
  if (first == count) {
    // Nothing of this request is left (zero bytes) but earlier ones are
    // queued: a marker keeps 'written' in order.
    pieces_.push_back(Piece{nullptr, 0, nullptr, id, true, {}});
  }
  if (was_empty) {
    int r = UpdatePoll();
    if (r < 0) {
      DropQueue();
      UpdatePin();
      return NumberResult(env, r);
    }
  }
  UpdatePin();
  return NumberResult(env, 0);
}

Napi::Value StreamEngine::WriteQueueSize(const Napi::CallbackInfo& info) {
  return NumberResult(info.Env(), static_cast<double>(queued_bytes_));
}

Napi::Value StreamEngine::ShutdownWrite(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int r = Unusable();
  if (r != 0) return NumberResult(env, r);
  shutdown_requested_ = true;
  if (!pieces_.empty()) {
    shutdown_pending_ = true;
    return NumberResult(env, 1);
  }
  r = RetryOnEintr([&] { return shutdown(fd_, SHUT_WR); });
  return SyscallResult(env, r);
}

Napi::Value StreamEngine::SetReadCap(const Napi::CallbackInfo& info) {
  size_t bytes = 0;
  if (!ReadSize(info, 0, "bytes", &bytes)) return Napi::Value();
  if (bytes == 0 || bytes > kMaxReadCap) return NumberResult(info.Env(), -EINVAL);
  read_cap_ = bytes;
  return NumberResult(info.Env(), 0);
}

Napi::Value StreamEngine::SetDescriptorCapacity(const Napi::CallbackInfo& info) {
  size_t count = 0;
  if (!ReadSize(info, 0, "count", &count)) return Napi::Value();
  if (count > kMaxDescriptorArgument) return NumberResult(info.Env(), -EINVAL);
  fd_capacity_ = count;
  return NumberResult(info.Env(), 0);
}

Napi::Value StreamEngine::CloseHandle(const Napi::CallbackInfo& info) {
  if (!closing_) {
    closing_ = true;
    reading_ = false;
    shutdown_pending_ = false;
    callback_.Reset();
    DropQueue();
    if (watch_ != nullptr) watch_->Close();
    UpdatePin();
  }
  return info.Env().Undefined();
}

Napi::Value StreamEngine::RefHandle(const Napi::CallbackInfo& info) {
  if (watch_ != nullptr) watch_->Ref();
  return info.Env().Undefined();
}

Napi::Value StreamEngine::UnrefHandle(const Napi::CallbackInfo& info) {
  if (watch_ != nullptr) watch_->Unref();
  return info.Env().Undefined();
}

Napi::Value StreamEngine::BytesRead(const Napi::CallbackInfo& info) {
  return NumberResult(info.Env(), bytes_read_);
}

Napi::Value StreamEngine::BytesWritten(const Napi::CallbackInfo& info) {
  return NumberResult(info.Env(), bytes_written_);
}

// ---------------------------------------------------------------------------
// Readiness callbacks

void StreamEngine::OnReady(int status, int events) {
  if (closing_) return;
  napi_env env = Env();
  Napi::HandleScope scope(env);
  dispatching_ = true;
  if (status < 0) {
    // The watch reports POLLERR as -EBADF (as libuv does) and stops. On a socket
    // POLLERR means a pending socket error (ECONNRESET when the peer closed
    // with unread data): recv returns the bytes still queued first and then
    // that error, sendmsg fails with EPIPE, so let them report it; restarting
    // the watcher brings the next POLLERR until one of them did. When neither
    // reports anything the error is taken from SO_ERROR (or is libuv's), so a
    // persistent POLLERR cannot spin.
    poll_events_ = 0;
    uint64_t before = emitted_;
    if (reading_ && !read_done_) ReadOnce(env);
    if (!closing_ && !pieces_.empty()) Flush(env);
    if (emitted_ == before) Fail(env, PendingError(fd_, status));
  } else {
    if ((events & kReadable) && reading_ && !read_done_) {
      // A bounded number of reads per wakeup while one may have left more.
      for (int i = 0; i < kReadsPerDispatch && ReadOnce(env, i > 0); i++) {
        if (closing_ || !reading_ || read_done_) break;
      }
    }
    if (!closing_ && (events & kWritable) && !pieces_.empty()) Flush(env);
  }
  dispatching_ = false;
  if (!closing_) {
    int r = UpdatePoll();
    if (r < 0) {
      dispatching_ = true;
      Fail(env, r);
      dispatching_ = false;
      if (!closing_) UpdatePoll();
    }
  }
  UpdatePin();
  // Last: closing the scope runs JS (ticks, microtasks) that may drop the
  // last reference to this object.
  napi_callback_scope callbacks = scope_;
  scope_ = nullptr;
  if (callbacks != nullptr) napi_close_callback_scope(env, callbacks);
}

bool StreamEngine::ReadOnce(napi_env env, bool again) {
  if (last_read_ >= kDirectReadMin) {
    int direct = ReadDirect(env);
    if (direct >= 0) return direct == 1;
    if (again) return false;  // nothing more queued (EOF shows on the next wakeup)
  }
  uint8_t* pool = ReadPool(read_cap_);
  if (pool == nullptr) {
    Fail(env, -ENOMEM);
    return false;
  }
  size_t total = 0;
  int error = 0;
  bool eof = false;
  bool more = false;
  while (total < read_cap_) {
    size_t wanted = read_cap_ - total;
    bool with_fds = false;
    ssize_t n = Receive(pool + total, wanted, total, &with_fds);
    if (n > 0) {
      total += static_cast<size_t>(n);
      // A stream recv returns less than asked only once the queue is empty,
      // or after bytes that carried descriptors (noted by Receive): read on
      // behind those, up to kChunksPerRead of them.
      if (with_fds) {
        if (chunks_.size() >= 4 * kChunksPerRead) {
          more = true;
          break;
        }
        continue;
      }
      if (static_cast<size_t>(n) < wanted) break;
      continue;
    }
    if (n == 0) {
      eof = true;
    } else if (!IsWouldBlock(errno)) {
      error = -errno;
    }
    break;
  }
  if (total > 0) {
    last_read_ = total;
    napi_value buffer = nullptr;
    if (total <= kSlabMaxRead) {
      buffer = SlabBuffer(env, pool, total);
      if (buffer == nullptr) ClearPendingException(env);
    }
    void* data = nullptr;
    if (buffer == nullptr &&
        napi_create_buffer_copy(env, total, pool, &data, &buffer) != napi_ok) {
      ClearPendingException(env);
      Fail(env, -ENOMEM);
      return false;
    }
    bytes_read_ += static_cast<double>(total);
    EmitData(env, buffer);
    if (closing_) return false;
  }
  if (eof) {
    read_done_ = true;
    Emit(env, kEventEnd, nullptr);
  } else if (error != 0) {
    Fail(env, error);
  }
  return more;
}

int StreamEngine::ReadDirect(napi_env env) {
#if defined(FIONREAD)
  int queued = 0;
  if (ioctl(fd_, FIONREAD, &queued) != 0 || queued <= 0) {
    return -1;  // EOF and errors are reported by the pooled recv
  }
  size_t size = std::min(static_cast<size_t>(queued), read_cap_);
  void* data = nullptr;
  napi_value buffer = Blocks::Buffer(env, size, &data);
  if (buffer == nullptr) {
    ClearPendingException(env);
    if (napi_create_buffer(env, size, &data, &buffer) != napi_ok) {
      ClearPendingException(env);
      return -1;
    }
  }
  bool with_fds = false;
  ssize_t n = Receive(data, size, 0, &with_fds);
  if (n <= 0) {
    if (n == 0) {
      read_done_ = true;
      Emit(env, kEventEnd, nullptr);
    } else if (!IsWouldBlock(errno)) {
      Fail(env, -errno);
    }
    return 0;
  }
  last_read_ = static_cast<size_t>(n);
  bytes_read_ += static_cast<double>(n);
  if (static_cast<size_t>(n) < size) {
    // Less than FIONREAD reported (the kernel ends a read after bytes that
    // carried descriptors, or another reader took some): deliver what came.
    napi_value copy;
    void* copy_data = nullptr;
    if (napi_create_buffer_copy(env, static_cast<size_t>(n), data, &copy_data,
                                &copy) == napi_ok) {
      buffer = copy;
    } else {
      ClearPendingException(env);
      Fail(env, -ENOMEM);
      return 0;
    }
  }
  EmitData(env, buffer);
  return static_cast<size_t>(n) == size && !closing_ ? 1 : 0;
#else
  (void)env;
  return -1;
#endif
}

void StreamEngine::Flush(napi_env env) {
  std::vector<double> done;
  done.swap(completed_);
  done.clear();
  int error = 0;
  iovec iov[kFlushIovecs];
  while (!pieces_.empty()) {
    size_t count = 0;
    size_t attempted = 0;
    for (auto it = pieces_.begin(); it != pieces_.end() && count < kFlushIovecs;
         ++it) {
      // Descriptors go with their request's first byte: never gathered
      // behind earlier bytes.
      if (count > 0 && !it->fds.empty()) break;
      iov[count].iov_base = const_cast<uint8_t*>(it->base);
      iov[count].iov_len = it->length;
      attempted += it->length;
      count++;
    }
    size_t sent = 0;
    if (attempted > 0) {
      std::vector<int32_t>& fds = pieces_.front().fds;
      ssize_t n = SendWithControl(fd_, iov, count, nullptr, 0, fds.data(), fds.size(),
                                  false);
      if (n < 0) {
        if (!IsWouldBlock(static_cast<int>(-n))) error = static_cast<int>(n);
        break;
      }
      CloseAll(&fds);  // the kernel holds its own references now
      sent = static_cast<size_t>(n);
      bytes_written_ += static_cast<double>(n);
      queued_bytes_ -= sent;
    }
    size_t left = sent;
    while (!pieces_.empty() && pieces_.front().length <= left) {
      Piece& piece = pieces_.front();
      left -= piece.length;
      if (piece.ref != nullptr) napi_delete_reference(env, piece.ref);
      CloseAll(&piece.fds);
      if (piece.last) done.push_back(piece.id);
      pieces_.pop_front();
    }
    if (left > 0) {
      pieces_.front().base += left;
      pieces_.front().length -= left;
    }
    if (sent < attempted) break;  // the socket buffer is full
  }
  for (double id : done) {
    napi_value value;
    if (napi_create_double(env, id, &value) != napi_ok) break;
    Emit(env, kEventWritten, value);
    if (closing_) break;
  }
  done.clear();
  completed_.swap(done);
  if (closing_) return;
  if (error != 0) {
    Fail(env, error);
    return;
  }
  if (pieces_.empty() && shutdown_pending_) {
    shutdown_pending_ = false;
    int r = RetryOnEintr([&] { return shutdown(fd_, SHUT_WR); });
    napi_value status;
    if (napi_create_int32(env, r == -1 ? -errno : 0, &status) != napi_ok) return;
    Emit(env, kEventShutdown, status);
  }
}

void StreamEngine::Fail(napi_env env, int error) {
  CloseAll(&received_fds_);
  chunks_.clear();
  if (closing_) return;
  read_done_ = true;
  shutdown_pending_ = false;
  if (write_error_ == 0) write_error_ = error;
  DropQueue();
  napi_value value;
  if (napi_create_int32(env, error, &value) != napi_ok) return;
  Emit(env, kEventError, value);
}

ssize_t StreamEngine::Receive(void* data, size_t length, size_t start,
                              bool* with_fds) {
  *with_fds = false;
  if (fd_capacity_ == 0) {
    return RetryOnEintr([&] { return recv(fd_, data, length, MSG_DONTWAIT); });
  }
  iovec iov;
  iov.iov_base = data;
  iov.iov_len = length;
  ControlBuffer control;
  size_t control_length = ControlSpace(fd_capacity_);
  msghdr message;
  std::memset(&message, 0, sizeof(message));
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control.bytes;
  message.msg_controllen =
      static_cast<decltype(message.msg_controllen)>(control_length);
  ssize_t n = RetryOnEintr([&] {
    return recvmsg(fd_, &message, MSG_DONTWAIT | UNIXSOCK_RECV_CLOEXEC);
  });
  if (n < 0) return n;
  int32_t fds[kMaxDescriptorArgument];
  ReceivedControl received;
  TakeControl(&message, control_length, fds, fd_capacity_, &received);
  received_fds_.insert(received_fds_.end(), fds, fds + received.count);
  *with_fds = received.count > 0 || received.lost;
  if (*with_fds) {
    // Offsets within one data event's Buffer (at most the read cap, 64 MiB).
    chunks_.insert(chunks_.end(),
                   {static_cast<uint32_t>(start),
                    static_cast<uint32_t>(start + static_cast<size_t>(n)),
                    static_cast<uint32_t>(received.count),
                    received.lost ? 1u : 0u});
  }
  return n;
}

void StreamEngine::EmitData(napi_env env, napi_value buffer) {
  if (chunks_.empty()) {
    Emit(env, kEventData, buffer);
    return;
  }
  napi_value fds, chunks;
  bool made =
      napi_create_array_with_length(env, received_fds_.size(), &fds) == napi_ok &&
      napi_create_array_with_length(env, chunks_.size(), &chunks) == napi_ok;
  for (size_t i = 0; made && i < received_fds_.size(); i++) {
    napi_value fd;
    made = napi_create_int32(env, received_fds_[i], &fd) == napi_ok &&
           napi_set_element(env, fds, static_cast<uint32_t>(i), fd) == napi_ok;
  }
  for (size_t i = 0; made && i < chunks_.size(); i++) {
    napi_value number;
    made = napi_create_uint32(env, chunks_[i], &number) == napi_ok &&
           napi_set_element(env, chunks, static_cast<uint32_t>(i), number) == napi_ok;
  }
  if (!made) {
    ClearPendingException(env);
    Fail(env, -ENOMEM);
    return;
  }
  // From here the descriptors are the callee's.
  received_fds_.clear();
  chunks_.clear();
  Emit(env, kEventData, buffer, fds, chunks);
}

void StreamEngine::Emit(napi_env env, int type, napi_value arg,
                        napi_value extra, napi_value extra2) {
  if (closing_) return;
  emitted_++;
  napi_value argv[4];
  if (napi_create_int32(env, type, &argv[0]) != napi_ok) return;
  argv[1] = arg;
  argv[2] = extra;
  argv[3] = extra2;
  size_t argc = extra2 != nullptr ? 4 : extra != nullptr ? 3 : arg != nullptr ? 2 : 1;
  napi_value result;
  napi_status call;
  if (dispatching_ &&
      (scope_ != nullptr ||
       napi_open_callback_scope(env, Value(), context_, &scope_) == napi_ok)) {
    call = napi_call_function(env, Value(), callback_.Value(), argc, argv, &result);
  } else {
    call = napi_make_callback(env, context_, Value(), callback_.Value(), argc,
                              argv, &result);
  }
  if (call != napi_ok) ReportCallbackFailure(env);
}

// ---------------------------------------------------------------------------
// State

int StreamEngine::UpdatePoll() {
  if (dispatching_ || watch_ == nullptr || closing_) return 0;
  int want = 0;
  if (reading_ && !read_done_) want |= kReadable;
  if (!pieces_.empty()) want |= kWritable;
  if (want == poll_events_) return 0;
  if (want == 0) {
    watch_->Stop();
    poll_events_ = 0;
    return 0;
  }
  int r = watch_->Start(want);
  if (r != 0) {
    poll_events_ = 0;
    return r;
  }
  poll_events_ = want;
  return 0;
}

void StreamEngine::UpdatePin() {
  if (dispatching_) return;
  bool want = watch_ != nullptr &&
              (closing_ || !pieces_.empty() || watch_->Active());
  if (want == pinned_) return;
  pinned_ = want;
  if (want) {
    Ref();
  } else {
    Unref();
  }
}

void StreamEngine::DropQueue() {
  if (pieces_.empty()) return;
  napi_env env = Env();
  for (Piece& piece : pieces_) {
    if (piece.ref != nullptr) napi_delete_reference(env, piece.ref);
    CloseAll(&piece.fds);
  }
  pieces_.clear();
  queued_bytes_ = 0;
}

}  // namespace unixsock
