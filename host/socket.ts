// UnixSocket: a connected stream socket as a Node Duplex. Bytes move on the
// descriptor through the native StreamEngine (one uv_poll, batched reads,
// writev); the engine component owns the descriptor and closes it.
import { constants } from 'node:os';
import { Duplex, type DuplexOptions } from 'node:stream';
import type { SocketAddress } from './address.js';
import { peerCredentials, type PeerCredentials } from './credentials.js';
import { invalidArgValue } from './errors.js';
import { errnoError, failureError } from './failures.js';
import { native, SHUTDOWN, STREAM_EVENT, type StreamEngine } from './native.js';
import { getOption, setOption, type SocketOptionName, type SocketOptionValues } from './options.js';
import { closeOwner, type Owner, ownerAddress, ownerShutdown } from './owner.js';

/** Options of a UnixSocket. */
export interface UnixSocketOptions {
  /** Keep the writable side open after the peer ended (default false, as in node:net). */
  allowHalfOpen?: boolean;
  /** Most bytes per 'data' chunk (default 256 KiB). */
  readCap?: number;
}

const ENOTCONN = -constants.errno.ENOTCONN;

/**
 * A connected Unix stream socket.
 *
 * `end()` is shutdown(SHUT_WR) once written data has drained; writes after
 * the peer closed fail with an EPIPE error (never SIGPIPE).
 *
 * ### Event: 'data', 'end', 'error', 'close' (stream.Duplex)
 */
export class UnixSocket extends Duplex {
  #owner: Owner | undefined;
  #fd: number;
  #engine: StreamEngine | undefined;
  #nextId = 1;
  #pending = new Map<number, (err?: Error | null) => void>();
  #finalCallback: ((err?: Error | null) => void) | undefined;
  #reading = false;

  /** @internal Use connect(), accept() or socketPair(). */
  constructor(owner: Owner | undefined, fd: number, options: UnixSocketOptions = {}) {
    super({ allowHalfOpen: options.allowHalfOpen ?? false, decodeStrings: true } satisfies DuplexOptions);
    this.#owner = owner;
    this.#fd = fd;
    // A socket without a descriptor only exists to report a failed connect.
    if (fd >= 0) {
      this.#engine = new native.StreamEngine(fd, (type, a) => this.#onEvent(type, a));
      if (options.readCap !== undefined) this.#engine.setReadCap(options.readCap);
    }
  }

  #onEvent(type: number, a: unknown): void {
    switch (type) {
      case STREAM_EVENT.data:
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

  override _read(): void {
    if (this.#reading || this.#engine === undefined) return;
    this.#reading = true;
    this.#engine.readStart();
  }

  #send(data: Uint8Array | Uint8Array[], cb: (err?: Error | null) => void): void {
    if (this.#engine === undefined) {
      cb(failureError({ kind: 'invalid-state' }));
      return;
    }
    const id = this.#nextId++;
    const r = this.#engine.write(data, id);
    if (r === 1) cb();
    else if (r === 0) this.#pending.set(id, cb);
    else cb(errnoError(r, 'write'));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#send(chunk, cb);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    this.#send(chunks.map((c) => c.chunk), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.#engine === undefined) {
      cb();
      return;
    }
    const r = this.#engine.shutdownWrite();
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
    if (owner !== undefined) closeOwner(owner);
    this.#fd = -1;
    cb(err);
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
    if (this.#fd < 0) throw failureError({ kind: 'invalid-state' });
    return getOption(this.#fd, name);
  }

  /** setsockopt, typed: `socket.setOption('SO_SNDBUF', 1 << 20)`. */
  setOption<N extends SocketOptionName>(name: N, value: SocketOptionValues[N]): void {
    if (this.#fd < 0) throw failureError({ kind: 'invalid-state' });
    setOption(this.#fd, name, value);
  }

  /** Let the event loop exit while this socket is open. */
  unref(): this {
    this.#engine?.unref();
    return this;
  }

  ref(): this {
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
