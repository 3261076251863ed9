/** @module Interface unixsock:ipc/sockets@0.1.0 **/
export function socketPair(socketType: SocketType): [Connection, Connection];
export function conditionOf(errno: Errno): ErrorCode;
export type Address = import('./unixsock-ipc-types.js').Address;
export type Credentials = import('./unixsock-ipc-types.js').Credentials;
export type Errno = import('./unixsock-ipc-types.js').Errno;
export type ErrorCode = import('./unixsock-ipc-types.js').ErrorCode;
export type Permission = import('./unixsock-ipc-types.js').Permission;
export type Readiness = import('./unixsock-ipc-types.js').Readiness;
export type ShutdownHow = import('./unixsock-ipc-types.js').ShutdownHow;
export type SocketType = import('./unixsock-ipc-types.js').SocketType;
export type AddressError = import('./unixsock-ipc-address.js').AddressError;
/**
 * # Variants
 * 
 * ## `"socket"`
 * 
 * ## `"bind"`
 * 
 * ## `"listen"`
 * 
 * ## `"connect"`
 * 
 * ## `"accept"`
 * 
 * ## `"getsockname"`
 * 
 * ## `"getpeername"`
 * 
 * ## `"shutdown"`
 * 
 * ## `"close"`
 * 
 * ## `"lstat"`
 * 
 * ## `"unlink"`
 * 
 * ## `"getsockopt"`
 * 
 * ## `"socketpair"`
 * 
 * ## `"send"`
 * 
 * ## `"receive"`
 * 
 * ## `"poll"`
 * 
 * ## `"realpath"`
 */
export type Operation = 'socket' | 'bind' | 'listen' | 'connect' | 'accept' | 'getsockname' | 'getpeername' | 'shutdown' | 'close' | 'lstat' | 'unlink' | 'getsockopt' | 'socketpair' | 'send' | 'receive' | 'poll' | 'realpath';
export interface OsError {
  code: ErrorCode,
  errno: Errno,
  operation: Operation,
}
export type SocketError = SocketErrorInvalidAddress | SocketErrorOs | SocketErrorInvalidState | SocketErrorPolicyDenied;
export interface SocketErrorInvalidAddress {
  tag: 'invalid-address',
  val: AddressError,
}
export interface SocketErrorOs {
  tag: 'os',
  val: OsError,
}
export interface SocketErrorInvalidState {
  tag: 'invalid-state',
}
export interface SocketErrorPolicyDenied {
  tag: 'policy-denied',
  val: Permission,
}
export interface Message {
  data: Uint8Array,
  sender: Address,
  attachments: Array<Attachment>,
  truncated: boolean,
  attachmentsDropped: boolean,
}
export interface ListenOptions {
  socketType: SocketType,
  backlog: number,
  mode?: number,
  unlinkOnClose: boolean,
  recoverStale: boolean,
  workingDirectory?: string,
}
export interface BindOptions {
  mode?: number,
  unlinkOnClose: boolean,
  recoverStale: boolean,
  workingDirectory?: string,
}

export class Attachment implements Disposable {
  /**
   * This type does not have a public constructor.
   */
  private constructor();
  [Symbol.dispose](): void;
}

export class Connection {
  /**
   * This type does not have a public constructor.
   */
  private constructor();
  static connect(addr: Address, socketType: SocketType): Connection;
  localAddress(): Address;
  remoteAddress(): Address;
  shutdown(how: ShutdownHow): void;
  send(data: Uint8Array, attachments: Array<Attachment>): number;
  receive(max: number): Message;
  wait(events: Readiness, timeoutMs: number): Readiness;
  peerCredentials(): Credentials;
  close(): void;
}

export class Datagram {
  /**
   * This type does not have a public constructor.
   */
  private constructor();
  static bind(addr: Address | undefined, options: BindOptions): Datagram;
  connect(addr: Address): void;
  sendTo(data: Uint8Array, to: Address | undefined, attachments: Array<Attachment>): number;
  receive(max: number): Message;
  wait(events: Readiness, timeoutMs: number): Readiness;
  localAddress(): Address;
  remoteAddress(): Address;
  close(): void;
}

export class Listener {
  /**
   * This type does not have a public constructor.
   */
  private constructor();
  static listen(addr: Address, options: ListenOptions): Listener;
  accept(): Connection | undefined;
  wait(events: Readiness, timeoutMs: number): Readiness;
  localAddress(): Address;
  close(): void;
}
