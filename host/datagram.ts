// DatagramSocket: a SOCK_DGRAM Unix socket. The engine component binds
// (path, abstract name, autobind or none; mode, stale recovery and
// ownership-checked unlink on close as for stream listeners) and connects;
// messages move through a MessageChannel on the descriptor.
import { EventEmitter } from 'node:events';
import { addressForMessage, encodeSockaddr, fromWitAddress, type SocketAddress, witAddress } from './address.js';
import { peerCredentials, type PeerCredentials } from './credentials.js';
import { invalidArgType, invalidArgValue, socketClosed } from './errors.js';
import { failureError, sockets } from './failures.js';
import { bytesOf, descriptorsOf, MessageChannel, type MessageInfo, type SendOptions } from './messages.js';
import { native } from './native.js';
import { getOption, setOption, type SocketOptionName, type SocketOptionValues } from './options.js';
import type { Owner } from './seqpacket.js';

/** Options of createDatagramSocket(). */
export interface DatagramSocketOptions {
  /** Bind to this address: a path, `{ abstract }`, or `{ unnamed: true }` (Linux autobind). Default: unbound. */
  bind?: unknown;
  /** Connect to this peer: send() goes there and only its datagrams are received. */
  connect?: unknown;
  /** Socket file permission bits (e.g. 0o600), in force from creation. */
  mode?: number;
  /** Unlink the socket file on close if it is still ours (default true). */
  unlinkOnClose?: boolean;
  /** Replace a stale socket file nobody is bound to (default true). */
  recoverStale?: boolean;
  /** Largest datagram received whole, in bytes (default 65536); longer ones arrive with `truncated: true`. */
  receiveSize?: number;
  /** Most descriptors accepted per datagram (default 253 = SCM_MAX_FD). */
  maxDescriptors?: number;
  /** Receive each sender's credentials (SO_PASSCRED + SCM_CREDENTIALS, Linux). */
  passCredentials?: boolean;
}

function positiveInteger(name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isInteger(value) || value < 1 || value > max) throw invalidArgValue(name, `must be an integer from 1 to ${max}. Received ${value}`);
  return value;
}

/**
 * A Unix datagram socket.
 *
 * ### Event: 'message' — `(data: Buffer, info: MessageInfo)`
 * Reading starts when the first 'message' listener is added (or on resume()).
 * ### Event: 'error' — a receive error; the socket stays open
 * ### Event: 'close'
 */
export class DatagramSocket extends EventEmitter {
  #owner: Owner | undefined;
  #fd: number;
  #channel: MessageChannel;
  #paused = false;
  #lastTarget: unknown;
  #lastSockaddr: Uint8Array | undefined;

