// RawSocket: the BSD socket calls one by one, Guile/Hare style, for people
// who want exactly the system calls — no stale-socket recovery, no unlink on
// close, no streams. Addresses are still validated and encoded by the engine
// component (never truncated); every call that may wait returns a promise
// and waits on libuv readiness (one uv_poll per socket), never blocking the
// event loop. Descriptors are non-blocking; send/recv use MSG_DONTWAIT.
import { constants } from 'node:os';
import { addressForMessage, decodeSockaddr, encodeSockaddr, type SocketAddress } from './address.js';
import { abortError, socketClosed } from './errors.js';
import { booleanOption as flag, integerArgument, invalidArgValue, optionsArgument as optionsObject } from './arguments.js';
import { errnoError } from './component/failures.js';
import { bytesOf } from './arguments.js';
import { type DescriptorLike, descriptorsOf } from './native/descriptors.js';
import { native, POLL_EVENT, type Poller, SHUTDOWN, SOCKET_OPTION, SOCKET_TYPE } from './native/native.js';
import { callerContext } from './native/context.js';
import { getOption, setOption, type SocketOptionName, type SocketOptionValues } from './native/options.js';

const EAGAIN = -constants.errno.EAGAIN;
const EINPROGRESS = -constants.errno.EINPROGRESS;
const NAME = new Uint8Array(128);
const INFO = new Int32Array(8);
const NO_FDS = new Int32Array(0);
const OPTION = new Int32Array(2);

/** A RawSocket's type. */
export type RawSocketType = keyof typeof SOCKET_TYPE;

/** Flags of send/recv calls that may wait. */
export interface WaitOptions {
  /** MSG_DONTWAIT: fail with EAGAIN instead of waiting. */
  dontwait?: boolean;
  /** Give up waiting (AbortError). */
  signal?: AbortSignal;
}

/** Flags of recv/recvFrom. */
export interface ReceiveOptions extends WaitOptions {
  /** MSG_PEEK: leave the data queued. */
  peek?: boolean;
  /** MSG_WAITALL (stream): wait until `size` bytes or the end. */
  waitall?: boolean;
}

/** Options of accept(). */
export interface RawAcceptOptions {
  /** O_NONBLOCK on the new descriptor (default true). RawSocket calls never block either way. */
  nonblocking?: boolean;
  /** FD_CLOEXEC on the new descriptor (default true). */
  cloexec?: boolean;
  signal?: AbortSignal;
}

function size(value: unknown): number {
  return integerArgument(value, 'size', 64 << 20);
}

interface Waiter {
  events: number;
  wake: (error?: Error) => void;
}

/** A socket driven call by call. */
export class RawSocket {
  #fd: number;
  readonly #type: RawSocketType;
  #poller: Poller | undefined;
  /** The async context the socket was made in: its readiness waits resume in it (host/native/context.ts). */
  readonly #context = callerContext('RawSocket');
  #waiters = new Set<Waiter>();
  #mask = 0;

  private constructor(fd: number, type: RawSocketType) {
    this.#fd = fd;
    this.#type = type;
  }

  /** socket(AF_UNIX, type) — non-blocking and close-on-exec. */
  static create(type: RawSocketType = 'stream'): RawSocket {
    if (typeof type !== 'string' || !Object.hasOwn(SOCKET_TYPE, type)) throw invalidArgValue('type', `must be 'stream', 'datagram' or 'seqpacket'. Received ${String(type)}`);
    const fd = native.socket(SOCKET_TYPE[type]);
    if (fd < 0) throw errnoError(fd, 'socket');
    return new RawSocket(fd, type);
  }

  /** The descriptor (-1 once closed). */
  get fd(): number {
    return this.#fd;
  }

  get type(): RawSocketType {
    return this.#type;
  }

  #open(): number {
    if (this.#fd < 0) throw socketClosed();
    return this.#fd;
  }

  /** bind(2) exactly `addr` (validated, never truncated); nothing is unlinked before or after. */
  bind(addr: unknown): void {
    const fd = this.#open();
    const r = native.bind(fd, encodeSockaddr(addr as never));
    if (r < 0) throw errnoError(r, 'bind', addressForMessage(addr));
  }

