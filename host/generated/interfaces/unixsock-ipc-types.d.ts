/** @module Interface unixsock:ipc/types@0.1.0 **/
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
