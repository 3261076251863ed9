// The canonical-ABI binding of the engine's `sockets` and `descriptors`
// exports for Node. Handles are reps (see defaultImports in component.ts),
// so dropping a handle is calling its destructor.
import type { CoreMemory } from './abi.js';
import { type Engine, liftAddress, lowerAddress, type WitAddress } from './component.js';
import { ERRNO_NAMES, type ErrnoName } from './errno.js';
import {
  type AddressProblem, ERROR_CODES, type ErrorCode, OPERATIONS, type Operation, PERMISSIONS, type Permission, problemOf,
} from './errors.js';

/** WIT `sockets.socket-error`, lifted. */
export type SocketFailure =
  | { kind: 'invalid-address'; problem: AddressProblem }
  | { kind: 'os'; condition: ErrorCode; errno: ErrnoName; operation: Operation }
  | { kind: 'invalid-state' }
  | { kind: 'policy-denied'; permission: Permission };

export type SocketOutcome<T> = { ok: true; value: T } | { ok: false; failure: SocketFailure };

/** WIT `types.socket-type`, case index = position. */
export const SOCKET_TYPES = ['stream', 'datagram', 'seqpacket'] as const;
export type SocketType = (typeof SOCKET_TYPES)[number];

/** WIT `sockets.adopted` cases, in order. */
export const ADOPTED_KINDS = ['stream-listener', 'seqpacket-listener', 'stream-connection', 'seqpacket-connection', 'datagram'] as const;
export type AdoptedKind = (typeof ADOPTED_KINDS)[number];

/** WIT `sockets.readiness` bits. */
export const READINESS = { readable: 1, writable: 2, hangUp: 4 } as const;

/** WIT `sockets.message`, lifted: attachments are handles the caller now owns. */
export interface WitMessage {
  data: Buffer;
  sender: WitAddress;
  attachments: number[];
  truncated: boolean;
  attachmentsDropped: boolean;
}

/** WIT `types.credentials`. */
export interface WitCredentials {
  pid: number;
  uid: number;
  gid: number;
}

/** WIT `sockets.bind-options`. */
export interface BindOptions {
  mode: number | undefined;
  unlinkOnClose: boolean;
  recoverStale: boolean;
  workingDirectory: string | undefined;
}

/** WIT `sockets.listen-options`. */
export interface ListenOptions extends BindOptions {
  /** `stream` or `seqpacket`; `datagram` fails with EOPNOTSUPP (operation `listen`). */
  socketType: SocketType;
  backlog: number;
}

type Fn = (...args: number[]) => number;

const SOCKETS = 'cm32p2|unixsock:ipc/sockets@0.1|';
const DESCRIPTORS = 'cm32p2|unixsock:ipc/descriptors@0.1|';

export class SocketsBinding {
  readonly #m: CoreMemory;
  readonly #x: Record<string, Fn>;

  constructor(engine: Engine) {
    this.#m = engine.memory;
    this.#x = engine.exports as Record<string, Fn>;
  }

  /**
   * Resolved exports per interface and name: the function and its
   * post-return, if any. Looked up once: building `iface + name` and looking
   * it up on every call cost a string concatenation and a string-table
   * lookup per call (several per connection).
   */
  readonly #resolved = new Map<string, Map<string, [Fn, Fn | undefined]>>();

  #entry(iface: string, name: string): [Fn, Fn | undefined] {
    let byName = this.#resolved.get(iface);
    if (byName === undefined) this.#resolved.set(iface, (byName = new Map()));
    let entry = byName.get(name);
    if (entry === undefined) {
      const fn = this.#x[iface + name];
      if (fn === undefined) throw new Error(`unixsock: the engine does not export ${name}`);
      entry = [fn, this.#x[`${iface}${name}_post`]];
      byName.set(name, entry);
    }
    return entry;
  }