  /** listen(2). */
  listen(backlog = 511): void {
    integerArgument(backlog, 'backlog', Number.MAX_SAFE_INTEGER);
    const r = native.listen(this.#open(), backlog);
    if (r < 0) throw errnoError(r, 'listen');
  }

  /** accept4(2), waiting for a connection. */
  async accept(options?: RawAcceptOptions): Promise<RawSocket> {
    const o = optionsObject(options);
    const nonblocking = flag(o, 'nonblocking') ?? true;
    const cloexec = flag(o, 'cloexec') ?? true;
    const fd = await this.#until(POLL_EVENT.readable, () => native.accept(this.#open()), o.signal, false, 'accept');
    if (!nonblocking || !cloexec) {
      const r = native.setDescriptorFlags(fd, nonblocking, cloexec);
      if (r < 0) {
        native.close(fd);
        throw errnoError(r, 'accept');
      }
    }
    return new RawSocket(fd, this.#type);
  }

  /** connect(2); waits while a Linux listener's backlog is full (EAGAIN) or the connect is in progress. */
  async connect(addr: unknown, options?: { signal?: AbortSignal }): Promise<void> {
    const o = optionsObject(options);
    const sa = encodeSockaddr(addr as never);
    for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
      const r = native.connect(this.#open(), sa);
      if (r === 0) return;
      if (r === EINPROGRESS) {
        await this.#ready(POLL_EVENT.writable, o.signal);
        const e = native.getSocketOption(this.#open(), SOCKET_OPTION.SO_ERROR, OPTION);
        const error = e < 0 ? e : OPTION[0]!;
        if (error < 0) throw errnoError(error, 'connect', addressForMessage(addr));
        return;
      }
      if (r !== EAGAIN) throw errnoError(r, 'connect', addressForMessage(addr));
      if (o.signal?.aborted) throw abortError(o.signal);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** send(2) (sendmsg with `fds`): the bytes the kernel took. */
  async send(data: unknown, options?: WaitOptions & { fds?: readonly DescriptorLike[] }): Promise<number> {
    return this.#sendTo(data, null, options);
  }

  /** sendto(2): a datagram to `addr`. */
  async sendTo(data: unknown, addr: unknown, options?: WaitOptions & { fds?: readonly DescriptorLike[] }): Promise<number> {
    return this.#sendTo(data, encodeSockaddr(addr as never), options, addr);
  }

  async #sendTo(data: unknown, sockaddr: Uint8Array | null, options: (WaitOptions & { fds?: readonly DescriptorLike[] }) | undefined, addr?: unknown): Promise<number> {
    const o = optionsObject(options);
    const bufs = bytesOf(data);
    const fds = descriptorsOf(o.fds);
    const dontwait = flag(o, 'dontwait') ?? false;
    return this.#until(POLL_EVENT.writable, () => native.sendMessage(this.#open(), bufs, fds, sockaddr, false), o.signal, dontwait,
      sockaddr === null ? 'send' : 'sendto', addr);
  }

  /** recv(2) of at most `size` bytes; an empty Buffer at the end of a stream. */
  async recv(bytes = 65536, options?: ReceiveOptions): Promise<Buffer> {
    return (await this.#receive(bytes, options, false)).data;
  }

  /** recvfrom(2): the data and the sender's address (`{ unnamed: true }` for an unbound sender), and whether it was cut. */
  async recvFrom(bytes = 65536, options?: ReceiveOptions): Promise<{ data: Buffer; address: SocketAddress; truncated: boolean }> {
    return this.#receive(bytes, options, true) as Promise<{ data: Buffer; address: SocketAddress; truncated: boolean }>;
  }

  async #receive(bytes: number, options: ReceiveOptions | undefined, from: boolean): Promise<{ data: Buffer; address?: SocketAddress; truncated: boolean }> {
    const want = size(bytes);
    const o = optionsObject(options);
    const peek = flag(o, 'peek') ?? false;
    const waitall = (flag(o, 'waitall') ?? false) && this.#type === 'stream' && !peek;
    const dontwait = flag(o, 'dontwait') ?? false;
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    let address: SocketAddress | undefined;
    let truncated = false;
    do {
      const n = await this.#until(POLL_EVENT.readable, () => native.receiveMessage(this.#open(), buf, got, want - got, NO_FDS, from ? NAME : null, INFO, peek),
        o.signal, dontwait, from ? 'recvfrom' : 'recv');
      if (from && address === undefined) address = INFO[3]! > 0 ? decodeSockaddr(NAME.subarray(0, INFO[3]!)) : { unnamed: true };
      truncated ||= (INFO[1]! & 1) !== 0;
      got += INFO[0]!;
      if (n === 0) break;  // the end of the stream (or an empty datagram)
    } while (waitall && got < want);
    return { data: buf.subarray(0, got), address, truncated };
  }

  /** shutdown(2): 0|1|2 or 'read'|'write'|'both'. */
  shutdown(how: 0 | 1 | 2 | 'read' | 'write' | 'both'): void {
    const value = typeof how === 'string' && Object.hasOwn(SHUTDOWN, how) ? SHUTDOWN[how] : how;
    if (value !== 0 && value !== 1 && value !== 2) throw invalidArgValue('how', `must be 0, 1, 2, 'read', 'write' or 'both'. Received ${String(how)}`);
    const r = native.shutdown(this.#open(), value);
    if (r < 0) throw errnoError(r, 'shutdown');
  }

  /** getsockname(2), decoded (`{ unnamed: true }` while unbound). */
  getsockname(): SocketAddress {
    return this.#name(false);
  }

  /** getpeername(2), decoded; ENOTCONN without a peer. */
  getpeername(): SocketAddress {
    return this.#name(true);
  }

  #name(peer: boolean): SocketAddress {
    const fd = this.#open();
    const n = peer ? native.getPeerName(fd, NAME) : native.getSockName(fd, NAME);
    if (n < 0) throw errnoError(n, peer ? 'getpeername' : 'getsockname');
    return decodeSockaddr(NAME.subarray(0, n));
  }

  /** getsockopt, typed. */
  getOption<N extends SocketOptionName>(name: N): SocketOptionValues[N] {
    return getOption(this.#open(), name);
  }

  /** setsockopt, typed. */
  setOption<N extends SocketOptionName>(name: N, value: SocketOptionValues[N]): void {
    setOption(this.#open(), name, value);
  }

  /** close(2); waiting calls reject with ERR_SOCKET_CLOSED. A second close does nothing. */
  close(): void {
    if (this.#fd < 0) return;
    this.#poller?.close();
    this.#poller = undefined;
    native.close(this.#fd);
    this.#fd = -1;
    for (const w of this.#waiters) w.wake(socketClosed());
    this.#waiters.clear();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Run `attempt` until it is not EAGAIN, waiting for `events` in between. */
  async #until(events: number, attempt: () => number, signal: AbortSignal | undefined, dontwait: boolean, syscall: string, addr?: unknown): Promise<number> {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const r = attempt();
      if (r >= 0) return r;
      if (r !== EAGAIN || dontwait) throw errnoError(r, syscall, addr === undefined ? undefined : addressForMessage(addr));
      await this.#ready(events, signal);
    }
  }

  /** Resolves when the descriptor may be ready for `events` (or failed: the next call reports it). */
  #ready(events: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        events,
        wake: (error) => {
          signal?.removeEventListener('abort', onAbort);
          if (error) reject(error);
          else resolve();
        },
      };
      const onAbort = (): void => {
        this.#waiters.delete(waiter);
        this.#watch();
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(waiter);
      this.#watch();
    });
  }

  #watch(): void {
    let mask = 0;
    for (const w of this.#waiters) mask |= w.events;
    if (mask === this.#mask || this.#fd < 0) return;
    this.#poller ??= new native.Poller(this.#fd, this.#context.bind((status: number, ready: number) => this.#onReady(status, ready)));
    this.#mask = mask;
    const r = this.#poller.start(mask);
    if (r < 0) this.#onReady(r, mask);
  }

  #onReady(status: number, ready: number): void {
    for (const w of [...this.#waiters]) {
      if (status < 0 || (w.events & ready) !== 0 || (ready & POLL_EVENT.disconnect) !== 0) {
        this.#waiters.delete(w);
        w.wake();
      }
    }
    // libuv stops the watcher after an error: always re-apply the mask (0 stops it).
    this.#mask = -1;
    this.#watch();
  }
}
