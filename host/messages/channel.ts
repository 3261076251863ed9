// MessageChannel: the data path of a message socket (datagram or seqpacket)
// on one libuv uv_poll. Receiving: on readable, one recvmmsg (Linux; see
// receive.ts) takes up to 64 messages (MSG_DONTWAIT,
// MSG_CMSG_CLOEXEC), each delivered with its descriptors, its sender's
// address, its credentials and whether it was truncated; messages taken from
// the kernel after a pause wait in order for resume (their descriptors are
// closed if the channel closes first). Sending: send() calls sendmsg at once
// and settles a promise; write() queues and returns at once, and the queue
// goes out in runs of up to 64 messages per sendmmsg when the running code is done
// (or as soon as 64 are waiting). When the kernel has no room
// (EAGAIN/ENOBUFS) messages wait, in order, and go on writable. Every
// message is either taken whole by the kernel or reported failed (promise,
// callback or 'error'). Nothing is dropped silently.
import { errnoError } from '../component/failures.js';
import { type DescriptorLike, duplicates } from '../native/descriptors.js';
import { type MessageInfo, ReceiveArena } from './receive.js';
import { type Pending, SEND_BATCH, sendHead, type Settle } from './send.js';
import { beforeIo, forgetBlocking } from '../native/blocking.js';
import { native, POLL_EVENT, type Poller } from '../native/native.js';
import { callerContext } from '../native/context.js';
import { constants } from 'node:os';

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
  /** The write queue emptied after write() returned false. */
  drain(): void;
}

/** A message taken from the kernel while paused (data null: the end of stream). */
interface Undelivered {
  data: Buffer | null;
  info: MessageInfo | null;
}

const EAGAIN = -constants.errno.EAGAIN;
const ENOBUFS = -constants.errno.ENOBUFS;
const EBADF = -constants.errno.EBADF;
/** write() returns false once this many messages wait. */
const WRITE_HIGH_WATER = 256;
/** Messages taken from the kernel per readable event, at most. */
const RECEIVE_BUDGET = 64;
const NO_FDS: number[] = [];

export class MessageChannel {
  readonly #fd: number;
  readonly #options: MessageChannelOptions;
  readonly #handlers: MessageHandlers;
  /** Made at the first send or read: a poll handle makes the descriptor non-blocking (see blocking.ts). */
  #poller: Poller | undefined;
  /** The async context the socket was made in: its events run in it (host/native/context.ts). */
  readonly #context = callerContext('UnixMessageSocket');
  #unrefed = false;
  readonly #arena: ReceiveArena;
  #queue: Pending[] = [];
  /** Index of the first unsent message in #queue (settled ones before it are dropped lazily). */
  #head = 0;
  #undelivered: Undelivered[] = [];
  #reading = false;
  #closed = false;
  #events = 0;
  /** The kernel refused for want of room: wait for writable before sending again. */
  #blocked = false;
  #flushScheduled = false;
  /** Inside this channel's poll callback. */
  #polling = false;
  /** A flush waits for the poll callback to return. */
  #flushAfterPoll = false;
  #deliverScheduled = false;
  #needDrain = false;
  #flushed: (() => void)[] = [];

  constructor(fd: number, options: MessageChannelOptions, handlers: MessageHandlers) {
    this.#fd = fd;
    this.#options = options;
    this.#handlers = handlers;
    this.#arena = new ReceiveArena(options.receiveSize, Math.max(1, options.maxDescriptors));
  }

