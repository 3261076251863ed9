/** @module Interface unixsock:ipc/descriptors@0.1.0 **/
export function adopt(fd: number): Adopted;
export function adoptAccepted(l: Listener, fd: number): Connection;
export function listenerDescriptor(l: Listener): number;
export function connectionDescriptor(c: Connection): number;
export function datagramDescriptor(d: Datagram): number;
export function attach(fd: number): Attachment;
export function detach(a: Attachment): number;
export type Listener = import('./unixsock-ipc-sockets.js').Listener;
export type Connection = import('./unixsock-ipc-sockets.js').Connection;
export type Datagram = import('./unixsock-ipc-sockets.js').Datagram;
export type Attachment = import('./unixsock-ipc-sockets.js').Attachment;
export type SocketError = import('./unixsock-ipc-sockets.js').SocketError;
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
