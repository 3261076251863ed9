// UnixSocket: a connected stream socket as a Node Duplex. Bytes move on the
// descriptor through the native StreamEngine (one uv_poll, batched reads,
// writev); the engine component owns the descriptor and closes it.
import type net from 'node:net';
import { constants } from 'node:os';
import { Duplex, type DuplexOptions } from 'node:stream';
import type { SocketAddress } from './address.js';
import { peerCredentials, type PeerCredentials } from './native/credentials.js';
import { invalidArgValue, messageBytes, optionsArgument } from './arguments.js';
import { invalidState, socketClosed } from './errors.js';
import { type DescriptorLike, descriptorsOf, duplicates } from './native/descriptors.js';
import { errnoError, failureError } from './component/failures.js';
import { native, SHUTDOWN, STREAM_EVENT, type StreamEngine } from './native/native.js';
import { callerContext } from './native/context.js';
import { netHandoverKnown, netSocketOn } from './native/net-handover.js';
import { beforeIo, forgetBlocking } from './native/blocking.js';
import { getOption, setOption, type SocketOptionName, type SocketOptionValues } from './native/options.js';
import { closeOwner, type Owner, ownerAddress, ownerShutdown } from './component/owner.js';

/** Options of a UnixSocket. */
export interface UnixSocketOptions {
  /** Keep the writable side open after the peer ended (default false, as in node:net). */
  allowHalfOpen?: boolean;
  /** Most bytes per 'data' chunk (default 256 KiB). */
  readCap?: number;
  /**
   * Most descriptors received per read (default 253 = SCM_MAX_FD; more are closed and
   * reported as `truncated`). 0 reads with plain recv(2): the kernel discards any sent.
   */
  maxDescriptors?: number;
}

/** Where received descriptors sit in the byte stream: see UnixSocket's 'descriptors' event. */
export interface DescriptorsInfo {
  /** Stream offset of the first byte of the chunk they came with. */
  start: number;
  /** Stream offset just past that chunk; the byte they were sent with is in [start, end). */
  end: number;
  /** Some descriptors were lost (over `maxDescriptors`, or MSG_CTRUNC) and closed. */
  truncated: boolean;
}

/** Descriptors to send with a chunk (see UnixSocket.send). */
const ATTACHED = new WeakMap<Buffer, Int32Array>();

const ENOTCONN = -constants.errno.ENOTCONN;
const DEFAULT_MAX_DESCRIPTORS = 253;

/**
 * A connected Unix stream socket.
 *
 * `end()` is shutdown(SHUT_WR) once written data has drained; writes after
 * the peer closed fail with an EPIPE error (never SIGPIPE).
 *
 * ### Event: 'data', 'end', 'error', 'close' (stream.Duplex)
 * ### Event: 'descriptors' — `(fds: number[], info: DescriptorsInfo)`
 * Descriptors a peer sent (SCM_RIGHTS), emitted before the 'data' chunk that
 * holds the bytes they came with; the kernel delivers them with the read that
 * holds the first byte of the write that carried them, and
 * `info.start`/`info.end` give that read's place in the stream. One 'data'
 * chunk may gather several such reads (up to 64), each with its own event
 * before it, in order. They are yours to close (or adopt with fromFd,
 * or use with `fs`). Without a listener they are closed at once. Send them
 * with {@link UnixSocket.send}.
 */
export class UnixSocket extends Duplex {
  #owner: Owner | undefined;
  #fd: number;
  #engine: StreamEngine | undefined;
  #nextId = 1;
  #pending = new Map<number, (err?: Error | null) => void>();
  #finalCallback: ((err?: Error | null) => void) | undefined;
  #reading = false;
  /** maxDescriptors: the engine's receive capacity while a 'descriptors' listener is attached. */
  #capacity = 0;
  #readCap: number | undefined;
  #unrefed = false;
  readonly #context = callerContext('UnixSocket'); // the engine's callbacks run in it (native/context.ts)

