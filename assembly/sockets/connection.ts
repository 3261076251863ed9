// Connected stream and seqpacket sockets: connect, addresses, shutdown,
// close. The bytes themselves move on the descriptor, outside the engine.
import { AddressKind } from '../address/kinds';
import { outLen, outPtr } from '../address/output';
import { decodeSockaddr } from '../address/sockaddr';
import {
  failed, SocketKind, sysClose, sysConnect, sysGetPeerName, sysGetSockName, sysShutdown, nameLen,
} from '../bindings/syscalls';
import { Errno } from './errno';
import { Operation, osFail, osFailErrno, stateFail } from './failure';
import { Slab } from './slab';
import { currentPlatform, encodeForHost, openSocket } from './system';

export class Connection {
  fd: i32 = -1;
}

const slab = new Slab<Connection>();

export function connectionOf(rep: i32): Connection | null {
  return slab.get(rep);
}

/** A new connection owning `fd`; returns its rep. */
export function register(fd: i32): i32 {
  const c = new Connection();
  c.fd = fd;
  return slab.add(c);
}

export function release(rep: i32): void {
  slab.remove(rep);
}

/**
 * connect(2) `fd` to an address already validated: false with the failure
 * recorded. AF_UNIX connects at once; EINPROGRESS would only mean "still going".
 */
export function connectTo(fd: i32, sa: usize, saLen: u32): bool {
  const r = sysConnect(fd, sa, saLen);
  return failed(r) && <i32>(-r - 1) != Errno.InProgress ? osFail(Operation.Connect, r) : true;
}

/** connection.connect: a rep, or 0 with the failure recorded. */
export function connect(kind: AddressKind, ptr: usize, len: u32, type: SocketKind): i32 {
  // A datagram socket is no connection (see datagram.ts); refused before any system call.
  if (type == SocketKind.Datagram) { osFailErrno(Operation.Connect, Errno.NotSupported); return 0; }
  if (!encodeForHost(kind, ptr, len)) return 0;
  const fd = openSocket(type);
  if (fd < 0) return 0;
  if (!connectTo(fd, outPtr, outLen)) { sysClose(fd); return 0; }
  return register(fd);
}

/** getsockname/getpeername of `fd`, decoded into out*. */
export function addressOf(fd: i32, peer: bool): bool {
  if (fd < 0) return stateFail();
  const r = peer ? sysGetPeerName(fd) : sysGetSockName(fd);
  if (failed(r)) return osFail(peer ? Operation.Getpeername : Operation.Getsockname, r);
  if (!decodeSockaddr(<usize>r, nameLen, currentPlatform())) return osFailErrno(Operation.Getsockname, Errno.Invalid);
  return true;
}

export function shutdown(c: Connection, how: i32): bool {
  if (c.fd < 0) return stateFail();
  const r = sysShutdown(c.fd, how);
  return failed(r) ? osFail(Operation.Shutdown, r) : true;
}

export function close(c: Connection): bool {
  if (c.fd < 0) return stateFail();
  const r = sysClose(c.fd);
  c.fd = -1;
  return failed(r) ? osFail(Operation.Close, r) : true;
}

