// Connected stream and seqpacket sockets: connect, addresses, shutdown,
// close. The bytes themselves move on the descriptor, outside the engine.
import { AddressKind } from '../address/kinds';
import { outLen, outPtr } from '../address/output';
import { decodeSockaddr } from '../address/sockaddr';
import {
  failed, nameLen, pairFirst, pairSecond, peerGid, peerPid, peerUid,
  sysClose, sysConnect, sysGetPeerName, sysGetSockName, sysPeerCredentials, sysShutdown, sysSocketPair,
} from '../bindings/syscalls';
import { SocketKind } from '../bindings/types';
import { Errno } from './errno';
import { Operation, osFail, osFailErrno, Permission, policyFail, stateFail } from './failure';
import {
  admit, admitSockets, enforcing, peerPermitted, peerUnconditional, permits, useKind, useLen, usePtr,
} from './policy';
import { Slab } from './slab';
import { currentPlatform, encodeForHost, openSocket } from './system';

export class Connection {
  fd: i32 = -1;
  type: SocketKind = SocketKind.Stream;
}

const slab = new Slab<Connection>();

export function connectionOf(rep: i32): Connection | null {
  return slab.get(rep);
}

/** A new connection of `type` owning `fd`; returns its rep. */
export function register(fd: i32, type: SocketKind): i32 {
  const c = new Connection();
  c.fd = fd;
  c.type = type;
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
  if (!admitSockets(1)) return 0;
  if (!admit(Permission.Connect, -1, type, kind, ptr, len)) return 0;
  kind = useKind;
  ptr = usePtr;
  len = useLen;
  if (!encodeForHost(kind, ptr, len)) return 0;
  const fd = openSocket(type);
  if (fd < 0) return 0;
  if (!connectTo(fd, outPtr, outLen)) { sysClose(fd); return 0; }
  // Under a policy whose rules for this address all name a peer: the listener's credentials decide.
  if (enforcing && !peerUnconditional(Permission.Connect, type, kind, ptr, len)) {
    if (failed(sysPeerCredentials(fd)) || !peerPermitted(Permission.Connect, type, kind, ptr, len, peerUid, peerGid)) {
      sysClose(fd);
      policyFail(Permission.Connect);
      return 0;
    }
  }
  return register(fd, type);
}

/** Reps of the last successful socketPair. */
export let pairA: i32 = 0;
export let pairB: i32 = 0;

/** sockets.socket-pair: false with the failure recorded. */
export function socketPair(type: SocketKind): bool {
  if (type == SocketKind.Datagram) return osFailErrno(Operation.Socketpair, Errno.NotSupported);
  if (!admitSockets(2)) return false;
  if (enforcing && !permits(Permission.SocketPair, type, AddressKind.Unnamed, 0, 0)) return policyFail(Permission.SocketPair);
  const r = sysSocketPair(type);
  if (failed(r)) return osFail(Operation.Socketpair, r);
  pairA = register(pairFirst, type);
  pairB = register(pairSecond, type);
  return true;
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


/** Credentials of the last successful `credentials`. */
export let credPid: i32 = 0;
export let credUid: u32 = 0;
export let credGid: u32 = 0;

/** connection.peer-credentials (SO_PEERCRED). */
export function credentials(c: Connection): bool {
  if (c.fd < 0) return stateFail();
  const r = sysPeerCredentials(c.fd);
  if (failed(r)) return osFail(Operation.Getsockopt, r);
  credPid = peerPid;
  credUid = peerUid;
  credGid = peerGid;
  return true;
}
