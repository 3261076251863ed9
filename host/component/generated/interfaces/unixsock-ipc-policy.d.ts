/** @module Interface unixsock:ipc/policy@0.1.0 **/
export function setBaseDirectory(path: string): void;
export function allow(rule: Rule): void;
export function setLimits(maxOpenSockets: number | undefined, maxDescriptorsPerMessage: number | undefined): void;
export function lock(): void;
export function refusals(): RefusalCounts;
export type SocketType = import('./unixsock-ipc-types.js').SocketType;
export interface Permissions {
  bind?: boolean,
  listen?: boolean,
  connect?: boolean,
  accept?: boolean,
  sendTo?: boolean,
  receiveFrom?: boolean,
  socketPair?: boolean,
  sendDescriptors?: boolean,
  receiveDescriptors?: boolean,
}
export interface SocketTypes {
  stream?: boolean,
  datagram?: boolean,
  seqpacket?: boolean,
}
export type Pattern = PatternPathPrefix | PatternAbstractPrefix | PatternUnnamed | PatternAny;
export interface PatternPathPrefix {
  tag: 'path-prefix',
  val: string,
}
export interface PatternAbstractPrefix {
  tag: 'abstract-prefix',
  val: Uint8Array,
}
export interface PatternUnnamed {
  tag: 'unnamed',
}
export interface PatternAny {
  tag: 'any',
}
export interface PeerRequirement {
  sameUser: boolean,
  uids: Uint32Array,
  gids: Uint32Array,
}
export interface Rule {
  permissions: Permissions,
  pattern: Pattern,
  socketTypes: SocketTypes,
  peer?: PeerRequirement,
}
/**
 * # Variants
 * 
 * ## `"locked"`
 * 
 * ## `"invalid-base-directory"`
 * 
 * ## `"invalid-pattern"`
 */
export type PolicyError = 'locked' | 'invalid-base-directory' | 'invalid-pattern';
export interface RefusalCounts {
  denied: bigint,
  droppedConnections: bigint,
  droppedDatagrams: bigint,
  closedDescriptors: bigint,
}
