// The native host shim (native/src): one syscall per function, typed. Every
// function returns a number >= 0 on success or -errno (negative) on an OS error
// and never throws for one; a TypeError means a programmer error (wrong
// argument type, offset/length out of range). Mapping errno values to errors
// lives elsewhere.
import type { SocketOptionName } from './options.js';
import { runningLibc } from './libc.js';
import { addonCandidates, loadAddon, prebuildTargets } from './load.js';
import { READINESS, RUNTIME } from './runtime.js';


// The numberings below are the C++ side's too (native/src; the addon exports
// each one, and test/native/numberings.test.ts checks both sides and the WIT).

/** Our socket type numbering, mapped to SOCK_STREAM/SOCK_DGRAM/SOCK_SEQPACKET in C++ (WIT `socket-type` index + 1). */
export const SOCKET_TYPE = { stream: 1, datagram: 2, seqpacket: 3 } as const;

/** A value of {@link SOCKET_TYPE}. */
export type SocketTypeCode = (typeof SOCKET_TYPE)[keyof typeof SOCKET_TYPE];

/** `how` argument of {@link NativeBinding.shutdown}: SHUT_RD, SHUT_WR, SHUT_RDWR (WIT `shutdown-how` order). */
export const SHUTDOWN = { read: 0, write: 1, both: 2 } as const;

/** A value of {@link SHUTDOWN}. */
export type ShutdownHow = (typeof SHUTDOWN)[keyof typeof SHUTDOWN];

/** File type reported in slot 2 of {@link NativeBinding.fileIdentity} / {@link NativeBinding.pathIdentity} (WIT `file-kind` order). */
export const FILE_TYPE = {
  other: 0,
  socket: 1,
  regular: 2,
  directory: 3,
  symlink: 4,
  fifo: 5,
  characterDevice: 6,
  blockDevice: 7,
} as const;

/** A value of {@link FILE_TYPE}. */
export type FileType = (typeof FILE_TYPE)[keyof typeof FILE_TYPE];

/**
 * Bits of `info[1]` after {@link NativeBinding.receiveMessage}: `truncated` — the message
 * was longer than `length` (MSG_TRUNC; the rest of a datagram is discarded);
 * `controlTruncated` — descriptors or credentials were lost (MSG_CTRUNC, or more
 * descriptors arrived than fdsOut holds; those were closed).
 */
export const MESSAGE_FLAG = { truncated: 1, controlTruncated: 2 } as const;

/** Event bits of {@link Poller.start} and the poller callback (UV_READABLE, UV_WRITABLE, UV_DISCONNECT). */
export const POLL_EVENT = { readable: 1, writable: 2, disconnect: 4 } as const;

/**
 * Poller callback: `status` is 0 or a negative libuv error (-errno on Unix;
 * libuv has stopped the watcher then); `events` is a {@link POLL_EVENT} bitmask.
 */
export type PollCallback = (status: number, events: number) => void;

/**
 * A readiness watcher on the main loop (native/src/readiness.h). While started it keeps
 * the process alive (unless unref'd) and itself reachable; close it before
 * closing its descriptor.
 */
export interface Poller {
  /** uv_poll_start(events): 0 | negative libuv error (-EBADF after close or a failed init, -EINVAL for unknown bits). Events 0 stops. */
  start(events: number): number;
  /** uv_poll_stop: always 0; no callback afterwards until the next start(). */
  stop(): number;
  /** uv_close: idempotent; no callback afterwards, the callback reference is released. */
  close(): void;
  /** uv_ref: the active watcher keeps the event loop alive (the default). */
  ref(): void;
  /** uv_unref: the watcher does not keep the event loop alive. */
  unref(): void;
}

/** Constructor of {@link Poller}: opens a readiness watch on fd; never throws for OS errors (start() reports them). */
export interface PollerConstructor {
  /** Watches `fd`; `callback(status, events)` runs on readiness. */
  new (fd: number, callback: PollCallback): Poller;
}

/**
 * Event types of {@link StreamEngine} callbacks (identical to the addon's own
 * `STREAM_EVENT` export).
 */
export const STREAM_EVENT = { data: 1, end: 2, error: 3, written: 4, shutdown: 5 } as const;

/** A value of {@link STREAM_EVENT}. */
export type StreamEventType = (typeof STREAM_EVENT)[keyof typeof STREAM_EVENT];

