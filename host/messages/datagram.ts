// DatagramSocket: a SOCK_DGRAM Unix socket. The engine component binds
// (path, abstract name, autobind or none; mode, stale recovery and
// ownership-checked unlink on close as for stream listeners) and connects;
// messages move through a MessageChannel on the descriptor.
import { addressForMessage, encodeSockaddr, type SocketAddress, witAddress } from '../address.js';
import { booleanOption, integerArgument, invalidArgValue, optionsArgument } from '../arguments.js';
import { failureError, sockets } from '../component/failures.js';
import { channelOptions, MessageSocket, type MessageSocketOptions, NO_ADDRESS, NO_OPTIONS } from './message-socket.js';
import type { MessageInfo } from './receive.js';
import type { SendOptions } from './channel.js';
import { closeOwner, type Owner, ownerAddress } from '../component/owner.js';

/** Options of createDatagramSocket(). */
export interface DatagramSocketOptions extends MessageSocketOptions {
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
  /** Receive each sender's credentials (SO_PASSCRED + SCM_CREDENTIALS, Linux). */
  passCredentials?: boolean;
}

/**
 * A Unix datagram socket.
 *
 * ### Event: 'message' — `(data: Buffer, info: MessageInfo)`
 * Reading starts when the first 'message' listener is added (or on resume()).
 * ### Event: 'error' — a receive error, or a write() failure without a callback; the socket stays open
 * ### Event: 'drain' — the write() queue emptied after write() returned false
 * ### Event: 'close'
 */
export class DatagramSocket extends MessageSocket {
  #lastTarget: string | undefined;
  #lastSockaddr: Uint8Array | undefined;

  /** @internal Use createDatagramSocket() or socketPair({ type: 'datagram' }). */
  constructor(owner: Owner, fd: number, options: DatagramSocketOptions = {}) {
    super(owner, fd, channelOptions(options, true, false));
  }

  /** Set the default peer (connect(2)). */
  connect(addr: unknown): void {
    const owner = this.openOwner();
    if (!('handle' in owner)) throw invalidArgValue('this', 'is a socketpair end: it is already connected for good');
    const out = sockets().connectDatagram(owner.handle, witAddress(addr));
    if (!out.ok) throw failureError(out.failure, addressForMessage(addr));
  }

  /** Send to the connected peer. Resolves once the kernel took the datagram; rejects with EMSGSIZE, ECONNREFUSED, … */
  send(data: unknown, options: SendOptions = NO_OPTIONS): Promise<void> {
    return this.sendMessage(data, options, NO_ADDRESS);
  }

  /** Send to `addr`. */
  sendTo(data: unknown, addr: unknown, options: SendOptions = NO_OPTIONS): Promise<void> {
    return this.sendMessage(data, options, () => this.#sockaddr(addr));
  }

  /**
   * Send to the connected peer without a promise: the datagram is queued and
   * goes out with the others written in this tick (one sendmmsg per 64 on
   * Linux). Returns false once 256 datagrams wait (wait for 'drain'); nothing
   * is ever dropped. A failure (EMSGSIZE, ECONNREFUSED, ...) goes to
   * `callback`, else to 'error'. Descriptors in `options.fds` are duplicated
   * at once: close yours when you like.
   */
  write(data: unknown, options: SendOptions = NO_OPTIONS, callback?: (err?: Error | null) => void): boolean {
    return this.writeMessage(data, options, null, callback);
  }

  /** write() to `addr` (a bad address throws). */
  writeTo(data: unknown, addr: unknown, options: SendOptions = NO_OPTIONS, callback?: (err?: Error | null) => void): boolean {
    return this.writeMessage(data, options, this.#sockaddr(addr), callback);
  }

  /** The encoded sockaddr of `addr`, validated by the engine; the last string address is cached. */
  #sockaddr(addr: unknown): Uint8Array {
    if (typeof addr === 'string' && addr === this.#lastTarget && this.#lastSockaddr !== undefined) return this.#lastSockaddr;
    const sockaddr = encodeSockaddr(addr as Parameters<typeof encodeSockaddr>[0]);
    this.#lastTarget = typeof addr === 'string' ? addr : undefined;
    this.#lastSockaddr = sockaddr;
    return sockaddr;
  }

  /** The bound address (unnamed when not bound). */
  address(): SocketAddress | undefined {
    return ownerAddress(this.owner, false, 'datagram');
  }

  /** The connected peer's address. */
  remoteAddress(): SocketAddress | undefined {
    return ownerAddress(this.owner, true, 'datagram');
  }

  /** Close: pending sends reject, the socket file is unlinked if still ours. */
  close(): Promise<void> {
    const err = this.release('datagram');
    return err === undefined ? Promise.resolve() : Promise.reject(err);
  }

  /** Messages as `[data, info]` pairs until the socket closes. */
  async *[Symbol.asyncIterator](): AsyncGenerator<[Buffer, MessageInfo]> {
    const queue: [Buffer, MessageInfo][] = [];
    let wake: (() => void) | undefined;
    let failure: Error | undefined;
    let closed = false;
    const onMessage = (data: Buffer, info: MessageInfo): void => {
      queue.push([data, info]);
      if (queue.length >= 1024) this.holdReading();
      wake?.();
    };
    const onError = (err: Error): void => { failure = err; wake?.(); };
    const onClose = (): void => { closed = true; wake?.(); };
    this.on('message', onMessage).on('error', onError).on('close', onClose);
    try {
      for (;;) {
        if (queue.length > 0) {
          yield queue.shift()!;
          if (queue.length === 0) this.releaseReading();
          continue;
        }
        if (failure !== undefined) throw failure;
        if (closed || this.fd < 0) return;
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
  optionsArgument(options);
  const { mode } = options;
  if (mode !== undefined) integerArgument(mode, 'options.mode', 0o777);
  // Every argument is checked before anything is created.
  channelOptions(options, true, false);
  booleanOption(options, 'passCredentials');
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
    else closeOwner({ handle }, 'datagram');
    throw err;
  }
}
