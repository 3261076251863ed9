// The canonical-ABI binding of the engine's `sockets` and `descriptors`
// exports for Node. Handles are reps (see defaultImports in component.ts),
// so dropping a handle is calling its destructor.
import type { CoreMemory } from './abi.js';
import { type ComponentInstance, liftAddressAt, lowerAddress, type WitAddress } from './component.js';
import { ERRNO_NAMES, type ErrnoName } from './errno.js';
import {
  type AddressProblem, ERROR_CODES, type ErrorCode, OPERATIONS, type Operation, PERMISSIONS, type Permission, problemOf,
} from '../errors.js';
import {
  ADDRESS_ADDRESS_ERROR, ADDRESS_LENGTH_EXCESS, DESCRIPTORS_ADOPTED, HANDLE, LIST, SOCKETS_FUNCTIONS, SOCKETS_MESSAGE, SOCKETS_OS_ERROR,
  NONE, TYPES_READINESS, SOCKETS_SOCKET_ERROR, SOME, TYPES_ADDRESS, TYPES_CREDENTIALS, TYPES_SOCKET_TYPE,
} from './generated/abi-layout.js';

/** WIT `sockets.socket-error`, lifted. */
export type SocketFailure =
  | { kind: 'invalid-address'; problem: AddressProblem }
  | { kind: 'os'; condition: ErrorCode; errno: ErrnoName; operation: Operation }
  | { kind: 'invalid-state' }
  | { kind: 'policy-denied'; permission: Permission };

export type SocketOutcome<T> = { ok: true; value: T } | { ok: false; failure: SocketFailure };

/** WIT `types.socket-type`, case index = position. */
export const SOCKET_TYPES = TYPES_SOCKET_TYPE.cases;
export type WitSocketType = (typeof SOCKET_TYPES)[number];

/** WIT `sockets.adopted` cases, in order. */
export const ADOPTED_KINDS = DESCRIPTORS_ADOPTED.cases;
export type AdoptedKind = (typeof ADOPTED_KINDS)[number];

/** WIT `types.readiness` bits. */
export const READINESS = {
  readable: TYPES_READINESS.readable, writable: TYPES_READINESS.writable, hangUp: TYPES_READINESS.hangUp,
} as const;

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
export interface WitListenOptions extends BindOptions {
  /** `stream` or `seqpacket`; `datagram` fails with EOPNOTSUPP (operation `listen`). */
  socketType: WitSocketType;
  backlog: number;
}

type Fn = (...args: number[]) => number;

const SOCKETS = 'cm32p2|unixsock:ipc/sockets@0.1|';

// Where things are in a return area (host/generated/abi-layout.ts). Every
// `sockets` and `descriptors` function returns result<T, socket-error>, whose
// payload offset is the same for each T (test/wit/abi-layout.test.ts checks).
const PAYLOAD = SOCKETS_FUNCTIONS['[method]connection.receive'].result.payload;
/** The socket-error case's own payload. */
const ERROR = PAYLOAD + SOCKETS_SOCKET_ERROR.payload;
const INVALID_ADDRESS = SOCKETS_SOCKET_ERROR.cases.indexOf('invalid-address');
const OS = SOCKETS_SOCKET_ERROR.cases.indexOf('os');
const POLICY_DENIED = SOCKETS_SOCKET_ERROR.cases.indexOf('policy-denied');
/** address-error's payload: a u32, a u16, a u8 or a length-excess. */
const PROBLEM = ERROR + ADDRESS_ADDRESS_ERROR.payload;
/** option<connection> of `listener.accept`. */
const ACCEPTED = PAYLOAD + SOCKETS_FUNCTIONS['[method]listener.accept'].result.ok.payload;
const [PAIR_FIRST, PAIR_SECOND] = SOCKETS_FUNCTIONS['socket-pair'].result.ok.fields;
const MESSAGE = PAYLOAD;
/** option<address> `none`, flat: the discriminant and an address's worth of zeros. */
const NO_ADDRESS: readonly number[] = new Array<number>(1 + TYPES_ADDRESS.flat).fill(NONE);
/** An `own<attachment>` in a list. */
const HANDLE_SIZE = HANDLE.size;
const DESCRIPTORS = 'cm32p2|unixsock:ipc/descriptors@0.1|';

export class SocketsBinding {
  readonly #m: CoreMemory;
  readonly #x: Record<string, Fn>;

