// UnixServer: a listening stream socket. The engine component binds (with
// stale-socket recovery, mode and ownership-checked unlink); the native
// addon accepts in batches on one uv_poll; each accepted descriptor is
// handed to the engine (`listener.adopt`) before it becomes a UnixSocket.
import { integerArgument } from './arguments.js';
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import { addressForMessage, fromWitAddress, type SocketAddress, witAddress } from './address.js';
import { abortError } from './errors.js';
import { closeOwner } from './component/owner.js';
import { errnoError, failureError, sockets } from './component/failures.js';
import { native, POLL_EVENT, type Poller } from './native/native.js';
import { callerContext } from './native/context.js';
import { UnixSocket, type UnixSocketOptions } from './socket.js';

/** Options of listen() and server.listen(). */
export interface ListenOptions extends UnixSocketOptions {
  /** listen(2) backlog (default 511, as node:net). */
  backlog?: number;
  /** Socket file permission bits (e.g. 0o600), in force from creation. */
  mode?: number;
  /** Unlink the socket file on close if it is still ours (default true). */
  unlinkOnClose?: boolean;
  /** Replace a stale socket file nobody listens on (default true). */
  recoverStale?: boolean;
  /** Abort listening: closes the server. */
  signal?: AbortSignal;
}

const BATCH = new Int32Array(64);
const EAGAIN = -constants.errno.EAGAIN;
const EMFILE = -constants.errno.EMFILE;
const ENFILE = -constants.errno.ENFILE;
/** Back-off before accepting again after EMFILE/ENFILE. */
const EXHAUSTED_RETRY_MS = 50;

function notRunning(): Error {
  return Object.assign(new Error('Server is not running.'), { code: 'ERR_SERVER_NOT_RUNNING' });
}

/** @internal What a server accepts: the socket type and the object wrapping each connection. */
export interface ServerKind<S> {
  type: 'stream' | 'seqpacket';
  wrap(handle: number, fd: number, options: ListenOptions): S;
  discard(socket: S): void;
}

export const STREAM: ServerKind<UnixSocket> = {
  type: 'stream',
  wrap: (handle, fd, options) => new UnixSocket({ handle }, fd, options),
  discard: (socket) => socket.destroy(),
};

interface Waiter<S> {
  resolve: (s: S) => void;
  reject: (e: Error) => void;
}

/**
 * A listening Unix stream socket.
 *
 * ### Event: 'listening'
 * ### Event: 'connection' — `(socket: UnixSocket)`; without listeners, connections wait for accept()
 * ### Event: 'error' — accept errors such as EMFILE (the server keeps listening)
 * ### Event: 'close'
 */
export class UnixServer<S = UnixSocket> extends EventEmitter {
  #handle = 0;
  #fd = -1;
  #poller: Poller | undefined;
  /** The async context of listen(): connections are announced in it (host/native/context.ts). */
  readonly #context = callerContext('UnixServer');
  #queue: S[] = [];
  readonly #kind: ServerKind<S>;
  #waiters: Waiter<S>[] = [];
  #options: ListenOptions;
  #address: SocketAddress | undefined;
  #polling = false;
  #retry: NodeJS.Timeout | undefined;
  #refed = true;

