/** @module Interface unixsock:ipc/types@0.1.0 **/
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
