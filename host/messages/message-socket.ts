// MessageSocket: what DatagramSocket and SeqpacketSocket share — a
// descriptor with its owner, a MessageChannel, reading that starts with the
// first 'message' listener, pause/resume, options, credentials, close.
import { EventEmitter } from 'node:events';
import { peerCredentials, type PeerCredentials } from '../native/credentials.js';
import { integerArgument, invalidArgType, optionsArgument } from '../arguments.js';
import { socketClosed } from '../errors.js';
import { descriptorsOf } from '../native/descriptors.js';
import { MessageChannel, type MessageChannelOptions, type SendOptions } from './channel.js';
import { messageBytes } from '../arguments.js';
import { getOption, setOption, type SocketOptionName, type SocketOptionValues } from '../native/options.js';
import { closeOwner, type Owner, type SocketResource } from '../component/owner.js';

/** Receive limits of a message socket. */
export interface MessageSocketOptions {
  /** Largest message received whole, in bytes (default 65536); longer ones arrive with `truncated: true`. */
  receiveSize?: number;
  /** Most descriptors accepted per message (default 253 = SCM_MAX_FD). */
  maxDescriptors?: number;
}

/** The default options object of send()/write(): no check needed. */
export const NO_OPTIONS: SendOptions = Object.freeze({});

/** No destination address: the connected peer. */
export const NO_ADDRESS = (): null => null;

function positiveInteger(name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  return integerArgument(value, name, max, 1);
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
      drain: () => this.emit('drain'),
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
      if (options !== NO_OPTIONS) optionsArgument(options);
      return this.#channel.send(messageBytes(data), descriptorsOf(options.fds), sockaddr(), options.credentials === true);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Queues one message (to `sockaddr` when given) without a promise; see write().
   * Bad arguments and a closed socket throw; send failures go to `callback`, else 'error'.
   */
  protected writeMessage(data: unknown, options: SendOptions, sockaddr: Uint8Array | null, callback: ((err?: Error | null) => void) | undefined): boolean {
    this.openOwner();
    if (callback !== undefined && typeof callback !== 'function') throw invalidArgType('callback', 'a function', callback);
    if (options !== NO_OPTIONS) optionsArgument(options);
    return this.#channel.write(messageBytes(data), descriptorsOf(options.fds), sockaddr, options.credentials === true, callback);
  }

  /** Calls `fn` once every queued send went out (now, if none waits); never if the socket closes first. */
  protected whenFlushed(fn: () => void): void {
    this.#channel.whenFlushed(fn);
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

  /** Messages waiting to be sent (queued by write(), or for room in the kernel). */
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
  protected release(resource: SocketResource): Error | undefined {
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