  /** The poll handle, made (and the descriptor made non-blocking) on first use. */
  #poll(): Poller {
    if (this.#poller === undefined) {
      beforeIo(this.#fd);
      this.#poller = new native.Poller(this.#fd, this.#context.bind((status: number, events: number) => this.#onPoll(status, events)));
      if (this.#unrefed) this.#poller.unref();
    }
    return this.#poller;
  }

  /** Messages waiting to be sent. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  startReading(): void {
    if (this.#closed || this.#reading) return;
    this.#reading = true;
    this.#updatePoll();
    if (this.#undelivered.length > 0 && !this.#deliverScheduled) {
      this.#deliverScheduled = true;
      process.nextTick(() => {
        this.#deliverScheduled = false;
        this.#deliverUndelivered();
      });
    }
  }

  stopReading(): void {
    if (!this.#reading) return;
    this.#reading = false;
    this.#updatePoll();
  }

  /** Sends one message at once when nothing waits; resolves when the kernel took it whole. */
  send(bufs: Uint8Array | Uint8Array[], fds: Int32Array | null, sockaddr: Uint8Array | null, credentials: boolean): Promise<void> {
    if (this.#closed) return Promise.reject(errnoError(EBADF, 'sendmsg'));
    if (this.queued === 0) {
      beforeIo(this.#fd);
      beforeIo(this.#fd);
    const r = native.sendMessage(this.#fd, bufs, fds, sockaddr, credentials);
      if (r >= 0) return Promise.resolve();
      if (r !== EAGAIN && r !== ENOBUFS) return Promise.reject(errnoError(r, 'sendmsg'));
      this.#blocked = true;
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ bufs, fds, sockaddr, credentials, held: false, settle: (err) => (err ? reject(err) : resolve()) });
      this.#updatePoll();
    });
  }

  /**
   * Sends one message without a promise: the first of a run at once, the
   * ones after it queued to go out together once the running code is done (sendmmsg).
   * `settle` hears the outcome (undefined: failures go to the error handler).
   * Descriptors are duplicated when queued, so the caller may close its own at once.
   * Returns false once WRITE_HIGH_WATER messages wait; the drain handler follows.
   */
  write(bufs: Uint8Array | Uint8Array[], fds: Int32Array | null, sockaddr: Uint8Array | null, credentials: boolean, settle: Settle | undefined): boolean {
    if (this.#closed) {
      this.#settleLater(settle, errnoError(EBADF, 'sendmsg'));
      return false;
    }
    let held = false;
    if (fds !== null || credentials) {
      // Control data goes out on its own anyway: at once when nothing waits
      // (no duplicates needed), else queued with duplicates of the descriptors.
      if (this.queued === 0 && !this.#blocked && this.#sendNow(bufs, fds, sockaddr, credentials, settle)) return true;
      if (fds !== null) {
        fds = duplicates(fds);
        held = true;
      }
    } else if (this.queued === 0 && !this.#blocked && !this.#flushScheduled) {
      // The first write of a tick goes at once (a reply waits for nothing);
      // the ones after it in the same tick gather for one sendmmsg.
      this.#scheduleFlush();
      if (this.#sendNow(bufs, null, sockaddr, false, settle)) return true;
    }
    this.#queue.push({ bufs, fds, sockaddr, credentials, held, settle });
    if (this.#blocked) this.#updatePoll();
    else {
      if (this.queued >= SEND_BATCH) this.#flush();
      else this.#scheduleFlush();
    }
    if (this.queued < WRITE_HIGH_WATER) return true;
    this.#needDrain = true;
    return false;
  }

  /** Calls `fn` once nothing waits to be sent (now, if nothing does); never if the channel closes first. */
  whenFlushed(fn: () => void): void {
    if (this.queued === 0) fn();
    else this.#flushed.push(fn);
  }

  /**
   * Flushes what write() queued once the running code is done: when this
   * channel's own poll callback returns (writes from its 'message' handlers,
   * the replies of a server), else in a microtask. Not process.nextTick, and
   * no microtask inside the callback: either costs a message ping-pong more
   * than the flush itself.
   */
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    if (this.#polling) this.#flushAfterPoll = true;
    else queueMicrotask(() => this.#scheduledFlush());
  }

  #scheduledFlush(): void {
    this.#flushScheduled = false;
    if (this.#closed) return;
    if (!this.#blocked && this.queued > 0) this.#flush();
    this.#updatePoll();
  }

  close(): void {
    if (this.#closed) return;
    this.#flushed = [];
    this.#closed = true;
    this.#poller?.close();
    forgetBlocking(this.#fd);
    const queue = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    for (const p of queue) this.#settle(p, errnoError(EBADF, 'sendmsg'));
    for (const u of this.#undelivered) for (const fd of u.info?.fds ?? NO_FDS) native.close(fd);
    this.#undelivered = [];
  }

  ref(): void {
    this.#unrefed = false;
    this.#poller?.ref();
  }

  unref(): void {
    this.#unrefed = true;
    this.#poller?.unref();
  }

  #updatePoll(): void {
    if (this.#closed) return;
    const events = (this.#reading ? POLL_EVENT.readable : 0) | (this.#blocked && this.queued > 0 ? POLL_EVENT.writable : 0);
    if (events === this.#events) return;
    this.#events = events;
    const r = this.#poll().start(events);
    if (r < 0) this.#fail(errnoError(r, 'poll'));
  }

  #onPoll(status: number, events: number): void {
    this.#polling = true;
    try {
      if (status < 0) {
        // POLLERR: a pending socket error. Let recvmsg/sendmsg report it.
        this.#events = 0;
        if (this.#reading) this.#receive();
        if (!this.#closed && this.queued > 0) this.#flush();
      } else {
        if (events & POLL_EVENT.writable) this.#flush();
        if (events & POLL_EVENT.readable) this.#receive();
      }
      this.#updatePoll();
    } finally {
      // Also when a handler threw: what it wrote still goes out.
      this.#polling = false;
      if (this.#flushAfterPoll) {
        this.#flushAfterPoll = false;
        this.#scheduledFlush();
      }
    }
  }

  /** Sends what waits, in order, until the kernel has no room; runs of plain messages go by sendmmsg. */
  #flush(): void {
    this.#blocked = false;
    const queue = this.#queue;
    while (this.#head < queue.length && !this.#closed) {
      const r = sendHead(this.#fd, queue, this.#head);
      const sent = r > 0 ? r : 0;
      for (let k = 0; k < sent; k++) this.#settle(queue[this.#head++]!, undefined);
      if (sent > 0) continue;
      if (r === EAGAIN || r === ENOBUFS) {
        this.#blocked = true;
        break;
      }
      this.#settle(queue[this.#head++]!, errnoError(r, 'sendmsg'));
    }
    if (this.#head === queue.length) {
      this.#queue = [];
      this.#head = 0;
      if (this.#flushed.length > 0 && !this.#closed) {
        const flushed = this.#flushed;
        this.#flushed = [];
        for (const fn of flushed) fn();
      }
      if (this.#needDrain && !this.#closed) {
        this.#needDrain = false;
        this.#handlers.drain();
      }
    } else if (this.#head >= 1024) {
      this.#queue = queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #settle(p: Pending, err: Error | undefined): void {
    if (p.held && p.fds !== null) for (const fd of p.fds) native.close(fd);
    if (p.settle !== undefined) p.settle(err ?? null);
    else if (err !== undefined) this.#handlers.error(err);
  }

  /**
   * One sendmsg now: true when it is settled (sent, or failed for good);
   * false when the kernel has no room (the channel is blocked; queue it).
   */
  #sendNow(
    bufs: Uint8Array | Uint8Array[], fds: Int32Array | null, sockaddr: Uint8Array | null, credentials: boolean,
    settle: Settle | undefined,
  ): boolean {
    const r = native.sendMessage(this.#fd, bufs, fds, sockaddr, credentials);
    if (r >= 0) {
      if (settle !== undefined) process.nextTick(settle, null);
      return true;
    }
    if (r !== EAGAIN && r !== ENOBUFS) {
      this.#settleLater(settle, errnoError(r, 'sendmsg'));
      return true;
    }
    this.#blocked = true;
    return false;
  }

  #settleLater(settle: Settle | undefined, err: Error): void {
    process.nextTick(() => (settle !== undefined ? settle(err) : this.#handlers.error(err)));
  }

  /** Delivers messages taken from the kernel while paused; false if reading stopped again. */
  #deliverUndelivered(): boolean {
    const list = this.#undelivered;
    while (list.length > 0) {
      if (!this.#reading || this.#closed) return false;
      const u = list.shift()!;
      if (u.data === null) {
        this.#reading = false;
        this.#handlers.end();
        return false;
      }
      this.#handlers.message(u.data, u.info!);
    }
    return true;
  }

  #receive(): void {
    if (this.#undelivered.length > 0 && !this.#deliverUndelivered()) return;
    const o = this.#options;
    const a = this.#arena;
    let taken = 0;
    while (taken < RECEIVE_BUDGET && this.#reading && !this.#closed) {
      const n = a.receive(this.#fd, o.addresses);
      if (n === EAGAIN) return;
      if (n < 0) {
        this.#fail(errnoError(n, 'recvmsg'));
        return;
      }
      taken += n;
      for (let i = 0; i < n; i++) {
        if (!this.#reading || this.#closed) {
          // Paused (or closed) by a handler: keep the rest, in order, for resume.
          for (let k = i; k < n; k++) {
            if (this.#closed) a.discard(k);
            else if (a.isEnd(k, o.zeroIsEnd)) {
              this.#undelivered.push({ data: null, info: null });
              break;
            } else this.#undelivered.push({ data: a.data(k), info: a.info(k, o.addresses) });
          }
          return;
        }
        if (a.isEnd(i, o.zeroIsEnd)) {
          // recvmmsg repeats the end in every slot left: nothing follows it.
          for (let k = i + 1; k < n; k++) a.discard(k);
          this.#reading = false;
          this.#handlers.end();
          return;
        }
        this.#handlers.message(a.data(i), a.info(i, o.addresses));
      }
      if (!a.more) return;  // the kernel had no more (or one: poll again)
    }
  }

  #fail(err: Error): void {
    this.#reading = false;
    this.#handlers.error(err);
  }
}