  #fn(iface: string, name: string): Fn {
    return this.#entry(iface, name)[0];
  }

  #failure(ret: number): SocketFailure {
    const v = this.#m.view;
    const kind = v.getUint8(ret + 4);
    if (kind === 0) {
      return { kind: 'invalid-address', problem: problemOf({ tag: v.getUint8(ret + 8), a: v.getUint32(ret + 12, true), b: v.getUint32(ret + 16, true) }) };
    }
    if (kind === 1) {
      return {
        kind: 'os',
        condition: ERROR_CODES[v.getUint8(ret + 8)] ?? 'other',
        errno: ERRNO_NAMES[v.getUint8(ret + 9)] ?? 'UNKNOWN',
        operation: OPERATIONS[v.getUint8(ret + 10)] ?? 'socket',
      };
    }
    if (kind === 3) return { kind: 'policy-denied', permission: PERMISSIONS[v.getUint8(ret + 8)] ?? 'bind' };
    return { kind: 'invalid-state' };
  }

  /** Call, lift with `lift(ret)` on success, then post-return. */
  #call<T>(name: string, args: number[], lift: (ret: number) => T, iface = SOCKETS): SocketOutcome<T> {
    const [fn, post] = this.#entry(iface, name);
    const ret = fn(...args);
    this.#m.fresh();
    const out: SocketOutcome<T> =
      this.#m.view.getUint8(ret) === 0 ? { ok: true, value: lift(ret) } : { ok: false, failure: this.#failure(ret) };
    post?.(ret);
    return out;
  }

  #handle = (ret: number): number => this.#m.view.getInt32(ret + 4, true);
  #unit = (): undefined => undefined;
  #address = (ret: number): WitAddress => {
    const v = this.#m.view;
    return liftAddress(this.#m, v.getUint8(ret + 4), v.getUint32(ret + 8, true), v.getUint32(ret + 12, true));
  };

  /** The condition for a WIT errno case index. */
  conditionOf(errno: number): ErrorCode {
    return ERROR_CODES[this.#fn(SOCKETS, 'condition-of')(errno)] ?? 'other';
  }

  /** Lower an address: its flat (case, ptr, len). */
  #flatAddress(a: WitAddress): number[] {
    lowerAddress(this.#m, a);
    return [a.kind, this.#m.ptr, this.#m.len];
  }

  /** Lower `bind-options`: its flat fields. */
  #flatBindOptions(o: BindOptions): number[] {
    let wdPtr = 0;
    let wdLen = 0;
    if (o.workingDirectory !== undefined) {
      this.#m.lowerString(o.workingDirectory);
      [wdPtr, wdLen] = [this.#m.ptr, this.#m.len];
    }
    return [o.mode === undefined ? 0 : 1, o.mode ?? 0, o.unlinkOnClose ? 1 : 0, o.recoverStale ? 1 : 0,
      o.workingDirectory === undefined ? 0 : 1, wdPtr, wdLen];
  }

  listen(a: WitAddress, o: ListenOptions): SocketOutcome<number> {
    return this.#call(
      '[static]listener.listen',
      [...this.#flatAddress(a), SOCKET_TYPES.indexOf(o.socketType), o.backlog, ...this.#flatBindOptions(o)],
      this.#handle,
    );
  }

  /** A connection handle, 0 when none is pending. */
  accept(listener: number): SocketOutcome<number> {
    return this.#call('[method]listener.accept', [listener], (ret) =>
      this.#m.view.getUint8(ret + 4) === 0 ? 0 : this.#m.view.getInt32(ret + 8, true));
  }

  /** Take charge of a descriptor accepted from `listener`. */
  adoptAccepted(listener: number, fd: number): SocketOutcome<number> {
    return this.#call('adopt-accepted', [listener, fd], this.#handle, DESCRIPTORS);
  }

  /** Take charge of a Unix socket from elsewhere: what it became, and its handle. */
  adopt(fd: number): SocketOutcome<{ kind: AdoptedKind; handle: number }> {
    return this.#call('adopt', [fd], (ret) => ({
      kind: ADOPTED_KINDS[this.#m.view.getUint8(ret + 4)]!,
      handle: this.#m.view.getInt32(ret + 8, true),
    }), DESCRIPTORS);
  }

  listenerAddress(listener: number): SocketOutcome<WitAddress> {
    return this.#call('[method]listener.local-address', [listener], this.#address);
  }

  closeListener(listener: number): SocketOutcome<undefined> {
    return this.#call('[method]listener.close', [listener], this.#unit);
  }

  dropListener(listener: number): void {
    this.#fn(SOCKETS, 'listener_dtor')(listener);
  }

  listenerDescriptor(listener: number): number {
    return this.#fn(DESCRIPTORS, 'listener-descriptor')(listener);
  }

  /** A connection of `socketType` (`stream` or `seqpacket`). */
  connect(a: WitAddress, socketType: SocketType): SocketOutcome<number> {
    return this.#call('[static]connection.connect', [...this.#flatAddress(a), SOCKET_TYPES.indexOf(socketType)], this.#handle);
  }

  localAddress(connection: number): SocketOutcome<WitAddress> {
    return this.#call('[method]connection.local-address', [connection], this.#address);
  }

  remoteAddress(connection: number): SocketOutcome<WitAddress> {
    return this.#call('[method]connection.remote-address', [connection], this.#address);
  }

  /** `how`: 0 receive, 1 send, 2 both. */
  shutdown(connection: number, how: number): SocketOutcome<undefined> {
    return this.#call('[method]connection.shutdown', [connection, how], this.#unit);
  }

  closeConnection(connection: number): SocketOutcome<undefined> {
    return this.#call('[method]connection.close', [connection], this.#unit);
  }

  dropConnection(connection: number): void {
    this.#fn(SOCKETS, 'connection_dtor')(connection);
  }

  connectionDescriptor(connection: number): number {
    return this.#fn(DESCRIPTORS, 'connection-descriptor')(connection);
  }

  /** A datagram socket bound to `a`, or unbound when `a` is undefined. */
  bindDatagram(a: WitAddress | undefined, o: BindOptions): SocketOutcome<number> {
    const addr = a === undefined ? [0, 0, 0, 0] : [1, ...this.#flatAddress(a)];
    return this.#call('[static]datagram.bind', [...addr, ...this.#flatBindOptions(o)], this.#handle);
  }

  /** Set the default peer. */
  connectDatagram(datagram: number, a: WitAddress): SocketOutcome<undefined> {
    return this.#call('[method]datagram.connect', [datagram, ...this.#flatAddress(a)], this.#unit);
  }

  datagramLocalAddress(datagram: number): SocketOutcome<WitAddress> {
    return this.#call('[method]datagram.local-address', [datagram], this.#address);
  }

  datagramRemoteAddress(datagram: number): SocketOutcome<WitAddress> {
    return this.#call('[method]datagram.remote-address', [datagram], this.#address);
  }

  closeDatagram(datagram: number): SocketOutcome<undefined> {
    return this.#call('[method]datagram.close', [datagram], this.#unit);
  }

  dropDatagram(datagram: number): void {
    this.#fn(SOCKETS, 'datagram_dtor')(datagram);
  }

  datagramDescriptor(datagram: number): number {
    return this.#fn(DESCRIPTORS, 'datagram-descriptor')(datagram);
  }

  /** A connected pair of `stream` or `seqpacket` connection handles. */
  socketPair(socketType: SocketType): SocketOutcome<[number, number]> {
    return this.#call('socket-pair', [SOCKET_TYPES.indexOf(socketType)], (ret) =>
      [this.#m.view.getInt32(ret + 4, true), this.#m.view.getInt32(ret + 8, true)]);
  }

  #count = (ret: number): number => this.#m.view.getUint32(ret + 4, true);
  #readiness = (ret: number): number => this.#m.view.getUint8(ret + 4);
  #message = (ret: number): WitMessage => {
    const m = this.#m;
    const v = m.view;
    const attachments: number[] = [];
    const at = v.getUint32(ret + 24, true);
    for (let i = 0, n = v.getUint32(ret + 28, true); i < n; i++) attachments.push(v.getInt32(at + 4 * i, true));
    return {
      data: m.copy(v.getUint32(ret + 4, true), v.getUint32(ret + 8, true)),
      sender: liftAddress(m, v.getUint8(ret + 12), v.getUint32(ret + 16, true), v.getUint32(ret + 20, true)),
      attachments,
      truncated: v.getUint8(ret + 32) !== 0,
      attachmentsDropped: v.getUint8(ret + 33) !== 0,
    };
  };

  /** Lower data and attachment handles: their flat (ptr, len, ptr, len). */
  #flatPayload(data: Uint8Array, attachments: readonly number[]): [number, number, number, number] {
    this.#m.lowerBytes(data);
    const [ptr, len] = [this.#m.ptr, this.#m.len];
    this.#m.lowerWords(attachments);
    return [ptr, len, this.#m.ptr, this.#m.len];
  }

  /** connection.send: the bytes the kernel took. */
  send(connection: number, data: Uint8Array, attachments: readonly number[]): SocketOutcome<number> {
    return this.#call('[method]connection.send', [connection, ...this.#flatPayload(data, attachments)], this.#count);
  }

  /** connection.receive: `would-block` (an `os` failure) when nothing is queued. */
  receive(connection: number, max: number): SocketOutcome<WitMessage> {
    return this.#call('[method]connection.receive', [connection, max], this.#message);
  }

  /** connection.wait: the READINESS bits set, 0 on timeout. */
  waitConnection(connection: number, events: number, timeoutMs: number): SocketOutcome<number> {
    return this.#call('[method]connection.wait', [connection, events, timeoutMs], this.#readiness);
  }

  waitListener(listener: number, events: number, timeoutMs: number): SocketOutcome<number> {
    return this.#call('[method]listener.wait', [listener, events, timeoutMs], this.#readiness);
  }

  waitDatagram(datagram: number, events: number, timeoutMs: number): SocketOutcome<number> {
    return this.#call('[method]datagram.wait', [datagram, events, timeoutMs], this.#readiness);
  }

  peerCredentials(connection: number): SocketOutcome<WitCredentials> {
    return this.#call('[method]connection.peer-credentials', [connection], (ret) => ({
      pid: this.#m.view.getInt32(ret + 4, true),
      uid: this.#m.view.getUint32(ret + 8, true),
      gid: this.#m.view.getUint32(ret + 12, true),
    }));
  }

  /** datagram.send-to: to `to`, or the default peer when undefined. */
  sendTo(datagram: number, data: Uint8Array, to: WitAddress | undefined, attachments: readonly number[]): SocketOutcome<number> {
    const [ptr, len, atPtr, atLen] = this.#flatPayload(data, attachments);
    const target = to === undefined ? [0, 0, 0, 0] : [1, ...this.#flatAddress(to)];
    return this.#call('[method]datagram.send-to', [datagram, ptr, len, ...target, atPtr, atLen], this.#count);
  }

  receiveDatagram(datagram: number, max: number): SocketOutcome<WitMessage> {
    return this.#call('[method]datagram.receive', [datagram, max], this.#message);
  }

  /** descriptors.attach: the engine owns `fd` from now on. */
  attach(fd: number): number {
    return this.#fn(DESCRIPTORS, 'attach')(fd);
  }

  /** descriptors.detach: the caller owns the descriptor from now on. */
  detach(attachment: number): number {
    return this.#fn(DESCRIPTORS, 'detach')(attachment);
  }

  dropAttachment(attachment: number): void {
    this.#fn(SOCKETS, 'attachment_dtor')(attachment);
  }
}
