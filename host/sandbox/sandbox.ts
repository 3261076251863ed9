// A sandboxed engine: a fresh instance of the component with its own
// policy, driven synchronously from JS through the same `sockets` functions
// a plugin guest imports. Bytes and descriptors go through the engine, which
// checks every operation (bind, listen, connect, accept, send-to,
// receive-from, socket pairs, descriptors, limits) before any system call.
//
// Nothing here waits on the event loop: `receive`/`accept` answer `null`
// when nothing is there, and `wait(timeoutMs)` blocks the thread (poll(2)),
// as a synchronous guest does. Use it for sandboxed work in a worker or a
// tool, not on a busy server's main thread.
import { fromWitAddress, witAddress, type AddressInput, type SocketAddress } from '../address.js';
import { ComponentInstance, componentModule } from '../component/component.js';
import { type PeerCredentials } from '../native/credentials.js';
import { booleanOption, descriptorArgument, integerArgument, invalidArgType, invalidArgValue, optionsArgument } from '../arguments.js';
import { socketClosed } from '../errors.js';
import { failureError } from '../component/failures.js';
import { native } from '../native/native.js';
import { listenNumbers } from '../server.js';
import { applyPolicy, lockPolicy, type PolicySpec, type Refusals, refusalsOf } from './policy.js';
import { READINESS, SocketsBinding, type SocketOutcome, type WitSocketType, type WitMessage } from '../component/sockets-binding.js';

export interface CreateEngineOptions {
  /** The sandbox policy; without one the instance enforces nothing. */
  policy?: PolicySpec;
  /** Freeze the policy at once (default true). */
  lock?: boolean;
}

/** A message taken from a sandboxed socket. */
export interface SandboxMessage {
  data: Buffer;
  /** The sender (datagram sockets); `{ unnamed: true }` on connections. */
  sender: SocketAddress;
  /** Received descriptors, now the caller's to close. */
  fds: number[];
  /** The message was longer than asked for (the rest is gone). */
  truncated: boolean;
  /** Descriptors were closed before reaching you (capacity or policy). */
  fdsDropped: boolean;
}

/** What to wait for. */
export interface WaitEvents {
  readable?: boolean;
  writable?: boolean;
}

/** A connection's socket type (default stream). */
function connectionType(type: unknown, name = 'options.type'): 'stream' | 'seqpacket' {
  if (type === undefined) return 'stream';
  if (type !== 'stream' && type !== 'seqpacket') throw invalidArgValue(name, "must be 'stream' or 'seqpacket'");
  return type;
}

function unwrap<T>(out: SocketOutcome<T>, address?: string): T {
  if (!out.ok) throw failureError(out.failure, address);
  return out.value;
}

function timeout(ms: unknown): number {
  return integerArgument(ms, 'timeoutMs', 0x7fffffff);
}

function bytes(data: unknown): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return data;
  throw invalidArgType('data', 'a string, Buffer or Uint8Array', data);
}

function maxBytes(max: unknown): number {
  return integerArgument(max, 'max', 0xffffffff);
}

/** A sandboxed engine instance; see the file comment. */
export class SandboxEngine {
  readonly #engine: ComponentInstance;
  readonly #b: SocketsBinding;
  readonly #held = new Set<SandboxSocket>();
  #closed = false;

