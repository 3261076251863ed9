// SeqpacketSocket: a connected SOCK_SEQPACKET Unix socket — reliable,
// ordered, connection-oriented, with message boundaries kept.
//
// End of stream vs. an empty record: recvmsg returns 0 for both. On Linux the
// socket turns SO_PASSCRED on, so every record carries the sender's
// credentials and a 0-byte read without them is the end of the stream: an
// empty record arrives as a 'message' with an empty Buffer, the end as 'end'.
// Where SO_PASSCRED does not exist, a 0-byte read is taken as the end.
import { EventEmitter } from 'node:events';
import { addressForMessage, fromWitAddress, type SocketAddress, witAddress } from './address.js';
import { peerCredentials, type PeerCredentials } from './credentials.js';
import { invalidArgValue, socketClosed } from './errors.js';
import { errnoError, failureError, sockets } from './failures.js';
import { bytesOf, descriptorsOf, MessageChannel, type MessageInfo, type SendOptions } from './messages.js';
import { native, SHUTDOWN, SOCKET_OPTION } from './native.js';
import { getOption, setOption, type SocketOptionName, type SocketOptionValues } from './options.js';
import { type ListenOptions, type ServerKind, UnixServer } from './server.js';

/** Options of a SeqpacketSocket. */
export interface SeqpacketSocketOptions {
  /** Largest record received whole, in bytes (default 65536); longer ones arrive with `truncated: true`. */
  receiveSize?: number;
  /** Most descriptors accepted per record (default 253 = SCM_MAX_FD). */
  maxDescriptors?: number;
}

/** Who closes the descriptor: the engine (a connection handle) or this object (a socketpair end). */
export type Owner = { handle: number } | { fd: number };

/**
 * A connected seqpacket socket.
 *
 * ### Event: 'message' — `(data: Buffer, info: MessageInfo)`; reading starts with the first listener
 * ### Event: 'end' — the peer closed or shut down its write side
 * ### Event: 'error'
 * ### Event: 'close'
 */
export class SeqpacketSocket extends EventEmitter {
  #owner: Owner | undefined;
  #fd: number;
  #channel: MessageChannel;
  #paused = false;

  /** @internal Use connectSeqpacket(), a SeqpacketServer, or socketPair({ type: 'seqpacket' }). */
  constructor(owner: Owner, fd: number, options: SeqpacketSocketOptions = {}) {
    super();
    this.#owner = owner;
    this.#fd = fd;
    // See the header: credentials tell an empty record from the end.
    if (native.constants.passCredentials) native.setSocketOption(fd, SOCKET_OPTION.passCredentials, 1);
    this.#channel = new MessageChannel(fd, {
      receiveSize: options.receiveSize ?? 65536,
      maxDescriptors: options.maxDescriptors ?? 253,
      addresses: false,
      zeroIsEnd: true,
    }, {
      message: (data, info) => this.emit('message', data, info),
      end: () => this.emit('end'),
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

  /** Send one record (at most SO_SNDBUF bytes, else EMSGSIZE). Resolves once the kernel took it. */
  send(data: unknown, options: SendOptions = {}): Promise<void> {
    try {
      if (this.#owner === undefined) throw socketClosed();
      return this.#channel.send(bytesOf(data), descriptorsOf(options.fds), null, options.credentials === true);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** shutdown(2): 'write' (the peer sees 'end'), 'read' or 'both'. */
  shutdown(how: 'read' | 'write' | 'both' = 'write'): void {
    if (!(how in SHUTDOWN)) throw invalidArgValue('how', `must be 'read', 'write' or 'both'. Received ${String(how)}`);
    const owner = this.#owner;
    if (owner === undefined) throw socketClosed();
    if ('handle' in owner) {
      const out = sockets().shutdown(owner.handle, SHUTDOWN[how]);
      if (!out.ok) throw failureError(out.failure);
    } else {
      const r = native.shutdown(owner.fd, SHUTDOWN[how]);
      if (r < 0) throw errnoError(r, 'shutdown');
    }
  }

  /** shutdown('write'). */
  end(): void {
    this.shutdown('write');
  }

  pause(): this {
    this.#paused = true;
    this.#channel.stopReading();
    return this;
  }

  resume(): this {
    this.#paused = false;
    if (this.#owner !== undefined) this.#channel.startReading();
    return this;
  }

  #address(peer: boolean): SocketAddress | undefined {
    const owner = this.#owner;
    if (owner === undefined) return undefined;
    if (!('handle' in owner)) return { unnamed: true };
    const out = peer ? sockets().remoteAddress(owner.handle) : sockets().localAddress(owner.handle);
    return out.ok ? fromWitAddress(out.value) : undefined;
  }

  get localAddress(): SocketAddress | undefined {
    return this.#address(false);
  }

  get remoteAddress(): SocketAddress | undefined {
    return this.#address(true);
  }

  peerCredentials(): PeerCredentials {
    return peerCredentials(this.#fd);
  }

  getOption<N extends SocketOptionName>(name: N): SocketOptionValues[N] {
    if (this.#owner === undefined) throw socketClosed();
    return getOption(this.#fd, name);
  }

  setOption<N extends SocketOptionName>(name: N, value: SocketOptionValues[N]): void {
    if (this.#owner === undefined) throw socketClosed();
    setOption(this.#fd, name, value);
  }

  /** Close the socket; queued sends reject. */
  close(): void {
    const owner = this.#owner;
    if (owner === undefined) return;
    this.#owner = undefined;
    this.#channel.close();
    if ('handle' in owner) {
      sockets().closeConnection(owner.handle);
      sockets().dropConnection(owner.handle);
    } else {
      native.close(owner.fd);
    }
    this.#fd = -1;
    process.nextTick(() => this.emit('close'));
  }

  ref(): this {
    this.#channel.ref();
    return this;
  }

  unref(): this {
    this.#channel.unref();
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

export type { MessageInfo };

const SEQPACKET: ServerKind<SeqpacketSocket> = {
  type: 'seqpacket',
  wrap: (handle, fd, options) => new SeqpacketSocket({ handle }, fd, options as SeqpacketSocketOptions),
  discard: (socket) => socket.close(),
};

/** Options of listenSeqpacket(). */
export type SeqpacketListenOptions = Omit<ListenOptions, 'allowHalfOpen' | 'readCap'> & SeqpacketSocketOptions;

/**
 * Listen for seqpacket connections (same address forms and lifecycle rules as
 * stream listen()). The server's 'connection' events, accept() and async
 * iteration give SeqpacketSockets.
 */
export async function listenSeqpacket(addr: unknown, options: SeqpacketListenOptions = {}): Promise<UnixServer<SeqpacketSocket>> {
  const server = new UnixServer<SeqpacketSocket>(options, undefined, SEQPACKET);
  server.bind(addr);
  process.nextTick(() => server.emit('listening'));
  return server;
}

/**
 * Connect to a seqpacket listener.
 *
 * # Errors
 * `ENOENT`, `ECONNREFUSED`, `EPROTOTYPE` (the listener is of another type), `EAGAIN` (backlog full).
 */
export async function connectSeqpacket(addr: unknown, options: SeqpacketSocketOptions = {}): Promise<SeqpacketSocket> {
  const out = sockets().connect(witAddress(addr), 'seqpacket');
  if (!out.ok) throw failureError(out.failure, addressForMessage(addr));
  return new SeqpacketSocket({ handle: out.value }, sockets().connectionDescriptor(out.value), options);
}