/**
 * StreamEngine callback, called with the engine as `this`:
 * - `data` (1): `b` (number[]) and `c` (number[]) only when descriptors came with the bytes
 *   (or were lost: over capacity or MSG_CTRUNC; those were closed): the callee owns `b`.
 *   The kernel ends a recv after bytes that carried descriptors; `c` holds 4 numbers per such
 *   recv: its [start, end) within `a`, how many of `b` (in order) came with it, and 1 when
 *   some were lost. `a` is a Buffer the callee owns (at most the read cap, default 256 KiB;
 *   one per readable wake-up). Reads of at most 2 KiB are views into a shared 32 KiB
 *   ArrayBuffer, like Buffer.allocUnsafe's pool; larger ones own their memory (reads of
 *   32–256 KiB sit on recycled blocks that return to a pool when the Buffer is collected).
 * - `end` (2): the peer shut down its write side; reading stopped for good.
 * - `error` (3): `a` is -errno (ECONNRESET, EPIPE, ...); reading stopped and the write
 *   queue (and a deferred shutdown) was dropped; no data events follow.
 * - `written` (4): `a` is the requestId of a queued write now fully in the kernel (in order).
 * - `shutdown` (5): `a` is the status (0 | -errno) of a deferred shutdown(SHUT_WR).
 * An exception thrown by the callback becomes an uncaught exception.
 */
export type StreamEventCallback = (type: number, a?: any, b?: any, c?: any) => void;

/**
 * The data path of a connected stream socket on one readiness watch. It never
 * closes its descriptor: call close() first, then close the fd. It watches
 * readable only while reading, writable only while writes are queued, and keeps
 * the process alive only then (unless unref'd).
 */
export interface StreamEngine {
  /** Start delivering `data` events: 0 | -errno (-EBADF after close, or the error opening the watch). */
  readStart(): number;
  /** Stop watching readable (back-pressure): 0 | -errno (-EBADF after close). No data event after it until readStart(). */
  readStop(): number;
  /**
   * Writes `chunks` in order after everything already queued (sendmsg, MSG_NOSIGNAL).
   * 1: all bytes were taken synchronously (no `written` event for this id);
   * 0: the rest is queued (the Buffers are referenced; do not modify them) and `written`
   * with `requestId` follows; -errno: immediate error, nothing queued (-EPIPE after
   * shutdownWrite() or a peer close, the error of an earlier `error` event, -EBADF after close).
   * `fds` go with the request's first byte (SCM_RIGHTS; the engine holds duplicates while
   * queued, so the caller may close its own at once); such a request needs at least one
   * byte (-EINVAL otherwise).
   */
  write(chunks: Uint8Array | readonly Uint8Array[], requestId: number, fds?: Int32Array): number;
  /** Bytes still queued. */
  writeQueueSize(): number;
  /**
   * shutdown(SHUT_WR) now when nothing is queued: 0 | -errno (no event); otherwise 1 and
   * the shutdown runs once the queue drained, reported by a `shutdown` event. Later writes
   * return -EPIPE.
   */
  shutdownWrite(): number;
  /** Most bytes delivered per data event (default 262144): 0 | -EINVAL (0 or above 64 MiB). */
  setReadCap(bytes: number): number;
  /**
   * Receive up to `count` descriptors per read (recvmsg + SCM_RIGHTS; default 0 = plain recv,
   * and the kernel discards any sent): 0 | -EINVAL (above 4 × SCM_MAX_FD).
   */
  setDescriptorCapacity(count: number): number;
  /** uv_close: idempotent, safe inside the callback; drops queued Buffers; no event afterwards. */
  close(): void;
  /** uv_ref: an active engine keeps the event loop alive (the default). */
  ref(): void;
  /** uv_unref: the engine does not keep the event loop alive. */
  unref(): void;
  /** Bytes received so far. */
  readonly bytesRead: number;
  /** Bytes handed to the kernel so far. */
  readonly bytesWritten: number;
}

/** Constructor of {@link StreamEngine}: opens a readiness watch on fd; never throws for OS errors. */
export interface StreamEngineConstructor {
  /** Drives the connected stream socket `fd`, reporting through `onEvent`. */
  new (fd: number, onEvent: StreamEventCallback): StreamEngine;
}

