/** @module Interface unixsock:ipc/descriptors@0.1.0 **/
export function listenerDescriptor(l: Listener): number;
export function connectionDescriptor(c: Connection): number;
export function datagramDescriptor(d: Datagram): number;
export type Listener = import('./unixsock-ipc-sockets.js').Listener;
export type Connection = import('./unixsock-ipc-sockets.js').Connection;
export type Datagram = import('./unixsock-ipc-sockets.js').Datagram;
export type Errno = import('./unixsock-ipc-syscalls.js').Errno;
