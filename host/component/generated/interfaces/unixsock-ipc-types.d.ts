/** @module Interface unixsock:ipc/types@0.1.0 **/
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
 * ## `"no-protocol-option"`
 * 
 * ## `"unknown"`
 */
export type Errno = 'access' | 'perm' | 'addr-in-use' | 'addr-not-avail' | 'af-no-support' | 'again' | 'already' | 'bad-fd' | 'conn-aborted' | 'conn-refused' | 'conn-reset' | 'dest-addr-req' | 'exist' | 'in-progress' | 'invalid' | 'io' | 'is-conn' | 'is-dir' | 'loop' | 'too-many-files' | 'msg-size' | 'name-too-long' | 'too-many-files-system' | 'no-buffers' | 'no-entry' | 'no-memory' | 'no-space' | 'quota' | 'not-conn' | 'not-dir' | 'not-sock' | 'not-supported' | 'pipe' | 'protocol-not-supported' | 'protocol-type' | 'read-only-fs' | 'socket-type-not-supported' | 'timed-out' | 'too-many-refs' | 'no-protocol-option' | 'unknown';
/**
 * # Variants
 * 
 * ## `"stream"`
 * 
 * ## `"datagram"`
 * 
 * ## `"seqpacket"`
 */
export type SocketType = 'stream' | 'datagram' | 'seqpacket';
/**
 * # Variants
 * 
 * ## `"linux"`
 * 
 * ## `"macos"`
 * 
 * ## `"freebsd"`
 * 
 * ## `"openbsd"`
 * 
 * ## `"netbsd"`
 * 
 * ## `"windows"`
 */
export type Platform = 'linux' | 'macos' | 'freebsd' | 'openbsd' | 'netbsd' | 'windows';
export interface Readiness {
  readable?: boolean,
  writable?: boolean,
  hangUp?: boolean,
}
/**
 * # Variants
 * 
 * ## `"receive"`
 * 
 * ## `"send"`
 * 
 * ## `"both"`
 */
export type ShutdownHow = 'receive' | 'send' | 'both';
export interface Credentials {
  pid: number,
  uid: number,
  gid: number,
}
export type Address = AddressPath | AddressPathBytes | AddressAbstract | AddressUnnamed;
export interface AddressPath {
  tag: 'path',
  val: string,
}
export interface AddressPathBytes {
  tag: 'path-bytes',
  val: Uint8Array,
}
export interface AddressAbstract {
  tag: 'abstract',
  val: Uint8Array,
}
export interface AddressUnnamed {
  tag: 'unnamed',
}
/**
 * # Variants
 * 
 * ## `"access-denied"`
 * 
 * ## `"policy-denied"`
 * 
 * ## `"not-supported"`
 * 
 * ## `"invalid-argument"`
 * 
 * ## `"invalid-address"`
 * 
 * ## `"name-too-long"`
 * 
 * ## `"invalid-state"`
 * 
 * ## `"would-block"`
 * 
 * ## `"address-in-use"`
 * 
 * ## `"address-not-available"`
 * 
 * ## `"no-such-path"`
 * 
 * ## `"not-a-directory"`
 * 
 * ## `"symlink-loop"`
 * 
 * ## `"read-only-filesystem"`
 * 
 * ## `"no-space"`
 * 
 * ## `"connection-refused"`
 * 
 * ## `"connection-reset"`
 * 
 * ## `"connection-aborted"`
 * 
 * ## `"broken-pipe"`
 * 
 * ## `"wrong-socket-type"`
 * 
 * ## `"message-too-large"`
 * 
 * ## `"too-many-descriptors"`
 * 
 * ## `"out-of-memory"`
 * 
 * ## `"timeout"`
 * 
 * ## `"bad-descriptor"`
 * 
 * ## `"not-a-socket"`
 * 
 * ## `"other"`
 */
export type ErrorCode = 'access-denied' | 'policy-denied' | 'not-supported' | 'invalid-argument' | 'invalid-address' | 'name-too-long' | 'invalid-state' | 'would-block' | 'address-in-use' | 'address-not-available' | 'no-such-path' | 'not-a-directory' | 'symlink-loop' | 'read-only-filesystem' | 'no-space' | 'connection-refused' | 'connection-reset' | 'connection-aborted' | 'broken-pipe' | 'wrong-socket-type' | 'message-too-large' | 'too-many-descriptors' | 'out-of-memory' | 'timeout' | 'bad-descriptor' | 'not-a-socket' | 'other';
/**
 * # Variants
 * 
 * ## `"bind"`
 * 
 * ## `"listen"`
 * 
 * ## `"connect"`
 * 
 * ## `"accept"`
 * 
 * ## `"send-to"`
 * 
 * ## `"receive-from"`
 * 
 * ## `"socket-pair"`
 * 
 * ## `"send-descriptors"`
 * 
 * ## `"receive-descriptors"`
 * 
 * ## `"socket-limit"`
 * 
 * ## `"descriptor-limit"`
 */
export type Permission = 'bind' | 'listen' | 'connect' | 'accept' | 'send-to' | 'receive-from' | 'socket-pair' | 'send-descriptors' | 'receive-descriptors' | 'socket-limit' | 'descriptor-limit';