/** Compile-time facts about the platform the addon was built for. */
export interface NativeConstants {
  /** process.platform spelling of the target OS ("linux", "darwin", ...). */
  readonly platform: string;
  /** Linux abstract namespace (sun_path starting with NUL) is available. */
  readonly abstractNamespace: boolean;
  /** SOCK_SEQPACKET works with AF_UNIX. */
  readonly seqpacket: boolean;
  /** peerCredentials() is implemented (SO_PEERCRED or getpeereid). */
  readonly peerCredentials: boolean;
  /** SO_PASSCRED exists. */
  readonly passCredentials: boolean;
  /** accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC is used. */
  readonly acceptFlags: boolean;
  /** sizeof(struct sockaddr_un). */
  readonly sockaddrSize: number;
  /** Most descriptors one SCM_RIGHTS message may carry (253 on Linux). */
  readonly maxDescriptorsPerMessage: number;
}

/**
 * The addon's functions. A `sockaddr` argument is a raw `struct sockaddr_un`
 * whose byte length is the socklen passed to the kernel (at most
 * sizeof(struct sockaddr_storage), else -EINVAL). A `path` argument is raw bytes
 * without a trailing NUL (an inner NUL gives -EINVAL, PATH_MAX or more bytes
 * -ENAMETOOLONG). EINTR is retried inside the shim.
 */
