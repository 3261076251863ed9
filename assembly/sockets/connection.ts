// Connected stream sockets: connect, addresses, shutdown, close. The bytes
// themselves move on the descriptor, outside the engine.
import { AddressKind } from '../address/kinds';
import { outLen, outPtr } from '../address/output';
import { decodeSockaddr } from '../address/sockaddr';
import {
  failed, SocketKind, sysClose, sysConnect, sysGetPeerName, sysGetSockName, sysShutdown, sysSocket, nameLen,
} from '../bindings/syscalls';
import { Errno } from './errno';
import { Operation, osFail, osFailErrno, stateFail } from './failure';
import { currentPlatform, encodeForHost } from './listener';

export class Connection {
  fd: i32 = -1;
}

const slab = new Array<Connection | null>();
const free = new Array<i32>();

export function connectionOf(rep: i32): Connection | null {
  return rep > 0 && rep <= slab.length ? slab[rep - 1] : null;
}

/** A new connection owning `fd`; returns its rep. */
export function register(fd: i32): i32 {
  const c = new Connection();
  c.fd = fd;
  if (free.length > 0) {
    const i = free.pop();
    slab[i] = c;
    return i + 1;
  }
  slab.push(c);
  return slab.length;
}

export function release(rep: i32): void {
  if (connectionOf(rep) == null) return;
  slab[rep - 1] = null;
  free.push(rep - 1);
}

/** connection.connect: a rep, or 0 with the failure recorded. */
export function connect(kind: AddressKind, ptr: usize, len: u32): i32 {
  if (!encodeForHost(kind, ptr, len)) return 0;
  const sa = outPtr;
  const saLen = outLen;
  const fdr = sysSocket(SocketKind.Stream);
  if (failed(fdr)) { osFail(Operation.Socket, fdr); return 0; }
  const fd = <i32>fdr;
  const r = sysConnect(fd, sa, saLen);
  // AF_UNIX connects at once; EINPROGRESS would only mean "still going".
  if (failed(r) && <i32>(-r - 1) != Errno.InProgress) {
    sysClose(fd);
    osFail(Operation.Connect, r);
    return 0;
  }
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

