/** @module Interface unixsock:ipc/sockets@0.1.0 **/
export function conditionOf(errno: Errno): ErrorCode;
export function adopt(fd: number): Adopted;
export type Address = import('./unixsock-ipc-types.js').Address;
export type ErrorCode = import('./unixsock-ipc-types.js').ErrorCode;
export type ShutdownHow = import('./unixsock-ipc-types.js').ShutdownHow;
export type SocketType = import('./unixsock-ipc-types.js').SocketType;
export type AddressError = import('./unixsock-ipc-address.js').AddressError;
export type Errno = import('./unixsock-ipc-syscalls.js').Errno;
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
 */
export type Operation = 'socket' | 'bind' | 'listen' | 'connect' | 'accept' | 'getsockname' | 'getpeername' | 'shutdown' | 'close' | 'lstat' | 'unlink' | 'getsockopt';
export interface OsError {
  code: ErrorCode,
  errno: Errno,
  operation: Operation,
}
export type SocketError = SocketErrorInvalidAddress | SocketErrorOs | SocketErrorInvalidState;
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
export type Adopted = AdoptedStreamListener | AdoptedSeqpacketListener | AdoptedStreamConnection | AdoptedSeqpacketConnection | AdoptedDatagram;
export interface AdoptedStreamListener {
  tag: 'stream-listener',
  val: Listener,
}
export interface AdoptedSeqpacketListener {
  tag: 'seqpacket-listener',
  val: Listener,
}
export interface AdoptedStreamConnection {
  tag: 'stream-connection',
  val: Connection,
}
export interface AdoptedSeqpacketConnection {
  tag: 'seqpacket-connection',
  val: Connection,
}
export interface AdoptedDatagram {
  tag: 'datagram',
  val: Datagram,
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
  close(): void;
}

export class Datagram {
  /**
   * This type does not have a public constructor.
   */
  private constructor();
  static bind(addr: Address | undefined, options: BindOptions): Datagram;
  connect(addr: Address): void;
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
  adopt(fd: number): Connection;
  localAddress(): Address;
  close(): void;
}
