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
export function hostPlatform(): Platform;
/**
 * # Variants
 * 
 * ## `"access"`
 * 
 * ## `"perm"`
 * 
 * ## `"addr-in-use"`
 * 
 * ## `"addr-not-avail"`
 * 
 * ## `"af-no-support"`
 * 
 * ## `"again"`
 * 
 * ## `"already"`
 * 
 * ## `"bad-fd"`
 * 
 * ## `"conn-aborted"`
 * 
 * ## `"conn-refused"`
 * 
 * ## `"conn-reset"`
 * 
 * ## `"dest-addr-req"`
 * 
 * ## `"exist"`
 * 
 * ## `"in-progress"`
 * 
 * ## `"invalid"`
 * 
 * ## `"io"`
 * 
 * ## `"is-conn"`
 * 
 * ## `"is-dir"`
 * 
 * ## `"loop"`
 * 
 * ## `"too-many-files"`
 * 
 * ## `"msg-size"`
 * 
 * ## `"name-too-long"`
 * 
 * ## `"too-many-files-system"`
 * 
 * ## `"no-buffers"`
 * 
 * ## `"no-entry"`
 * 
 * ## `"no-memory"`
 * 
 * ## `"no-space"`
 * 
 * ## `"quota"`
 * 
 * ## `"not-conn"`
 * 
 * ## `"not-dir"`
 * 
 * ## `"not-sock"`
 * 
 * ## `"not-supported"`
 * 
 * ## `"pipe"`
 * 
 * ## `"protocol-not-supported"`
 * 
 * ## `"protocol-type"`
 * 
 * ## `"read-only-fs"`
 * 
 * ## `"socket-type-not-supported"`
 * 
 * ## `"timed-out"`
 * 
 * ## `"too-many-refs"`
 * 
 * ## `"unknown"`
 */
export type Errno = 'access' | 'perm' | 'addr-in-use' | 'addr-not-avail' | 'af-no-support' | 'again' | 'already' | 'bad-fd' | 'conn-aborted' | 'conn-refused' | 'conn-reset' | 'dest-addr-req' | 'exist' | 'in-progress' | 'invalid' | 'io' | 'is-conn' | 'is-dir' | 'loop' | 'too-many-files' | 'msg-size' | 'name-too-long' | 'too-many-files-system' | 'no-buffers' | 'no-entry' | 'no-memory' | 'no-space' | 'quota' | 'not-conn' | 'not-dir' | 'not-sock' | 'not-supported' | 'pipe' | 'protocol-not-supported' | 'protocol-type' | 'read-only-fs' | 'socket-type-not-supported' | 'timed-out' | 'too-many-refs' | 'unknown';
export type SocketType = import('./unixsock-ipc-types.js').SocketType;
export type Platform = import('./unixsock-ipc-types.js').Platform;
export type ShutdownHow = import('./unixsock-ipc-types.js').ShutdownHow;
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
