// MessageChannel: the data path of a message socket (datagram or seqpacket)
// on one libuv uv_poll. Receiving: on readable, recvmsg (MSG_DONTWAIT,
// MSG_CMSG_CLOEXEC) in a loop of at most BATCH messages, each delivered with
// its descriptors, its sender's address, its credentials and whether it was
// truncated. Sending: sendmsg at once; when the kernel has no room
// (EAGAIN/ENOBUFS) the message is queued, in order, and sent on writable.
// Every send settles its promise: resolved once the kernel took the whole
// message, rejected with the error otherwise. Nothing is dropped silently.
import { decodeSockaddr, type SocketAddress } from './address.js';
import type { PeerCredentials } from './credentials.js';
import { invalidArgType, invalidArgValue } from './errors.js';
import { errnoError } from './failures.js';
import { MESSAGE_FLAG, native, POLL_EVENT, type Poller } from './native.js';
import { constants } from 'node:os';

/** What arrived with a message. */
export interface MessageInfo {
  /** The sender's address (datagrams), decoded; undefined when not reported. */
  address?: SocketAddress;
  /** Descriptors that came with the message, now open in this process (close-on-exec). Yours to close or adopt (fromFd). */
  fds: number[];
  /** The message was longer than the receive size and was cut (MSG_TRUNC); `length` is its real length. */
  truncated: boolean;
  /** More descriptors were sent than fitted (MSG_CTRUNC); the kernel closed the excess. */
  descriptorsTruncated: boolean;
  /** The message's real length in bytes. */
  length: number;
  /** The sender's credentials (SCM_CREDENTIALS), when SO_PASSCRED is on. */
  credentials?: PeerCredentials;
}

/** Something that is or has a descriptor: a number, a FileHandle, a unixsock socket. */
export type DescriptorLike = number | { readonly fd: number };

export interface SendOptions {
  /** Descriptors to pass with the message (SCM_RIGHTS); they stay open here. */
  fds?: readonly DescriptorLike[];
  /** Attach this process's credentials (SCM_CREDENTIALS, Linux). */
  credentials?: boolean;
}

export interface MessageChannelOptions {
  /** Largest message received whole (bytes); longer ones arrive truncated and flagged. */
  receiveSize: number;
  /** Most descriptors accepted per message; the excess is closed by the kernel and flagged. */
  maxDescriptors: number;
  /** Report senders' addresses (datagram sockets). */
  addresses: boolean;
  /** A zero-length read is end-of-stream unless it carried credentials (seqpacket; see seqpacket.ts). */
  zeroIsEnd: boolean;
}

export interface MessageHandlers {
  message(data: Buffer, info: MessageInfo): void;
  end(): void;
  error(err: Error): void;
}

interface Pending {
  bufs: Uint8Array[];
  fds: Int32Array | null;
  sockaddr: Uint8Array | null;
  credentials: boolean;
  resolve: () => void;
  reject: (err: Error) => void;
}

const BATCH = 64;
const EAGAIN = -constants.errno.EAGAIN;
const ENOBUFS = -constants.errno.ENOBUFS;
const INFO = new Int32Array(8);
const ADDRESS = Buffer.alloc(128);
const MAX_FDS = native.constants.maxDescriptorsPerMessage;

/** A descriptor number: an integer from 0 to 2^31 - 1. */
export function isDescriptorNumber(fd: unknown): fd is number {
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 && fd <= 0x7fffffff;
}

/** Descriptor numbers from `fds`, or a thrown TypeError; null for none. */
export function descriptorsOf(fds: readonly DescriptorLike[] | undefined): Int32Array | null {
  if (fds === undefined) return null;
  if (!Array.isArray(fds)) throw invalidArgType('options.fds', 'an array of descriptors', fds);
  if (fds.length > MAX_FDS) throw invalidArgValue('options.fds', `holds ${fds.length} descriptors; at most ${MAX_FDS} fit in one message`);
  if (fds.length === 0) return null;
  const out = new Int32Array(fds.length);
  fds.forEach((d, i) => {
    const fd = typeof d === 'number' ? d : typeof d === 'object' && d !== null ? d.fd : undefined;
    if (!isDescriptorNumber(fd)) {
      throw invalidArgType(`options.fds[${i}]`, 'a descriptor number, a FileHandle or a socket', d);
    }
    out[i] = fd;
  });
  return out;
}