  constructor(options?: CreateEngineOptions) {
    options = optionsArgument(options);
    const lock = booleanOption(options, 'lock') ?? true;
    this.#engine = new ComponentInstance(componentModule());
    this.#b = new SocketsBinding(this.#engine);
    if (options.policy !== undefined) applyPolicy(this.#engine, options.policy);
    if (options.policy !== undefined && lock) lockPolicy(this.#engine);
  }

  /** The engine instance (for the plugin linker). */
  get core(): ComponentInstance {
    return this.#engine;
  }

  #live(): SocketsBinding {
    if (this.#closed) throw socketClosed('engine');
    return this.#b;
  }

  /** @internal */
  track<T extends SandboxSocket>(s: T): T {
    this.#held.add(s);
    return s;
  }

  /** @internal */
  forget(s: SandboxSocket): void {
    this.#held.delete(s);
  }

  /** socket + bind + listen (permissions `bind` and `listen`). */
  listen(address: AddressInput, options?: { type?: 'stream' | 'seqpacket'; backlog?: number; mode?: number; unlinkOnClose?: boolean }): SandboxListener {
    const b = this.#live();
    const o = optionsArgument(options);
    const type = connectionType(o.type);
    const { backlog, mode } = listenNumbers(o.backlog, o.mode, 16);
    const handle = unwrap(b.listen(witAddress(address), {
      socketType: type, backlog, mode, unlinkOnClose: booleanOption(o, 'unlinkOnClose') ?? true,
      recoverStale: true, workingDirectory: undefined,
    }));
    return this.track(new SandboxListener(this, b, handle, type));
  }

  /** socket + connect (permission `connect`, and the rule's peer requirement). */
  connect(address: AddressInput, options?: { type?: 'stream' | 'seqpacket' }): SandboxConnection {
    const b = this.#live();
    const type = connectionType(optionsArgument(options).type);
    return this.track(new SandboxConnection(this, b, unwrap(b.connect(witAddress(address), type)), type));
  }

  /** A datagram socket bound to `address`, or unbound (permission `bind`; unbound is `unnamed`). */
  bindDatagram(address?: AddressInput): SandboxDatagram {
    const b = this.#live();
    const handle = unwrap(b.bindDatagram(address === undefined ? undefined : witAddress(address), {
      mode: undefined, unlinkOnClose: true, recoverStale: true, workingDirectory: undefined,
    }));
    return this.track(new SandboxDatagram(this, b, handle));
  }

  /** A connected pair (permission `socket-pair`). */
  socketPair(type?: 'stream' | 'seqpacket'): [SandboxConnection, SandboxConnection] {
    const b = this.#live();
    const t = connectionType(type, 'type');
    const [x, y] = unwrap(b.socketPair(t));
    return [this.track(new SandboxConnection(this, b, x, t)), this.track(new SandboxConnection(this, b, y, t))];
  }

  /** Freeze the policy (already done by createEngine unless `lock: false`). */
  lock(): void {
    lockPolicy(this.#engine);
  }

  /** What the policy refused so far. */
  refusals(): Refusals {
    return refusalsOf(this.#engine);
  }

  /** Close every socket of this engine. */
  close(): void {
    for (const s of [...this.#held]) s.close();
    this.#closed = true;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** What every sandboxed socket shares: a handle of its engine, closed once. */
abstract class SandboxSocket {
  protected handle: number;
  #open = true;

  constructor(protected readonly owner: SandboxEngine, protected readonly b: SocketsBinding, handle: number) {
    this.handle = handle;
  }

  protected get live(): number {
    if (!this.#open) throw socketClosed();
    return this.handle;
  }

  protected abstract drop(handle: number): void;
  protected abstract closeHandle(handle: number): SocketOutcome<undefined>;

  /** Close (unlinking a socket file this bound); a second close does nothing. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.owner.forget(this);
    const out = this.closeHandle(this.handle);
    this.drop(this.handle);
    if (!out.ok && out.failure.kind !== 'invalid-state') throw failureError(out.failure);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function readiness(events: WaitEvents | undefined, fallback: number): number {
  if (events === undefined) return fallback;
  if (typeof events !== 'object' || events === null) throw invalidArgType('events', 'an object', events);
  return (events.readable ? READINESS.readable : 0) | (events.writable ? READINESS.writable : 0);
}

/**
 * Run `send` with duplicates of `fds` attached (the caller keeps its own
 * descriptors), dropping the attachments afterwards whatever happens.
 */
function withAttachments<T>(b: SocketsBinding, fds: unknown, send: (attachments: number[]) => T): T {
  if (fds !== undefined) {
    if (!Array.isArray(fds)) throw invalidArgType('options.fds', 'an array of descriptor numbers', fds);
    fds.forEach((fd, i) => descriptorArgument(`options.fds[${i}]`, fd));
  }
  const atts: number[] = [];
  try {
    for (const fd of (fds ?? []) as number[]) {
      const copy = native.duplicate(fd);
      if (copy < 0) throw invalidArgValue('options.fds', `${fd} is not an open descriptor`);
      atts.push(b.attach(copy));
    }
    return send(atts);
  } finally {
    for (const a of atts) b.dropAttachment(a);
  }
}

function message(b: SocketsBinding, m: WitMessage): SandboxMessage {
  return {
    data: m.data,
    sender: fromWitAddress(m.sender),
    fds: m.attachments.map((h) => b.detach(h)),
    truncated: m.truncated,
    fdsDropped: m.attachmentsDropped,
  };
}

/** `would-block` is "nothing now": null. */
function orNull<T>(out: SocketOutcome<T>): T | null {
  if (!out.ok && out.failure.kind === 'os' && out.failure.condition === 'would-block') return null;
  return unwrap(out);
}

export class SandboxListener extends SandboxSocket {
  constructor(owner: SandboxEngine, b: SocketsBinding, handle: number, readonly type: WitSocketType) {
    super(owner, b, handle);
  }

  protected drop(h: number): void { this.b.dropListener(h); }
  protected closeHandle(h: number): SocketOutcome<undefined> { return this.b.closeListener(h); }

  /** The bound address. */
  get address(): SocketAddress {
    return fromWitAddress(unwrap(this.b.listenerAddress(this.live)));
  }

  /** A pending connection the policy admits, or null (permission `accept`). */
  accept(): SandboxConnection | null {
    const h = unwrap(this.b.accept(this.live));
    return h === 0 ? null : this.owner.track(new SandboxConnection(this.owner, this.b, h, this.type));
  }

  /** Block up to `timeoutMs` for a pending connection: whether one is. */
  wait(timeoutMs: number): boolean {
    return (unwrap(this.b.waitListener(this.live, READINESS.readable, timeout(timeoutMs))) & READINESS.readable) !== 0;
  }
}

export class SandboxConnection extends SandboxSocket {
  constructor(owner: SandboxEngine, b: SocketsBinding, handle: number, readonly type: WitSocketType) {
    super(owner, b, handle);
  }

  protected drop(h: number): void { this.b.dropConnection(h); }
  protected closeHandle(h: number): SocketOutcome<undefined> { return this.b.closeConnection(h); }

  /** Send (one record on seqpacket), with descriptors (permission `send-descriptors`): bytes taken, or null when the buffer is full. */
  send(data: string | Uint8Array, options?: { fds?: number[] }): number | null {
    const handle = this.live;
    const payload = bytes(data);
    return withAttachments(this.b, optionsArgument(options).fds, (atts) => orNull(this.b.send(handle, payload, atts)));
  }

  /** At most `max` bytes (one record on seqpacket), or null when nothing is queued; empty data on a stream is its end. */
  receive(max = 65536): SandboxMessage | null {
    const out = orNull(this.b.receive(this.live, maxBytes(max)));
    return out === null ? null : message(this.b, out);
  }

  /** Block up to `timeoutMs`: which of the events are ready (default: readable). */
  wait(timeoutMs: number, events?: WaitEvents): { readable: boolean; writable: boolean; hangUp: boolean } {
    const r = unwrap(this.b.waitConnection(this.live, readiness(events, READINESS.readable), timeout(timeoutMs)));
    return { readable: (r & READINESS.readable) !== 0, writable: (r & READINESS.writable) !== 0, hangUp: (r & READINESS.hangUp) !== 0 };
  }

  peerCredentials(): PeerCredentials {
    return unwrap(this.b.peerCredentials(this.live));
  }

  get remoteAddress(): SocketAddress {
    return fromWitAddress(unwrap(this.b.remoteAddress(this.live)));
  }

  shutdown(how: 'read' | 'write' | 'both' = 'write'): void {
    const index = ['read', 'write', 'both'].indexOf(how);
    if (index < 0) throw invalidArgValue('how', "must be 'read', 'write' or 'both'");
    unwrap(this.b.shutdown(this.live, index));
  }
}

export class SandboxDatagram extends SandboxSocket {
  protected drop(h: number): void { this.b.dropDatagram(h); }
  protected closeHandle(h: number): SocketOutcome<undefined> { return this.b.closeDatagram(h); }

  get address(): SocketAddress {
    return fromWitAddress(unwrap(this.b.datagramLocalAddress(this.live)));
  }

  /** Set the default peer (permission `connect`). */
  connect(address: AddressInput): void {
    unwrap(this.b.connectDatagram(this.live, witAddress(address)));
  }

  /** One datagram to `to` (permission `send-to`) or the default peer: bytes taken, or null when the buffer is full. */
  sendTo(data: string | Uint8Array, to?: AddressInput, options?: { fds?: number[] }): number | null {
    const handle = this.live;
    const payload = bytes(data);
    const target = to === undefined ? undefined : witAddress(to, 'to');
    return withAttachments(this.b, optionsArgument(options).fds, (atts) => orNull(this.b.sendTo(handle, payload, target, atts)));
  }

  /** One datagram of at most `max` bytes from a sender the policy admits, or null. */
  receive(max = 65536): SandboxMessage | null {
    const out = orNull(this.b.receiveDatagram(this.live, maxBytes(max)));
    return out === null ? null : message(this.b, out);
  }

  wait(timeoutMs: number): boolean {
    return (unwrap(this.b.waitDatagram(this.live, READINESS.readable, timeout(timeoutMs))) & READINESS.readable) !== 0;
  }
}

/** A fresh engine instance with its own policy (locked unless `lock: false`). */
export function createEngine(options?: CreateEngineOptions): SandboxEngine {
  return new SandboxEngine(options);
}
