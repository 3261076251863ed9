// Listening stream and seqpacket sockets: a bound socket (bound.ts, with the
// lifecycle rules of architecture.md §4) that listens and accepts.
import { AddressKind } from '../address/kinds';
import { failed, SocketKind, sysAccept, sysListen } from '../bindings/syscalls';
import { abandon, bindSocket, BindOptions, Bound, closeBound } from './bound';
import { Errno } from './errno';
import { Operation, osFail, osFailErrno, stateFail } from './failure';
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
  const l = new Listener();
  if (!bindSocket(l, o.socketType, kind, ptr, len, o)) return 0;
  const r = sysListen(l.fd, o.backlog);
  if (failed(r)) {
    abandon(l);
    osFail(Operation.Listen, r);
    return 0;
  }
  return slab.add(l);
}

/** A listening descriptor from elsewhere (adopt.ts): owned, never unlinked. */
export function adoptListening(fd: i32): i32 {
  const l = new Listener();
  l.fd = fd;
  l.unlinkOnClose = false;
  return slab.add(l);
}

/** listener.close. */
export function close(l: Listener): bool {
  return closeBound(l);
}

/** listener.accept: a connection rep, 0 when none is pending, -1 on failure. */
export function accept(l: Listener): i32 {
  if (l.fd < 0) { stateFail(); return -1; }
  const r = sysAccept(l.fd);
  if (failed(r)) {
    const errno = <i32>(-r - 1);
    if (errno == Errno.Again) return 0;
    osFailErrno(Operation.Accept, errno);
    return -1;
  }
  return registerConnection(<i32>r);
}

/** listener.adopt: take charge of a descriptor the host accepted. */
export function adopt(l: Listener, fd: i32): i32 {
  if (l.fd < 0) { stateFail(); return 0; }
  return registerConnection(fd);
}
