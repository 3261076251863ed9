// Datagram sockets (SOCK_DGRAM): unbound, autobound or bound to a name with
// the lifecycle rules of bound.ts, optionally with a default peer. The
// datagrams themselves move on the descriptor, outside the engine.
import { AddressKind } from '../address/kinds';
import { outLen, outPtr } from '../address/output';
import { SocketKind } from '../bindings/types';
import { bindSocket, BindOptions, Bound, closeBound } from './bound';
import { connectTo } from './connection';
import { Permission, policyFail, stateFail } from './failure';
import { admit, admitSockets, enforcing, permits, useKind, useLen, usePtr } from './policy';
import { Slab } from './slab';
import { encodeForHost, openSocket } from './system';

export class Datagram extends Bound {}

const slab = new Slab<Datagram>();

/** The datagram socket behind a rep, or null for a stale rep. */
export function datagramOf(rep: i32): Datagram | null {
  return slab.get(rep);
}

/** Forget a rep (its destructor ran). */
export function release(rep: i32): void {
  slab.remove(rep);
}

/**
 * datagram.bind: a rep, or 0 with the failure recorded. Without an address
 * the socket stays unbound (Linux autobinds it on the first send).
 */
export function bind(hasAddress: bool, kind: AddressKind, ptr: usize, len: u32, o: BindOptions): i32 {
  if (!admitSockets(1)) return 0;
  if (hasAddress && !admit(Permission.Bind, -1, SocketKind.Datagram, kind, ptr, len)) return 0;
  // An unbound socket is unnamed: Linux autobinds it on demand.
  if (!hasAddress && enforcing && !permits(Permission.Bind, SocketKind.Datagram, AddressKind.Unnamed, 0, 0)) {
    policyFail(Permission.Bind);
    return 0;
  }
  const d = new Datagram();
  d.type = SocketKind.Datagram;
  if (hasAddress) {
    if (!bindSocket(d, SocketKind.Datagram, useKind, usePtr, useLen, o)) return 0;
  } else {
    d.fd = openSocket(SocketKind.Datagram);
    if (d.fd < 0) return 0;
  }
  return slab.add(d);
}

/** A datagram descriptor from elsewhere (adopt.ts): owned, never unlinked. */
export function adoptDescriptor(fd: i32): i32 {
  const d = new Datagram();
  d.fd = fd;
  d.type = SocketKind.Datagram;
  d.unlinkOnClose = false;
  return slab.add(d);
}

/** datagram.connect: set the default peer. */
export function connect(d: Datagram, kind: AddressKind, ptr: usize, len: u32): bool {
  if (d.fd < 0) return stateFail();
  if (!admit(Permission.Connect, -1, SocketKind.Datagram, kind, ptr, len)) return false;
  if (!encodeForHost(useKind, usePtr, useLen)) return false;
  return connectTo(d.fd, outPtr, outLen);
}

/** datagram.close. */
export function close(d: Datagram): bool {
  return closeBound(d);
}