  constructor(options: ListenOptions = {}, onConnection?: (socket: S) => void, kind: ServerKind<S> = STREAM as unknown as ServerKind<S>) {
    super();
    this.#kind = kind;
    this.#options = options;
    if (onConnection !== undefined) this.on('connection', onConnection);
    this.on('newListener', (event) => {
      if (event === 'connection') queueMicrotask(() => this.#flush());
    });
  }

  /**
   * Bind and listen (net-style). Errors are emitted as 'error' (and passed to no callback).
   * @param addr any address input form
   */
  listen(addr: unknown, options?: ListenOptions | (() => void), callback?: () => void): this {
    if (typeof options === 'function') [callback, options] = [options, undefined];
    if (options !== undefined) this.#options = { ...this.#options, ...options };
    try {
      this.bind(addr);
      if (callback !== undefined) this.once('listening', callback);
      process.nextTick(() => this.emit('listening'));
    } catch (err) {
      process.nextTick(() => this.emit('error', err));
    }
    return this;
  }

  /** @internal Bind synchronously, throwing on failure. */
  bind(addr: unknown): void {
    if (this.#handle !== 0) throw Object.assign(new Error('Listen method has been called more than once without closing.'), { code: 'ERR_SERVER_ALREADY_LISTEN' });
    const o = this.#options;
    const wit = witAddress(addr);
    const { backlog, mode } = listenNumbers(o.backlog, o.mode, 511);
    const out = sockets().listen(wit, {
      socketType: this.#kind.type,
      backlog,
      mode,
      unlinkOnClose: o.unlinkOnClose ?? true,
      recoverStale: o.recoverStale ?? true,
      workingDirectory: process.cwd(),
    });
    if (!out.ok) throw failureError(out.failure, addressForMessage(addr));
    this.attach(out.value);
  }

  /** @internal Serve the engine listener `handle` (bound here, or adopted by fromFd()). */
  attach(handle: number): void {
    const o = this.#options;
    this.#handle = handle;
    this.#fd = sockets().listenerDescriptor(handle);
    const address = sockets().listenerAddress(handle);
    this.#address = address.ok ? fromWitAddress(address.value) : undefined;
    this.#poller = new native.Poller(this.#fd, this.#context.bind((status: number) => this.#onReadable(status)));
    if (!this.#refed) this.#poller.unref();
    this.#arm();
    const signal = o.signal;
    if (signal !== undefined) {
      if (signal.aborted) this.close();
      else signal.addEventListener('abort', () => this.close(), { once: true });
    }
  }

  #arm(): void {
    if (this.#poller === undefined || this.#polling) return;
    this.#polling = true;
    this.#poller.start(POLL_EVENT.readable);
  }

  #pause(): void {
    if (!this.#polling) return;
    this.#polling = false;
    this.#poller?.stop();
  }

  /** Accept everything pending, in batches. */
  #drain(): void {
    while (this.#handle !== 0) {
      const n = native.acceptBatch(this.#fd, BATCH);
      if (n === 0 || n === EAGAIN) return;
      if (n < 0) {
        if (n === EMFILE || n === ENFILE) {
          // Out of descriptors: the connection stays pending; try again shortly.
          this.#pause();
          this.#retry = setTimeout(() => {
            this.#retry = undefined;
            this.#arm();
          }, EXHAUSTED_RETRY_MS);
          if (!this.#refed) this.#retry.unref();
        }
        if (this.listenerCount('error') > 0) this.emit('error', errnoError(n, 'accept'));
        return;
      }
      for (let i = 0; i < n; i++) this.#deliver(BATCH[i]!);
      if (n < BATCH.length) return;
    }
  }

  #onReadable(status: number): void {
    if (status < 0) {
      if (this.listenerCount('error') > 0) this.emit('error', errnoError(status, 'accept'));
      return;
    }
    this.#drain();
  }

  #deliver(fd: number): void {
    const out = sockets().adoptAccepted(this.#handle, fd);
    if (!out.ok) {
      native.close(fd);
      return;
    }
    const socket = this.#kind.wrap(out.value, fd, this.#options);
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter.resolve(socket);
    else if (this.listenerCount('connection') > 0) this.emit('connection', socket);
    else {
      this.#queue.push(socket);
      // Nobody is taking connections: leave the rest in the kernel's backlog.
      if (this.#queue.length >= 64) this.#pause();
    }
  }

  #flush(): void {
    while (this.#queue.length > 0 && this.listenerCount('connection') > 0) this.emit('connection', this.#queue.shift());
    if (this.#queue.length < 64 && this.#handle !== 0 && this.#retry === undefined) this.#arm();
  }

  /**
   * The next connection; waits without blocking the event loop.
   * # Errors
   * `ERR_SERVER_NOT_RUNNING` once closed; `AbortError` when `signal` aborts.
   */
  accept(options: { signal?: AbortSignal } = {}): Promise<S> {
    const queued = this.#queue.shift();
    if (queued !== undefined) {
      this.#flush();
      return Promise.resolve(queued);
    }
    if (this.#handle === 0) return Promise.reject(notRunning());
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<S>((resolve, reject) => {
      const waiter: Waiter<S> = {
        resolve: (s) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(s);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      const onAbort = (): void => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#arm();
    });
  }

  /**
   * @internal Stop accepting here and return a duplicate of the listening
   * descriptor, for another acceptor (node:net's `server.listen({ fd })`).
   * The server keeps its own descriptor: close() still unlinks the socket
   * file if it is still ours. Throws ERR_SERVER_NOT_RUNNING, or the dup error.
   */
  handOver(): number {
    if (this.#handle === 0) throw notRunning();
    const fd = native.duplicate(this.#fd);
    if (fd < 0) throw errnoError(fd, 'dup');
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#poller?.close();
    this.#poller = undefined;
    this.#polling = false;
    return fd;
  }

  /** Whether accept() would resolve at once (CHICKEN's unix-accept-ready?). */
  acceptReady(): boolean {
    if (this.#queue.length === 0 && this.#handle !== 0) {
      const n = native.acceptBatch(this.#fd, BATCH);
      for (let i = 0; i < n; i++) {
        const out = sockets().adoptAccepted(this.#handle, BATCH[i]!);
        if (out.ok) this.#queue.push(this.#kind.wrap(out.value, BATCH[i]!, this.#options));
        else native.close(BATCH[i]!);
      }
    }
    return this.#queue.length > 0;
  }

  /** Connections until the server closes. */
  async *[Symbol.asyncIterator](): AsyncGenerator<S> {
    while (this.#handle !== 0 || this.#queue.length > 0) {
      try {
        yield await this.accept();
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_SERVER_NOT_RUNNING') return;
        throw err;
      }
    }
  }

  /**
   * Stop listening: unlink the socket file if it is still ours, close the
   * descriptor, reject pending accept() calls, destroy queued connections.
   * Connections already handed out stay open.
   */
  close(callback?: (err?: Error) => void): this {
    if (this.#handle === 0) {
      if (callback !== undefined) process.nextTick(callback, notRunning());
      return this;
    }
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#poller?.close();
    this.#poller = undefined;
    this.#polling = false;
    const handle = this.#handle;
    this.#handle = 0;
    this.#fd = -1;
    const err = closeOwner({ handle }, 'listener');
    for (const w of this.#waiters.splice(0)) w.reject(notRunning());
    for (const s of this.#queue.splice(0)) this.#kind.discard(s);
    process.nextTick(() => {
      callback?.(err);
      this.emit('close');
    });
    return this;
  }

  /** The bound address, decoded; undefined before listen or after close. */
  address(): SocketAddress | undefined {
    return this.#handle === 0 ? undefined : this.#address;
  }

  /** The socket file path, for pathname sockets. */
  get path(): string | Buffer | undefined {
    const a = this.address();
    return a !== undefined && 'path' in a ? a.path : undefined;
  }

  /** The listening descriptor (-1 when not listening). */
  get fd(): number {
    return this.#fd;
  }

  get listening(): boolean {
    return this.#handle !== 0;
  }

  ref(): this {
    this.#refed = true;
    this.#poller?.ref();
    return this;
  }

  unref(): this {
    this.#refed = false;
    this.#poller?.unref();
    this.#retry?.unref();
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#handle === 0) return;
    await new Promise<void>((resolve) => this.close(() => resolve()));
  }
}

/** The `backlog` (default `fallback`) and `mode` options of a listen, checked. */
export function listenNumbers(backlog: unknown, mode: unknown, fallback: number): { backlog: number; mode: number | undefined } {
  const b = integerArgument(backlog ?? fallback, 'options.backlog', Number.MAX_SAFE_INTEGER);
  return { backlog: b, mode: mode === undefined ? undefined : integerArgument(mode, 'options.mode', 0o777) };
}