  /** @internal Use connect(), accept() or socketPair(). */
  constructor(owner: Owner | undefined, fd: number, options: UnixSocketOptions = {}) {
    super({ allowHalfOpen: options.allowHalfOpen ?? false, decodeStrings: true } satisfies DuplexOptions);
    this.#owner = owner;
    this.#fd = fd;
    // A socket without a descriptor only exists to report a failed connect.
    if (fd >= 0) {
      this.#readCap = options.readCap;
      // Without a 'descriptors' listener received descriptors are closed at
      // once, which plain recv(2) does in the kernel: recvmsg (with room for
      // `maxDescriptors`) only once someone listens, back to recv when
      // descriptors arrive and nobody does any more. Either way the kernel
      // ends a read at the chunk that carried descriptors.
      this.#capacity = options.maxDescriptors ?? DEFAULT_MAX_DESCRIPTORS;
      if (this.#capacity > 0) {
        this.on('newListener', (event) => {
          if (event === 'descriptors') this.#engine?.setDescriptorCapacity(this.#capacity);
        });
      }
    }
  }

  /**
   * The native engine (one uv_poll on the descriptor), opened at the first
   * read, write or end: a connection closed before any I/O (refused by the
   * application, a probe) never pays for a poll handle. Undefined without a
   * descriptor or once destroyed.
   */
  #open(): StreamEngine | undefined {
    if (this.#engine === undefined && this.#fd >= 0) {
      beforeIo(this.#fd);
      const engine = new native.StreamEngine(this.#fd, this.#context.bind((type, a, b, c) => this.#onEvent(type, a, b, c)));
      if (this.#readCap !== undefined) engine.setReadCap(this.#readCap);
      if (this.#capacity > 0 && this.listenerCount('descriptors') > 0) engine.setDescriptorCapacity(this.#capacity);
      if (this.#unrefed) engine.unref();
      this.#engine = engine;
    }
    return this.#engine;
  }

  #onEvent(type: number, a: unknown, b?: number[], c?: number[]): void {
    switch (type) {
      case STREAM_EVENT.data:
        if (b !== undefined) this.#onDescriptors(b, c!, (a as Buffer).length);
        if (!this.push(a as Buffer)) {
          this.#reading = false;
          this.#engine?.readStop();
        }
        return;
      case STREAM_EVENT.end:
        this.push(null);
        return;
      case STREAM_EVENT.error:
        this.destroy(errnoError(a as number, 'read'));
        return;
      case STREAM_EVENT.written: {
        const cb = this.#pending.get(a as number);
        this.#pending.delete(a as number);
        cb?.();
        return;
      }
      case STREAM_EVENT.shutdown: {
        const cb = this.#finalCallback;
        this.#finalCallback = undefined;
        const status = a as number;
        cb?.(status < 0 && status !== ENOTCONN ? errnoError(status, 'shutdown') : null);
      }
    }
  }

  /**
   * The descriptors of one data event of `length` bytes: `chunks` holds, per
   * recv that brought some, [start, end) within the event's bytes, how many
   * of `fds` are its own, and 1 when some were lost. A 'descriptors' event
   * each, in order, before the bytes are pushed; without a listener (or once
   * destroyed) the rest are closed, and without a listener the engine stops
   * receiving descriptors.
   */
  #onDescriptors(fds: number[], chunks: number[], length: number): void {
    const base = (this.#engine?.bytesRead ?? 0) - length;
    let next = 0;
    let unheard = false;
    for (let i = 0; i < chunks.length; i += 4) {
      const count = chunks[i + 2]!;
      const mine = fds.slice(next, next + count);
      next += count;
      unheard ||= this.destroyed || this.listenerCount('descriptors') === 0;
      if (unheard) for (const fd of mine) native.close(fd);
      else this.emit('descriptors', mine, { start: base + chunks[i]!, end: base + chunks[i + 1]!, truncated: chunks[i + 3] === 1 } satisfies DescriptorsInfo);
    }
    if (unheard && !this.destroyed) this.#engine?.setDescriptorCapacity(0);
  }

  override _read(): void {
    if (this.#reading) return;
    const engine = this.#open();
    if (engine === undefined) return;
    this.#reading = true;
    engine.readStart();
  }

  #send(data: Buffer | Buffer[], cb: (err?: Error | null) => void, fds?: Int32Array): void {
    const engine = this.#open();
    if (engine === undefined) {
      cb(failureError({ kind: 'invalid-state' }));
      return;
    }
    const id = this.#nextId++;
    const r = engine.write(data, id, fds);
    if (r === 1) cb();
    else if (r === 0) this.#pending.set(id, cb);
    else cb(errnoError(r, fds === undefined ? 'write' : 'sendmsg'));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#send(chunk, cb, ATTACHED.get(chunk));
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    // A chunk carrying descriptors starts a request of its own: they go with its first byte.
    const groups: { data: Buffer[]; fds?: Int32Array }[] = [];
    for (const { chunk } of chunks) {
      const fds = ATTACHED.get(chunk);
      if (fds !== undefined || groups.length === 0) groups.push({ data: [chunk], fds });
      else groups[groups.length - 1]!.data.push(chunk);
    }
    if (groups.length === 1) {
      this.#send(groups[0]!.data, cb, groups[0]!.fds);
      return;
    }
    let left = groups.length;
    let failed = false;
    for (const group of groups) {
      this.#send(group.data, (err) => {
        if (failed) return;
        if (err) {
          failed = true;
          cb(err);
        } else if (--left === 0) cb();
      }, group.fds);
    }
  }

  /**
   * Write `data` with descriptors (SCM_RIGHTS), in order with every other
   * write: numbers, FileHandles or sockets (anything with `fd`). They travel
   * with the first byte of `data`, which must hold at least one byte (the
   * kernel passes descriptors only with data). Yours stay yours: duplicates
   * travel, so you may close them as soon as send() returns. Resolves once
   * the kernel has taken all of `data`.
   *
   * # Errors
   * `ERR_INVALID_ARG_TYPE`, `ERR_OUT_OF_RANGE` or `ERR_INVALID_ARG_VALUE`
   * for bad arguments or empty data (thrown);
   * a rejection with EBADF for a closed descriptor (nothing sent), or the
   * write error (EPIPE, ECONNRESET, ETOOMANYREFS).
   */
  send(data: unknown, options: { fds?: readonly DescriptorLike[] } = {}): Promise<void> {
    optionsArgument(options);
    // A lone Buffer/Uint8Array goes as it is (no copy), as write() takes it.
    const parts = messageBytes(data);
    const fds = descriptorsOf(options.fds);
    if (fds === null) {
      const chunk = Array.isArray(parts) ? Buffer.concat(parts) : parts;
      return new Promise((resolve, reject) => this.write(chunk, (err) => (err ? reject(err) : resolve())));
    }
    const length = Array.isArray(parts) ? parts.reduce((n, p) => n + p.byteLength, 0) : parts.byteLength;
    if (length === 0) throw invalidArgValue('data', 'must hold at least one byte to carry descriptors');
    // Nothing in flight in the Writable: straight to the engine, which keeps
    // the order with later writes and duplicates only what it must queue; a
    // refusal (EBADF, EPIPE) rejects without touching the stream.
    const idle = this.writableLength === 0 && this.writableCorked === 0 && !this.writableEnded && !this.destroyed;
    const engine = idle ? this.#open() : undefined;
    if (engine !== undefined) {
      const id = this.#nextId++;
      const r = engine.write(parts, id, fds);
      if (r === 1) return Promise.resolve();
      if (r < 0) return Promise.reject(errnoError(r, 'sendmsg'));
      return new Promise((resolve, reject) => this.#pending.set(id, (err) => (err ? reject(err) : resolve())));
    }
    // Behind buffered writes: our own duplicates wait with the chunk, so the
    // caller may close its descriptors right away.
    let held: Int32Array;
    try {
      held = duplicates(fds);
    } catch (err) {
      return Promise.reject(err);
    }
    // A Buffer of its own: the key its descriptors wait under.
    const bytes = Buffer.concat(Array.isArray(parts) ? parts : [parts]);
    ATTACHED.set(bytes, held);
    return new Promise((resolve, reject) => {
      this.write(bytes, (err) => {
        for (const fd of held) native.close(fd);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  override _final(cb: (err?: Error | null) => void): void {
    const engine = this.#open();
    if (engine === undefined) return cb();
    const r = engine.shutdownWrite();
    if (r === 1) this.#finalCallback = cb;
    // ENOTCONN: the peer is already gone, so there is nothing left to shut down.
    else cb(r < 0 && r !== ENOTCONN ? errnoError(r, 'shutdown') : null);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.#engine?.close();
    for (const pending of this.#pending.values()) pending(err ?? new Error('socket destroyed'));
    this.#pending.clear();
    const owner = this.#owner;
    this.#owner = undefined;
    forgetBlocking(this.#fd);
    if (owner !== undefined) closeOwner(owner);
    this.#fd = -1;
    cb(err);
  }

  /**
   * Hand this connection over to a node:net `net.Socket`, for what insists
   * on one: `http2.connect(url, { createConnection: () => socket })`,
   * `tls.connect({ socket })`, ws. unixsock keeps everything it decided
   * (the exact address, the peer); the bytes then move through libuv, and
   * this UnixSocket closes (its own descriptor only: the connection lives on
   * in the net.Socket, which owns a duplicate).
   *
   * Only for a connection that carries no descriptors (a net.Socket reads
   * with plain read(2): the kernel closes any a peer sends) and before its
   * first read or write here. Not on Bun 1.4, whose net.Socket({ fd }) does
   * not read (see capabilities in the README).
   *
   * # Errors
   * Thrown, with this socket unchanged and no descriptor left open:
   * `ERR_SOCKET_CLOSED` once destroyed; `ERR_INVALID_STATE` after it has
   * read or written, while it flows, or with a 'descriptors' listener;
   * `ERR_NOT_SUPPORTED` where node:net cannot take a descriptor; EMFILE.
   */
  toNetSocket(): net.Socket {
    if (this.#fd < 0 || this.destroyed) throw socketClosed();
    if (this.#engine !== undefined || this.readableFlowing === true || this.readableLength > 0 || this.writableLength > 0 || this.writableEnded) {
      throw invalidState('the socket has already read or written; hand it over before its first I/O');
    }
    if (this.listenerCount('descriptors') > 0) throw invalidState('the socket has a \'descriptors\' listener; a net.Socket cannot receive descriptors');
    if (netHandoverKnown() === false) throw Object.assign(new Error('node:net on this runtime cannot run a socket on a descriptor'), { code: 'ERR_NOT_SUPPORTED' });
    const socket = netSocketOn(this.#fd, this.allowHalfOpen);
    this.destroy();
    return socket;
  }

  /** The descriptor (-1 once destroyed). Owned by the socket: do not close it. */
  get fd(): number {
    return this.#fd;
  }

  /** shutdown(2) one or both directions; 'write' waits for queued data like end(). */
  shutdown(how: 'read' | 'write' | 'both' = 'both'): void {
    if (!Object.hasOwn(SHUTDOWN, how)) throw invalidArgValue('how', `must be 'read', 'write' or 'both'. Received ${String(how)}`);
    if (how === 'write') {
      this.end();
      return;
    }
    ownerShutdown(this.#owner, SHUTDOWN[how]);
  }

  /** The local address, decoded (abstract names exact; socketpair ends unnamed). */
  get localAddress(): SocketAddress | undefined {
    return ownerAddress(this.#owner, false);
  }

  /** The peer's address, decoded. */
  get remoteAddress(): SocketAddress | undefined {
    return ownerAddress(this.#owner, true);
  }

  /** The peer process's pid, uid and gid (SO_PEERCRED). */
  peerCredentials(): PeerCredentials {
    return peerCredentials(this.#fd);
  }

  /** getsockopt, typed: `socket.getOption('SO_SNDBUF')`. */
  getOption<N extends SocketOptionName>(name: N): SocketOptionValues[N] {
    return getOption(this.#fd, name);
  }

  /** setsockopt, typed: `socket.setOption('SO_SNDBUF', 1 << 20)`. */
  setOption<N extends SocketOptionName>(name: N, value: SocketOptionValues[N]): void {
    setOption(this.#fd, name, value);
  }

  /** Let the event loop exit while this socket is open. */
  unref(): this {
    this.#unrefed = true;
    this.#engine?.unref();
    return this;
  }

  ref(): this {
    this.#unrefed = false;
    this.#engine?.ref();
    return this;
  }

  /** Bytes received and sent. */
  get bytesRead(): number {
    return this.#engine?.bytesRead ?? 0;
  }

  get bytesWritten(): number {
    return this.#engine?.bytesWritten ?? 0;
  }

  override async [Symbol.asyncDispose](): Promise<void> {
    if (this.destroyed) return;
    await new Promise<void>((resolve) => {
      this.once('close', () => resolve());
      this.destroy();
    });
  }
}