export interface NativeBinding {
  /** socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC): fd | -errno (-EINVAL for an unknown type). */
  socket(type: number): number;
  /** socketpair(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC): 0 | -errno; the two fds go to out[0], out[1]. */
  socketPair(type: number, out: Int32Array): number;
  /** bind(fd, sockaddr): 0 | -errno. */
  bind(fd: number, sockaddr: Uint8Array): number;
  /** listen(fd, backlog): 0 | -errno. */
  listen(fd: number, backlog: number): number;
  /** connect(fd, sockaddr): 0 | -errno; -EINPROGRESS/-EAGAIN mean "not yet" (EINTR is reported as -EINPROGRESS). */
  connect(fd: number, sockaddr: Uint8Array): number;
  /** accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC) (accept + fcntl elsewhere): new fd | -errno. */
  accept(fd: number): number;
  /**
   * Accepts up to out.length pending connections (as {@link NativeBinding.accept}), writing
   * the new fds to out[0..n): n (0 when none is pending) | -errno when the first accept
   * fails (-EMFILE leaves the connection pending). A later failure ends the batch early
   * and shows up on the next call.
   */
  acceptBatch(listenFd: number, out: Int32Array): number;
  /** getsockname(fd): socklen returned by the kernel, clamped to out.length | -errno; the address bytes are copied into out. */
  getSockName(fd: number, out: Uint8Array): number;
  /** getpeername(fd): socklen returned by the kernel, clamped to out.length | -errno; the address bytes are copied into out. */
  getPeerName(fd: number, out: Uint8Array): number;
  /** shutdown(fd, how) with how from {@link SHUTDOWN}: 0 | -errno (-EINVAL for another how). */
  shutdown(fd: number, how: number): number;
  /** close(fd), never retried (EINTR counts as success on Linux): 0 | -errno. */
  close(fd: number): number;
  /** send(fd, buf[offset, offset + length), MSG_DONTWAIT | MSG_NOSIGNAL): bytes sent | -errno (-EPIPE, never SIGPIPE). */
  send(fd: number, buf: Uint8Array, offset: number, length: number): number;
  /**
   * recv(fd, buf[offset, offset + length), MSG_DONTWAIT): bytes received | 0 at EOF | -errno
   * (-EAGAIN when nothing is queued). length 0 returns 0 without a syscall; for
   * datagram sockets 0 may also be an empty datagram.
   */
  recv(fd: number, buf: Uint8Array, offset: number, length: number): number;
  /** sendmsg(fd, iovec of the first IOV_MAX bufs, MSG_DONTWAIT | MSG_NOSIGNAL): bytes written | -errno. */
  writev(fd: number, bufs: readonly Uint8Array[]): number;
  /**
   * sendmsg(fd, MSG_DONTWAIT | MSG_NOSIGNAL): bytes sent | -errno (-EAGAIN when the send
   * buffer is full, -EPIPE, never SIGPIPE). One iovec per buffer (more than IOV_MAX
   * buffers is a TypeError). A non-empty `fds` goes as one SCM_RIGHTS message; the kernel
   * judges the descriptors and their number (above {@link NativeConstants.maxDescriptorsPerMessage}
   * -EINVAL on Linux; more than 4 times that is a TypeError). `sockaddr` (null for none)
   * is the destination, as for {@link NativeBinding.connect}. `credentials` attaches an
   * SCM_CREDENTIALS message with this process's pid, euid and egid (Linux; -EOPNOTSUPP
   * elsewhere).
   */
  sendMessage(
    fd: number,
    bufs: Uint8Array | readonly Uint8Array[],
    fds: Int32Array | null,
    sockaddr: Uint8Array | null,
    credentials: boolean,
  ): number;
  /**
   * recvmsg(fd, buf[offset, offset + length), MSG_DONTWAIT | MSG_CMSG_CLOEXEC (FD_CLOEXEC
   * set afterwards elsewhere) | MSG_PEEK when `peek` | MSG_TRUNC on Linux): the message
   * length | 0 at EOF | -errno (-EAGAIN when nothing is queued). On Linux a datagram or
   * seqpacket message reports its real length even when longer than `length` (a zero
   * `length` measures and consumes, or with `peek` measures, the next datagram); stream
   * sockets and other platforms report the bytes copied. Received descriptors (close-on-exec)
   * go to fdsOut[0..info[2]); the control buffer has room for fdsOut.length of them (at most
   * 4 times {@link NativeConstants.maxDescriptorsPerMessage}) and any that arrive beyond
   * that are closed and flagged `controlTruncated`. A peek installs the descriptors too
   * (Linux duplicates them): close them. `addrOut` (null for none) receives the sender's
   * address, clamped to its length. On success `info` (length >= 8) is
   * [bytes copied into buf, {@link MESSAGE_FLAG} bits, descriptor count, address length
   * (0 when none), credentials present (1/0), pid, uid, gid]; the credentials come with
   * SO_PASSCRED on the receiving socket (Linux). On failure `info` is all zeros and
   * nothing else is written.
   */
  receiveMessage(
    fd: number,
    buf: Uint8Array,
    offset: number,
    length: number,
    fdsOut: Int32Array,
    addrOut: Uint8Array | null,
    info: Int32Array,
    peek: boolean,
  ): number;
  /**
   * sendmmsg (Linux; elsewhere sendmsg in a loop), flags as {@link NativeBinding.sendMessage}:
   * bufs[0..count) (count 1..64), each one message with no control data, in order, all to
   * `sockaddr` (null: the connected peer). Returns how many the kernel took (>= 1; it stops
   * at the first refusal) or, when it took none, that message's -errno.
   */
  sendMessages(fd: number, bufs: readonly Uint8Array[], count: number, sockaddr: Uint8Array | null): number;
  /**
   * Where {@link NativeBinding.receiveMessages} puts what it receives, until the next bind
   * (this thread's environment holds them alive): the data arena, descriptor slots, address
   * slots (128 bytes each) and info slots (9 per message).
   */
  bindReceiveArenas(arena: Uint8Array, fdsOut: Int32Array, addrOut: Uint8Array, info: Int32Array): void;
  /**
   * recvmmsg (Linux; elsewhere one recvmsg), flags as {@link NativeBinding.receiveMessage},
   * into the bound arenas: up to `count` (1..64) messages, message i into arena[i*slot,
   * (i+1)*slot), its descriptors into fdsOut[i*fdSlot, ...) (fdSlot at most 4 *
   * maxDescriptorsPerMessage; the excess is closed and flagged), its sender's address into
   * addrOut[i*128, ...) when `withAddresses`, and info[i*9, i*9 + 9) = receiveMessage's eight
   * info slots, then the real length. Returns the number of messages (>= 1) | -errno. A
   * seqpacket end of stream may fill several slots with empty messages.
   */
  receiveMessages(fd: number, slot: number, count: number, fdSlot: number, withAddresses: boolean): number;
  /** getsockopt(SO_PEERCRED) (getpeereid elsewhere): 0 | -errno; out = [pid, uid, gid], pid -1 where unknown. */
  peerCredentials(fd: number, out: Int32Array): number;
  /** O_NONBLOCK and FD_CLOEXEC set (true) or cleared (false) with fcntl: 0 | -errno. */
  setDescriptorFlags(fd: number, nonblocking: boolean, cloexec: boolean): number;
  /** fcntl(F_DUPFD_CLOEXEC): a new descriptor for the same open file | -errno. */
  duplicate(fd: number): number;
  /**
   * getsockopt(SOL_SOCKET, option from {@link SOCKET_OPTION}): 0 | -errno (-EINVAL for an unknown
   * option, -ENOPROTOOPT where absent); the value goes to out[0] (out[0..1] for linger; a new
   * close-on-exec descriptor for peerPidfd). peerGroups and peerSecurity take a Uint8Array and
   * return the value's byte length (more than out holds: nothing copied, ask again with that
   * much room; peerSecurity 0: no label) | -errno.
   */
  getSocketOption(fd: number, option: number, out: Int32Array | Uint8Array): number;
  /**
   * setsockopt(SOL_SOCKET, option from {@link SOCKET_OPTION}, a[, b]): 0 | -errno. Integer options
   * take a; linger takes a = onoff, b = seconds; timeouts take a = milliseconds (negative -EINVAL).
   */
  setSocketOption(fd: number, option: number, a: number, b?: number): number;
  /** fstat(fd): 0 | -errno; out = [st_dev, st_ino, {@link FILE_TYPE}]. A socket fd reports its sockfs inode, not its path's. */
  fileIdentity(fd: number, out: BigUint64Array): number;
  /** lstat(path): 0 | -errno; out = [st_dev, st_ino, {@link FILE_TYPE}]. */
  pathIdentity(path: Uint8Array, out: BigUint64Array): number;
  /** realpath(path) into out: its length | -errno (-ENAMETOOLONG when out is too small). */
  realPath(path: Uint8Array, out: Uint8Array): number;
  /**
   * poll(2) one descriptor for at most timeoutMs (blocks the thread; for synchronous
   * plugin guests only): the ready bits (1 readable, 2 writable, 4 hang-up; 0 on timeout) | -errno.
   */
  wait(fd: number, events: number, timeoutMs: number): number;
  /** unlink(path): 0 | -errno. */
  unlink(path: Uint8Array): number;
  /** umask(mask & 0o777): the previous mask (umask cannot fail). */
  setUmask(mask: number): number;
  /**
   * The readiness backend of watches (Poller, StreamEngine) opened from now on in this
   * environment (native/src/readiness.h): 0 | -errno (-ENOSYS: no reactor on this platform;
   * -EBUSY: back to libuv after the reactor started).
   */
  setReadiness(backend: 'libuv' | 'reactor'): number;
  /** The readiness backend in use. */
  readiness(): 'libuv' | 'reactor';
  /**
   * The reactor's counters and state, for diagnosis (null on libuv): threadsafe-function
   * calls queued, Drains run, calls queued again because a Drain had not started
   * (`nudges`, native/src/reactor.cc "Lost wake-ups"), events pending, whether a Drain is
   * queued, ref'd active watches, whether the threadsafe function is ref'd, open watches.
   */
  readinessStats(): { calls: number; drains: number; nudges: number; pending: number; signaled: boolean; holds: number; refed: boolean; watches: number } | null;
  /** Readiness watcher class (a uv_poll_t on Node, the reactor on Bun and Deno). */
  readonly Poller: PollerConstructor;
  /** Stream data engine class. */
  readonly StreamEngine: StreamEngineConstructor;
  /** Event types of the StreamEngine callback, as {@link STREAM_EVENT}. */
  readonly STREAM_EVENT: typeof STREAM_EVENT;
  // The C++ side of every numbering above (test/native/numberings.test.ts compares them).
  readonly SOCKET_TYPE: Readonly<Record<string, number>>;
  readonly SHUTDOWN: Readonly<Record<string, number>>;
  readonly SOCKET_OPTION: Readonly<Record<string, number>>;
  readonly FILE_TYPE: Readonly<Record<string, number>>;
  readonly MESSAGE_FLAG: Readonly<Record<string, number>>;
  readonly POLL_EVENT: Readonly<Record<string, number>>;
  /** Bits of {@link NativeBinding.wait}'s events and result (WIT `types.readiness`). */
  readonly WAIT_EVENT: Readonly<Record<string, number>>;
  /** Compile-time platform facts. */
  readonly constants: NativeConstants;
}

/** This process's C library (Linux). */
const LIBC = runningLibc();

/** The loaded addon (see {@link addonCandidates}). */
export const native: NativeBinding = loadAddon(addonCandidates(prebuildTargets(process.platform, process.arch, LIBC)), { libc: LIBC });

/**
 * The addon's socket option numbering, by SOL_SOCKET name (native/src/options.cc's
 * table): the names and value types users see are host/native/options.ts's.
 */
export const SOCKET_OPTION = native.SOCKET_OPTION as Readonly<Record<SocketOptionName, number>>;

if (READINESS !== 'libuv') {
  const r = native.setReadiness(READINESS);
  if (r < 0) throw new Error(`unixsock: the ${READINESS} readiness backend needed on ${RUNTIME.name} ${RUNTIME.version} could not start (errno ${-r})`);
}
