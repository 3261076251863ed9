/** @module Interface unixsock:ipc/address@0.1.0 **/
export function layoutFor(platform: Platform): SockaddrLayout;
export function validate(addr: Address, options: Options): Address;
export function encode(addr: Address, options: Options): Uint8Array;
export function decode(sockaddr: Uint8Array, platform: Platform): Address;
export function parse(text: string): Address;
export function toText(addr: Address): string;
export function normalize(path: string, workingDirectory: string | undefined): string;
export function isUnixSocketPath(candidate: Candidate, platform: Platform, workingDirectory: string): boolean;
export type Address = import('./unixsock-ipc-types.js').Address;
export type Platform = import('./unixsock-ipc-types.js').Platform;
export interface SockaddrLayout {
  platform: Platform,
  hasLengthByte: boolean,
  pathOffset: number,
  pathCapacity: number,
  maxPathBytes: number,
  abstractNamespace: boolean,
  autobind: boolean,
}
/**
 * # Variants
 * 
 * ## `"allow"`
 * 
 * ## `"absolute-must-fit"`
 * 
 * ## `"reject"`
 */
export type RelativePaths = 'allow' | 'absolute-must-fit' | 'reject';
export interface Options {
  platform: Platform,
  portable: boolean,
  relativePaths: RelativePaths,
  workingDirectory?: string,
}
export interface LengthExcess {
  length: number,
  maximum: number,
}
export type AddressError = AddressErrorEmptyPath | AddressErrorContainsNul | AddressErrorPathTooLong | AddressErrorAbsolutePathTooLong | AddressErrorRelativePathRejected | AddressErrorMissingWorkingDirectory | AddressErrorWorkingDirectoryNotAbsolute | AddressErrorAbstractUnsupported | AddressErrorAbstractTooLong | AddressErrorAutobindUnsupported | AddressErrorTruncated | AddressErrorWrongFamily | AddressErrorBadLengthByte | AddressErrorBadSyntax;
export interface AddressErrorEmptyPath {
  tag: 'empty-path',
}
export interface AddressErrorContainsNul {
  tag: 'contains-nul',
  val: number,
}
export interface AddressErrorPathTooLong {
  tag: 'path-too-long',
  val: LengthExcess,
}
export interface AddressErrorAbsolutePathTooLong {
  tag: 'absolute-path-too-long',
  val: LengthExcess,
}
export interface AddressErrorRelativePathRejected {
  tag: 'relative-path-rejected',
}
export interface AddressErrorMissingWorkingDirectory {
  tag: 'missing-working-directory',
}
export interface AddressErrorWorkingDirectoryNotAbsolute {
  tag: 'working-directory-not-absolute',
}
export interface AddressErrorAbstractUnsupported {
  tag: 'abstract-unsupported',
}
export interface AddressErrorAbstractTooLong {
  tag: 'abstract-too-long',
  val: LengthExcess,
}
export interface AddressErrorAutobindUnsupported {
  tag: 'autobind-unsupported',
}
export interface AddressErrorTruncated {
  tag: 'truncated',
}
export interface AddressErrorWrongFamily {
  tag: 'wrong-family',
  val: number,
}
export interface AddressErrorBadLengthByte {
  tag: 'bad-length-byte',
  val: number,
}
export interface AddressErrorBadSyntax {
  tag: 'bad-syntax',
  val: number,
}
export type Candidate = CandidatePath | CandidatePathBytes | CandidateBytes;
export interface CandidatePath {
  tag: 'path',
  val: string,
}
export interface CandidatePathBytes {
  tag: 'path-bytes',
  val: Uint8Array,
}
export interface CandidateBytes {
  tag: 'bytes',
  val: Uint8Array,
}
