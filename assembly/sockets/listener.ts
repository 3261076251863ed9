// Listening stream and seqpacket sockets: a bound socket (bound.ts, with the
// lifecycle rules listed there) that listens and accepts.
import { AddressKind } from '../address/kinds';
import { failed, peerGid, peerUid, sysAccept, sysClose, sysListen, sysPeerCredentials } from '../bindings/syscalls';
import { SocketKind } from '../bindings/types';
import { abandon, bindSocket, BindOptions, Bound, closeBound, rememberName } from './bound';
import { Errno } from './errno';
import { Operation, osFail, osFailErrno, Permission, policyFail, stateFail } from './failure';
import {
  admit, admitSockets, countDroppedConnection, enforcing, peerPermitted, peerUnconditional, permits, useKind, useLen, usePtr,
} from './policy';
import { register as registerConnection } from './connection';
import { Slab } from './slab';

export class Listener extends Bound {}

/** What `listen` needs (WIT `listen-options`). */
export class ListenOptions extends BindOptions {
  socketType: SocketKind = SocketKind.Stream;
  backlog: u32 = 511;
}

const slab = new Slab<Listener>();

/** The listener behind a rep, or null for a stale rep. */
export function listenerOf(rep: i32): Listener | null {
  return slab.get(rep);
}

/** Forget a rep (its destructor ran). */
export function release(rep: i32): void {
  slab.remove(rep);
}

/** listener.listen: returns the new rep, or 0 with the failure recorded. */
export function listen(kind: AddressKind, ptr: usize, len: u32, o: ListenOptions): i32 {
  // listen(2)'s own answer for SOCK_DGRAM, given before any system call.
  if (o.socketType == SocketKind.Datagram) { osFailErrno(Operation.Listen, Errno.NotSupported); return 0; }
  if (!admitSockets(1)) return 0;
  if (!admit(Permission.Bind, Permission.Listen, o.socketType, kind, ptr, len)) return 0;
  const l = new Listener();
  if (!bindSocket(l, o.socketType, useKind, usePtr, useLen, o)) return 0;
  rememberName(l, useKind, usePtr, useLen);
  const r = sysListen(l.fd, o.backlog);
  if (failed(r)) {
    abandon(l);
    osFail(Operation.Listen, r);
    return 0;
  }
  return slab.add(l);
}

/** A listening descriptor from elsewhere (adopt.ts): owned, never unlinked. */
export function adoptListening(fd: i32, type: SocketKind): i32 {
  const l = new Listener();
  l.fd = fd;
  l.type = type;
  l.unlinkOnClose = false;
  return slab.add(l);
}

/** listener.close. */
export function close(l: Listener): bool {
  return closeBound(l);
}

/**
 * listener.accept: a connection rep, 0 when none is pending, -1 on failure.
 * Under a policy: permission `accept` of the listener's address; a peer
 * failing the rules' peer requirements is closed, counted, and skipped.
 */
export function accept(l: Listener): i32 {
  if (l.fd < 0) { stateFail(); return -1; }
  if (enforcing && !permits(Permission.Accept, l.type, l.nameKind, l.namePtr, l.nameLen)) {
    policyFail(Permission.Accept);
    return -1;
  }
  const checkPeer = enforcing && !peerUnconditional(Permission.Accept, l.type, l.nameKind, l.namePtr, l.nameLen);
  while (true) {
    if (!admitSockets(1)) return -1;
    const r = sysAccept(l.fd);
    if (failed(r)) {
      const errno = <i32>(-r - 1);
      if (errno == Errno.Again) return 0;
      osFailErrno(Operation.Accept, errno);
      return -1;
    }
    const fd = <i32>r;
    if (checkPeer && (failed(sysPeerCredentials(fd)) ||
        !peerPermitted(Permission.Accept, l.type, l.nameKind, l.namePtr, l.nameLen, peerUid, peerGid))) {
      sysClose(fd);
      countDroppedConnection();
      continue;
    }
    return registerConnection(fd, l.type);
  }
}

/** listener.adopt: take charge of a descriptor the host accepted. */
export function adopt(l: Listener, fd: i32): i32 {
  if (l.fd < 0) { stateFail(); return 0; }
  return registerConnection(fd, l.type);
}