  /** @internal Use createDatagramSocket() or socketPair({ type: 'datagram' }). */
  constructor(owner: Owner, fd: number, options: DatagramSocketOptions = {}) {
    super();
    this.#owner = owner;
    this.#fd = fd;
    const receiveSize = positiveInteger('options.receiveSize', options.receiveSize, 65536, 64 << 20);
    const maxDescriptors = positiveInteger('options.maxDescriptors', options.maxDescriptors, 253, 4096);
    this.#channel = new MessageChannel(fd, { receiveSize, maxDescriptors, addresses: true, zeroIsEnd: false }, {
      message: (data, info) => this.emit('message', data, info),
      end: () => {},
      error: (err) => this.emit('error', err),
    });
    this.on('newListener', (event) => {
      if (event === 'message' && !this.#paused) process.nextTick(() => this.#channel.startReading());
    });
  }

  /** The descriptor (-1 once closed). Owned by the socket: do not close it. */
  get fd(): number {
    return this.#fd;
  }

  /** Set the default peer (connect(2)). */
  connect(addr: unknown): void {
    const handle = this.#handle();
    const out = sockets().connectDatagram(handle, witAddress(addr));
    if (!out.ok) throw failureError(out.failure, addressForMessage(addr));
  }

  /** Send to the connected peer. Resolves once the kernel took the datagram; rejects with EMSGSIZE, ECONNREFUSED, … */
  send(data: unknown, options: SendOptions = {}): Promise<void> {
    try {
      this.#open();
      return this.#channel.send(bytesOf(data), descriptorsOf(options.fds), null, options.credentials === true);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Send to `addr`. */
  sendTo(data: unknown, addr: unknown, options: SendOptions = {}): Promise<void> {
    try {
      this.#open();
      return this.#channel.send(bytesOf(data), descriptorsOf(options.fds), this.#sockaddr(addr), options.credentials === true);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The encoded sockaddr of `addr`, validated by the engine; the last one is cached. */
  #sockaddr(addr: unknown): Uint8Array {
    if (addr !== this.#lastTarget || this.#lastSockaddr === undefined) {
      this.#lastSockaddr = encodeSockaddr(addr as Parameters<typeof encodeSockaddr>[0]);
      this.#lastTarget = typeof addr === 'string' ? addr : undefined;
    }
    return this.#lastSockaddr;
  }

  /** Stop reading (datagrams wait in the kernel's queue, up to its limit). */
  pause(): this {
    this.#paused = true;
    this.#channel.stopReading();
    return this;
  }

  resume(): this {
    this.#paused = false;
    if (this.#fd >= 0) this.#channel.startReading();
    return this;
  }

  /** Messages waiting for room in the kernel. */
  get queuedSends(): number {
    return this.#channel.queued;
  }

  /** The bound address (unnamed when not bound). */
  address(): SocketAddress | undefined {
    return this.#address(false);
  }

  /** The connected peer's address. */
  remoteAddress(): SocketAddress | undefined {
    return this.#address(true);
  }

  #address(peer: boolean): SocketAddress | undefined {
    const owner = this.#owner;
    if (owner === undefined) return undefined;
    if (!('handle' in owner)) return { unnamed: true };  // a socketpair end
    const out = peer ? sockets().datagramRemoteAddress(owner.handle) : sockets().datagramLocalAddress(owner.handle);
    return out.ok ? fromWitAddress(out.value) : undefined;
  }

  /** The connected peer's credentials (SO_PEERCRED). */
  peerCredentials(): PeerCredentials {
    return peerCredentials(this.#fd);
  }

  getOption<N extends SocketOptionName>(name: N): SocketOptionValues[N] {
    this.#open();
    return getOption(this.#fd, name);
  }

  setOption<N extends SocketOptionName>(name: N, value: SocketOptionValues[N]): void {
    this.#open();
    setOption(this.#fd, name, value);
  }

  /** Close: pending sends reject, the socket file is unlinked if still ours. */
  close(): Promise<void> {
    const owner = this.#owner;
    if (owner === undefined) return Promise.resolve();
    this.#owner = undefined;
    this.#channel.close();
    this.#fd = -1;
    let err: Error | undefined;
    if ('handle' in owner) {
      const out = sockets().closeDatagram(owner.handle);
      sockets().dropDatagram(owner.handle);
      if (!out.ok) err = failureError(out.failure);
    } else {
      native.close(owner.fd);
    }
    process.nextTick(() => this.emit('close'));
    return err === undefined ? Promise.resolve() : Promise.reject(err);
  }

  ref(): this {
    this.#channel.ref();
    return this;
  }

  unref(): this {
    this.#channel.unref();
    return this;
  }

  /** Messages as `[data, info]` pairs until the socket closes. */
  async *[Symbol.asyncIterator](): AsyncGenerator<[Buffer, MessageInfo]> {
    const queue: [Buffer, MessageInfo][] = [];
    let wake: (() => void) | undefined;
    let failure: Error | undefined;
    let closed = false;
    const onMessage = (data: Buffer, info: MessageInfo): void => {
      queue.push([data, info]);
      if (queue.length >= 1024) this.#channel.stopReading();
      wake?.();
    };
    const onError = (err: Error): void => { failure = err; wake?.(); };
    const onClose = (): void => { closed = true; wake?.(); };
    this.on('message', onMessage).on('error', onError).on('close', onClose);
    try {
      for (;;) {
        if (queue.length > 0) {
          yield queue.shift()!;
          if (queue.length === 0 && !this.#paused && this.#fd >= 0) this.#channel.startReading();
          continue;
        }
        if (failure !== undefined) throw failure;
        if (closed || this.#fd < 0) return;
        await new Promise<void>((resolve) => { wake = resolve; });
        wake = undefined;
      }
    } finally {
      this.off('message', onMessage).off('error', onError).off('close', onClose);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #open(): void {
    if (this.#owner === undefined) throw socketClosed();
  }

  /** The engine handle; a socketpair end has none (it is connected for good). */
  #handle(): number {
    const owner = this.#owner;
    if (owner === undefined) throw socketClosed();
    if (!('handle' in owner)) throw invalidArgValue('this', 'is a socketpair end: it is already connected for good');
    return owner.handle;
  }
}

/**
 * A datagram socket: bound (`bind`), connected (`connect`), both or neither.
 *
 * # Errors
 * `UnixsockAddressError` before any syscall for a bad address; `EADDRINUSE`
 * when a live socket or a non-socket file holds the path; `ECONNREFUSED` /
 * `ENOENT` for `connect`.
 */
export function createDatagramSocket(options: DatagramSocketOptions = {}): DatagramSocket {
  if (typeof options !== 'object' || options === null) throw invalidArgType('options', 'an object', options);
  const { mode } = options;
  if (mode !== undefined && (!Number.isInteger(mode) || mode < 0 || mode > 0o777)) throw invalidArgValue('options.mode', `must be an integer from 0 to 0o777. Received ${String(mode)}`);
  // Every argument is checked before anything is created.
  positiveInteger('options.receiveSize', options.receiveSize, 65536, 64 << 20);
  positiveInteger('options.maxDescriptors', options.maxDescriptors, 253, 4096);
  if (options.passCredentials !== undefined && typeof options.passCredentials !== 'boolean') throw invalidArgType('options.passCredentials', 'of type boolean', options.passCredentials);
  const bind = options.bind === undefined ? undefined : witAddress(options.bind, 'options.bind');
  const connectTo = options.connect === undefined ? undefined : witAddress(options.connect, 'options.connect');
  const out = sockets().bindDatagram(bind, {
    mode,
    unlinkOnClose: options.unlinkOnClose ?? true,
    recoverStale: options.recoverStale ?? true,
    workingDirectory: process.cwd(),
  });
  if (!out.ok) throw failureError(out.failure, addressForMessage(options.bind));
  const handle = out.value;
  let socket: DatagramSocket | undefined;
  try {
    socket = new DatagramSocket({ handle }, sockets().datagramDescriptor(handle), options);
    if (options.passCredentials === true) socket.setOption('SO_PASSCRED', true);
    if (connectTo !== undefined) {
      const c = sockets().connectDatagram(handle, connectTo);
      if (!c.ok) throw failureError(c.failure, addressForMessage(options.connect));
    }
    return socket;
  } catch (err) {
    if (socket !== undefined) void socket.close().catch(() => {});
    else {
      sockets().closeDatagram(handle);
      sockets().dropDatagram(handle);
    }
    throw err;
  }
}