/** The bytes of a message argument: Buffer/TypedArray/DataView/string (UTF-8) or an array of them. */
export function bytesOf(data: unknown, name = 'data'): Uint8Array[] {
  if (typeof data === 'string') return [Buffer.from(data, 'utf8')];
  if (ArrayBuffer.isView(data)) return [new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
  if (Array.isArray(data)) return data.flatMap((d, i) => bytesOf(d, `${name}[${i}]`));
  throw invalidArgType(name, 'a string, Buffer, TypedArray, DataView or an array of them', data);
}

export class MessageChannel {
  readonly #fd: number;
  readonly #options: MessageChannelOptions;
  readonly #handlers: MessageHandlers;
  readonly #poller: Poller;
  readonly #scratch: Buffer;
  readonly #fdsOut: Int32Array;
  #queue: Pending[] = [];
  #reading = false;
  #closed = false;
  #events = 0;

  constructor(fd: number, options: MessageChannelOptions, handlers: MessageHandlers) {
    this.#fd = fd;
    this.#options = options;
    this.#handlers = handlers;
    this.#scratch = Buffer.allocUnsafe(options.receiveSize);
    this.#fdsOut = new Int32Array(Math.max(1, options.maxDescriptors));
    this.#poller = new native.Poller(fd, (status, events) => this.#onPoll(status, events));
  }

  /** Messages waiting for room in the kernel. */
  get queued(): number {
    return this.#queue.length;
  }

  startReading(): void {
    if (this.#closed || this.#reading) return;
    this.#reading = true;
    this.#updatePoll();
  }

  stopReading(): void {
    if (!this.#reading) return;
    this.#reading = false;
    this.#updatePoll();
  }

  /** Sends one message; resolves when the kernel took it whole. */
  send(bufs: Uint8Array[], fds: Int32Array | null, sockaddr: Uint8Array | null, credentials: boolean): Promise<void> {
    if (this.#closed) return Promise.reject(errnoError(-constants.errno.EBADF, 'sendmsg'));
    if (this.#queue.length === 0) {
      const r = native.sendMessage(this.#fd, bufs, fds, sockaddr, credentials);
      if (r >= 0) return Promise.resolve();
      if (r !== EAGAIN && r !== ENOBUFS) return Promise.reject(errnoError(r, 'sendmsg'));
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ bufs, fds, sockaddr, credentials, resolve, reject });
      this.#updatePoll();
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#poller.close();
    const queue = this.#queue;
    this.#queue = [];
    for (const p of queue) p.reject(errnoError(-constants.errno.EBADF, 'sendmsg'));
  }

  ref(): void {
    this.#poller.ref();
  }

  unref(): void {
    this.#poller.unref();
  }

  #updatePoll(): void {
    if (this.#closed) return;
    const events = (this.#reading ? POLL_EVENT.readable : 0) | (this.#queue.length > 0 ? POLL_EVENT.writable : 0);
    if (events === this.#events) return;
    this.#events = events;
    const r = this.#poller.start(events);
    if (r < 0) this.#fail(errnoError(r, 'poll'));
  }

  #onPoll(status: number, events: number): void {
    if (status < 0) {
      // POLLERR: a pending socket error. Let recvmsg/sendmsg report it.
      this.#events = 0;
      if (this.#reading) this.#receive();
      if (!this.#closed && this.#queue.length > 0) this.#flush();
      this.#updatePoll();
      return;
    }
    if (events & POLL_EVENT.writable) this.#flush();
    if (events & POLL_EVENT.readable) this.#receive();
    this.#updatePoll();
  }

  #flush(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      const p = this.#queue[0]!;
      const r = native.sendMessage(this.#fd, p.bufs, p.fds, p.sockaddr, p.credentials);
      if (r === EAGAIN || r === ENOBUFS) return;
      this.#queue.shift();
      if (r >= 0) p.resolve();
      else p.reject(errnoError(r, 'sendmsg'));
    }
  }

  #receive(): void {
    const o = this.#options;
    for (let i = 0; i < BATCH && this.#reading && !this.#closed; i++) {
      const n = native.receiveMessage(this.#fd, this.#scratch, 0, this.#scratch.length, this.#fdsOut, o.addresses ? ADDRESS : null, INFO, false);
      if (n === EAGAIN) return;
      if (n < 0) {
        this.#fail(errnoError(n, 'recvmsg'));
        return;
      }
      const hasCredentials = INFO[4] === 1;
      if (n === 0 && o.zeroIsEnd && !hasCredentials && INFO[2] === 0) {
        this.#reading = false;
        this.#handlers.end();
        return;
      }
      const copied = INFO[0]!;
      const info: MessageInfo = {
        fds: INFO[2] === 0 ? [] : Array.from(this.#fdsOut.subarray(0, INFO[2]!)),
        truncated: (INFO[1]! & MESSAGE_FLAG.truncated) !== 0,
        descriptorsTruncated: (INFO[1]! & MESSAGE_FLAG.controlTruncated) !== 0,
        length: n,
      };
      if (hasCredentials) info.credentials = { pid: INFO[5]!, uid: INFO[6]! >>> 0, gid: INFO[7]! >>> 0 }; // uid_t, gid_t: unsigned
      if (o.addresses && INFO[3]! > 0) info.address = this.#senderAddress(INFO[3]!);
      const data = Buffer.allocUnsafe(copied);
      this.#scratch.copy(data, 0, 0, copied);
      this.#handlers.message(data, info);
    }
  }

  #lastSender = Buffer.alloc(0);
  #lastAddress: SocketAddress | undefined;

  /** The sender's address, decoded by the engine once per distinct sender in a row (a fresh object each time). */
  #senderAddress(length: number): SocketAddress | undefined {
    const raw = ADDRESS.subarray(0, length);
    if (!raw.equals(this.#lastSender)) {
      this.#lastSender = Buffer.from(raw);
      try {
        this.#lastAddress = decodeSockaddr(raw);
      } catch {
        // An address the codec refuses is reported as absent, never thrown at the reader.
        this.#lastAddress = undefined;
      }
    }
    const a = this.#lastAddress;
    if (a === undefined) return undefined;
    return 'abstract' in a ? { abstract: Buffer.from(a.abstract) } : { ...a };
  }

  #fail(err: Error): void {
    this.#reading = false;
    this.#handlers.error(err);
  }
}
