/** @module Interface unixsock:ipc/syscalls@0.1.0 **/
export function socket(kind: SocketType): number;
export function bind(fd: number, sockaddr: Uint8Array): void;
export function listen(fd: number, backlog: number): void;
export function connect(fd: number, sockaddr: Uint8Array): void;
export function accept(fd: number): number;
export function getSockName(fd: number): Uint8Array;
export function getPeerName(fd: number): Uint8Array;
export function getSocketType(fd: number): SocketType;
export function isListening(fd: number): boolean;
export function shutdown(fd: number, how: ShutdownHow): void;
export function close(fd: number): void;
export function pathIdentity(path: Uint8Array): FileIdentity;
export function unlink(path: Uint8Array): void;
export function setUmask(mask: number): number;
export function socketPair(kind: SocketType): [number, number];
export function send(fd: number, data: Uint8Array, fds: Int32Array, sockaddr: Uint8Array | undefined): number;
export function receive(fd: number, max: number, maxFds: number): Incoming;
export function peerCredentials(fd: number): Credentials;
export function wait(fd: number, events: Readiness, timeoutMs: number): Readiness;
export function realPath(path: Uint8Array): Uint8Array;
export function hostPlatform(): Platform;
export type Errno = import('./unixsock-ipc-types.js').Errno;
export type SocketType = import('./unixsock-ipc-types.js').SocketType;
export type Platform = import('./unixsock-ipc-types.js').Platform;
export type Readiness = import('./unixsock-ipc-types.js').Readiness;
export type ShutdownHow = import('./unixsock-ipc-types.js').ShutdownHow;
export interface Incoming {
  data: Uint8Array,
  fds: Int32Array,
  sockaddr: Uint8Array,
  truncated: boolean,
  controlTruncated: boolean,
}
export type Credentials = import('./unixsock-ipc-types.js').Credentials;
/**
 * # Variants
 * 
 * ## `"other"`
 * 
 * ## `"socket"`
 * 
 * ## `"regular"`
 * 
 * ## `"directory"`
 * 
 * ## `"symlink"`
 * 
 * ## `"fifo"`
 * 
 * ## `"character-device"`
 * 
 * ## `"block-device"`
 */
export type FileKind = 'other' | 'socket' | 'regular' | 'directory' | 'symlink' | 'fifo' | 'character-device' | 'block-device';
export interface FileIdentity {
  device: bigint,
  inode: bigint,
  kind: FileKind,
}
