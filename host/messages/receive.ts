// The receive side of a MessageChannel: up to BATCH messages per call
// (recvmmsg on Linux, one recvmsg elsewhere) into arenas shared by every
// channel of the process, and the copy-out of one received message into a
// Buffer of its own plus its MessageInfo. Sharing is safe because a batch is
// read only inside one poll callback: each message is copied out before the
// next receive on any channel (nothing receives synchronously from user code).
import { decodeSockaddr, type SocketAddress } from '../address.js';
import { beforeIo } from '../native/blocking.js';
import { credentialsAt, type PeerCredentials } from '../native/credentials.js';
import { MESSAGE_FLAG, native } from '../native/native.js';

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

/** Most messages one receive takes. */
export const BATCH = process.platform === 'linux' ? 64 : 1;
/** Bytes of the data arena; a channel's batch is as many slots of receiveSize as fit (at least one). */
const ARENA_BYTES = 4 << 20;
/** Bytes per sender address (sockaddr_storage). */
export const ADDRESS_SLOT = 128;
/** Info slots per message (see NativeBinding.receiveMessages). */
const STRIDE = 9;
/** Most descriptors the native side takes per message (4 * SCM_MAX_FD). */
const MAX_FD_SLOT = native.constants.maxDescriptorsPerMessage * 4;

let arena: Buffer | undefined;
let fdsArena = new Int32Array(0);
const ADDRESSES = Buffer.alloc(BATCH * ADDRESS_SLOT);
const INFO = new Int32Array(BATCH * STRIDE);
/** The arenas the native side holds (bindReceiveArenas). */
let boundData: Buffer | undefined;
let boundFds: Int32Array | undefined;

/** One channel's receive geometry: where its messages land and how many per call. */
export class ReceiveArena {
  readonly slot: number;
  readonly count: number;
  readonly fdSlot: number;
  /** Its own arena when receiveSize exceeds the shared one. */
  readonly #own: Buffer | undefined;
  /** Messages the next receive asks for (1..count). */
  #want = 1;
  #more = false;

  constructor(receiveSize: number, maxDescriptors: number) {
    this.slot = receiveSize;
    this.count = Math.max(1, Math.min(BATCH, Math.floor(ARENA_BYTES / receiveSize)));
    this.fdSlot = Math.min(maxDescriptors, MAX_FD_SLOT);
    this.#own = receiveSize > ARENA_BYTES ? Buffer.allocUnsafe(receiveSize) : undefined;
  }

  /**
   * recvmmsg into the arenas: messages received (>= 1) | -errno. Asks for
   * as many as the last call suggests: one after a lone message (a
   * ping-pong's common case, where asking for 64 costs a failed second
   * receive in the kernel), twice as many after a full batch.
   */
  receive(fd: number, addresses: boolean): number {
    const data = this.#own ?? (arena ??= Buffer.allocUnsafe(ARENA_BYTES));
    const fds = this.count * this.fdSlot;
    if (fdsArena.length < fds) fdsArena = new Int32Array(fds);
    if (data !== boundData || fdsArena !== boundFds) {
      native.bindReceiveArenas(data, fdsArena, ADDRESSES, INFO);
      boundData = data;
      boundFds = fdsArena;
    }
    const want = this.#want;
    beforeIo(fd);
    const n = native.receiveMessages(fd, this.slot, want, this.fdSlot, addresses);
    if (n > 0) {
      this.#more = n === want && want > 1;
      this.#want = n === want ? Math.min(this.count, want * 2) : n;
    }
    return n;
  }

  /** The last receive filled a batch of several: more may be queued (after one, poll again). */
  get more(): boolean {
    return this.#more;
  }

  /** The real length of message i of the last receive. */
  length(i: number): number {
    return INFO[i * STRIDE + 8]!;
  }

  /** Whether message i carried credentials. */
  hasCredentials(i: number): boolean {
    return INFO[i * STRIDE + 4] === 1;
  }

  /** How many descriptors message i brought. */
  descriptorCount(i: number): number {
    return INFO[i * STRIDE + 2]!;
  }

  /** Message i's sender address length (0: none) and its offset in {@link addresses}. */
  addressLength(i: number): number {
    return INFO[i * STRIDE + 3]!;
  }

  /** The bytes of message i, copied into a Buffer of its own. */
  data(i: number): Buffer {
    const copied = INFO[i * STRIDE]!;
    const out = Buffer.allocUnsafe(copied);
    (this.#own ?? arena!).copy(out, 0, i * this.slot, i * this.slot + copied);
    return out;
  }

  /** Message i's descriptors, as an array (now the caller's). */
  descriptors(i: number): number[] {
    const n = INFO[i * STRIDE + 2]!;
    if (n === 0) return [];
    const out = new Array<number>(n);
    const base = i * this.fdSlot;
    for (let k = 0; k < n; k++) out[k] = fdsArena[base + k]!;
    return out;
  }

  /** Closes message i's descriptors (a message that will never be delivered). */
  discard(i: number): void {
    for (const fd of this.descriptors(i)) native.close(fd);
  }

  /** MESSAGE_FLAG bits of message i. */
  truncated(i: number): boolean {
    return (INFO[i * STRIDE + 1]! & MESSAGE_FLAG.truncated) !== 0;
  }

  controlTruncated(i: number): boolean {
    return (INFO[i * STRIDE + 1]! & MESSAGE_FLAG.controlTruncated) !== 0;
  }

  /** Message i's credentials. */
  credentials(i: number): PeerCredentials {
    return credentialsAt(INFO, i * STRIDE + 5);
  }

  /** Message i of the last receive is end-of-stream: an empty record with nothing attached (seqpacket, `zeroIsEnd`). */
  isEnd(i: number, zeroIsEnd: boolean): boolean {
    return zeroIsEnd && this.length(i) === 0 && !this.hasCredentials(i) && this.descriptorCount(i) === 0;
  }

  /** The MessageInfo of message i of the last receive. */
  info(i: number, addresses: boolean): MessageInfo {
    const a = this;
    const info: MessageInfo = {
      fds: a.descriptors(i),
      truncated: a.truncated(i),
      descriptorsTruncated: a.controlTruncated(i),
      length: a.length(i),
    };
    if (a.hasCredentials(i)) info.credentials = a.credentials(i);
    if (addresses) {
      const length = a.addressLength(i);
      if (length > 0) info.address = senderAddress(i * ADDRESS_SLOT, length);
    }
    return info;
  }
}

/** The shared address arena (message i's address at i * ADDRESS_SLOT). */
export { ADDRESSES };

let lastSender = Buffer.alloc(0);
let lastAddress: SocketAddress | undefined;

/**
 * The sender's address at ADDRESSES[offset, offset + length), decoded once per
 * distinct sender in a row (a fresh object each time; decoding depends on the
 * bytes alone, so the cache may span channels).
 */
function senderAddress(offset: number, length: number): SocketAddress | undefined {
  const last = lastSender;
  let same = last.length === length;
  for (let k = 0; same && k < length; k++) same = ADDRESSES[offset + k] === last[k];
  if (!same) {
    const raw = Buffer.from(ADDRESSES.subarray(offset, offset + length));
    lastSender = raw;
    try {
      lastAddress = decodeSockaddr(raw);
    } catch {
      // An address the codec refuses is reported as absent, never thrown at the reader.
      lastAddress = undefined;
    }
  }
  const addr = lastAddress;
  if (addr === undefined) return undefined;
  return 'abstract' in addr ? { abstract: Buffer.from(addr.abstract) } : { ...addr };
}