  constructor(engine: ComponentInstance) {
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
    const kind = v.getUint8(ret + PAYLOAD);
    if (kind === INVALID_ADDRESS) {
      return {
        kind: 'invalid-address',
        problem: problemOf({
          tag: v.getUint8(ret + ERROR),
          a: v.getUint32(ret + PROBLEM + ADDRESS_LENGTH_EXCESS.length, true),
          b: v.getUint32(ret + PROBLEM + ADDRESS_LENGTH_EXCESS.maximum, true),
        }),
      };
    }
    if (kind === OS) {
      return {
        kind: 'os',
        condition: ERROR_CODES[v.getUint8(ret + ERROR + SOCKETS_OS_ERROR.code)] ?? 'other',
        errno: ERRNO_NAMES[v.getUint8(ret + ERROR + SOCKETS_OS_ERROR.errno)] ?? 'UNKNOWN',
        operation: OPERATIONS[v.getUint8(ret + ERROR + SOCKETS_OS_ERROR.operation)] ?? 'socket',
      };
    }
    if (kind === POLICY_DENIED) return { kind: 'policy-denied', permission: PERMISSIONS[v.getUint8(ret + ERROR)] ?? 'bind' };
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

  #handle = (ret: number): number => this.#m.view.getInt32(ret + PAYLOAD, true);
  #unit = (): undefined => undefined;
  #address = (ret: number): WitAddress => liftAddressAt(this.#m, ret + PAYLOAD);

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
    return [o.mode === undefined ? NONE : SOME, o.mode ?? 0, o.unlinkOnClose ? 1 : 0, o.recoverStale ? 1 : 0,
      o.workingDirectory === undefined ? NONE : SOME, wdPtr, wdLen];
  }

  listen(a: WitAddress, o: WitListenOptions): SocketOutcome<number> {
    return this.#call(
      '[static]listener.listen',
      [...this.#flatAddress(a), SOCKET_TYPES.indexOf(o.socketType), o.backlog, ...this.#flatBindOptions(o)],
      this.#handle,
    );
  }

  /** A connection handle, 0 when none is pending. */
  accept(listener: number): SocketOutcome<number> {
    return this.#call('[method]listener.accept', [listener], (ret) =>
      this.#m.view.getUint8(ret + PAYLOAD) === 0 ? 0 : this.#m.view.getInt32(ret + ACCEPTED, true));
  }

  /** Take charge of a descriptor accepted from `listener`. */
  adoptAccepted(listener: number, fd: number): SocketOutcome<number> {
    return this.#call('adopt-accepted', [listener, fd], this.#handle, DESCRIPTORS);
  }

  /** Take charge of a Unix socket from elsewhere: what it became, and its handle. */
  adopt(fd: number): SocketOutcome<{ kind: AdoptedKind; handle: number }> {
    return this.#call('adopt', [fd], (ret) => ({
      kind: ADOPTED_KINDS[this.#m.view.getUint8(ret + PAYLOAD)]!,
      handle: this.#m.view.getInt32(ret + PAYLOAD + DESCRIPTORS_ADOPTED.payload, true),
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
  connect(a: WitAddress, socketType: WitSocketType): SocketOutcome<number> {
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
    const addr = a === undefined ? NO_ADDRESS : [SOME, ...this.#flatAddress(a)];
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
  socketPair(socketType: WitSocketType): SocketOutcome<[number, number]> {
    return this.#call('socket-pair', [SOCKET_TYPES.indexOf(socketType)], (ret) =>
      [this.#m.view.getInt32(ret + PAYLOAD + PAIR_FIRST, true), this.#m.view.getInt32(ret + PAYLOAD + PAIR_SECOND, true)]);
  }

  #count = (ret: number): number => this.#m.view.getUint32(ret + PAYLOAD, true);
  #readiness = (ret: number): number => this.#m.view.getUint8(ret + PAYLOAD);
  #message = (ret: number): WitMessage => {
    const m = this.#m;
    const v = m.view;
    const at = ret + MESSAGE;
    const attachments: number[] = [];
    const list = v.getUint32(at + SOCKETS_MESSAGE.attachments + LIST.ptr, true);
    for (let i = 0, n = v.getUint32(at + SOCKETS_MESSAGE.attachments + LIST.len, true); i < n; i++) {
      attachments.push(v.getInt32(list + HANDLE_SIZE * i, true));
    }
    return {
      data: m.copy(v.getUint32(at + SOCKETS_MESSAGE.data + LIST.ptr, true), v.getUint32(at + SOCKETS_MESSAGE.data + LIST.len, true)),
      sender: liftAddressAt(m, at + SOCKETS_MESSAGE.sender),
      attachments,
      truncated: v.getUint8(at + SOCKETS_MESSAGE.truncated) !== 0,
      attachmentsDropped: v.getUint8(at + SOCKETS_MESSAGE.attachmentsDropped) !== 0,
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
      pid: this.#m.view.getInt32(ret + PAYLOAD + TYPES_CREDENTIALS.pid, true),
      uid: this.#m.view.getUint32(ret + PAYLOAD + TYPES_CREDENTIALS.uid, true),
      gid: this.#m.view.getUint32(ret + PAYLOAD + TYPES_CREDENTIALS.gid, true),
    }));
  }

  /** datagram.send-to: to `to`, or the default peer when undefined. */
  sendTo(datagram: number, data: Uint8Array, to: WitAddress | undefined, attachments: readonly number[]): SocketOutcome<number> {
    const [ptr, len, atPtr, atLen] = this.#flatPayload(data, attachments);
    const target = to === undefined ? NO_ADDRESS : [SOME, ...this.#flatAddress(to)];
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
