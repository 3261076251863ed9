// MessageSocket: what DatagramSocket and SeqpacketSocket share — a
// descriptor with its owner, a MessageChannel, reading that starts with the
// first 'message' listener, pause/resume, options, credentials, close.
import { EventEmitter } from 'node:events';
import { peerCredentials, type PeerCredentials } from './credentials.js';
import { invalidArgType, invalidArgValue, socketClosed } from './errors.js';
import { bytesOf, descriptorsOf, MessageChannel, type MessageChannelOptions, type SendOptions } from './messages.js';
import { getOption, setOption, type SocketOptionName, type SocketOptionValues } from './options.js';
import { closeOwner, type Owner, type Resource } from './owner.js';

/** Receive limits of a message socket. */
export interface MessageSocketOptions {
  /** Largest message received whole, in bytes (default 65536); longer ones arrive with `truncated: true`. */
  receiveSize?: number;
  /** Most descriptors accepted per message (default 253 = SCM_MAX_FD). */
  maxDescriptors?: number;
}

function positiveInteger(name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isInteger(value) || value < 1 || value > max) throw invalidArgValue(name, `must be an integer from 1 to ${max}. Received ${value}`);
  return value;
}

/** The channel options for `options`, validated (throws a typed error before anything is created). */
export function channelOptions(options: MessageSocketOptions, addresses: boolean, zeroIsEnd: boolean): MessageChannelOptions {
  return {
    receiveSize: positiveInteger('options.receiveSize', options.receiveSize, 65536, 64 << 20),
    maxDescriptors: positiveInteger('options.maxDescriptors', options.maxDescriptors, 253, 4096),
    addresses,
    zeroIsEnd,
  };
}

export abstract class MessageSocket extends EventEmitter {
  #owner: Owner | undefined;
  #fd: number;
  #channel: MessageChannel;
  #paused = false;

  protected constructor(owner: Owner, fd: number, options: MessageChannelOptions) {
    super();
    this.#owner = owner;
    this.#fd = fd;
    this.#channel = new MessageChannel(fd, options, {
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

  /** Who closes the descriptor; undefined once closed. */
  protected get owner(): Owner | undefined {
    return this.#owner;
  }

  /** The owner, or ERR_SOCKET_CLOSED. */
  protected openOwner(): Owner {
    if (this.#owner === undefined) throw socketClosed();
    return this.#owner;
  }

  /** Sends one message (to `sockaddr` when given); never throws, rejects instead. */
  protected sendMessage(data: unknown, options: SendOptions, sockaddr: () => Uint8Array | null): Promise<void> {
    try {
      this.openOwner();
      return this.#channel.send(bytesOf(data), descriptorsOf(options.fds), sockaddr(), options.credentials === true);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Stop reading (messages wait in the kernel's queue, up to its limit). */
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

  /** Stop reading without pausing (a consumer's own back-pressure). */
  protected holdReading(): void {
    this.#channel.stopReading();
  }

  /** Read again unless paused or closed. */
  protected releaseReading(): void {
    if (!this.#paused && this.#owner !== undefined) this.#channel.startReading();
  }

  /** Messages waiting for room in the kernel. */
  get queuedSends(): number {
    return this.#channel.queued;
  }

  /** The connected peer's credentials (SO_PEERCRED). */
  peerCredentials(): PeerCredentials {
    return peerCredentials(this.#fd);
  }

  /** getsockopt, typed: `socket.getOption('SO_SNDBUF')`. */
  getOption<N extends SocketOptionName>(name: N): SocketOptionValues[N] {
    this.openOwner();
    return getOption(this.#fd, name);
  }

  /** setsockopt, typed: `socket.setOption('SO_SNDBUF', 1 << 20)`. */
  setOption<N extends SocketOptionName>(name: N, value: SocketOptionValues[N]): void {
    this.openOwner();
    setOption(this.#fd, name, value);
  }

  ref(): this {
    this.#channel.ref();
    return this;
  }

  unref(): this {
    this.#channel.unref();
    return this;
  }

  /** Closes the channel (queued sends reject) and the descriptor; 'close' follows. The close error, if any. */
  protected release(resource: Resource): Error | undefined {
    const owner = this.#owner;
    if (owner === undefined) return undefined;
    this.#owner = undefined;
    this.#channel.close();
    this.#fd = -1;
    const err = closeOwner(owner, resource);
    process.nextTick(() => this.emit('close'));
    return err;
  }
}
