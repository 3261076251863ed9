// Datagram sockets (SOCK_DGRAM): unbound, autobound or bound to a name with
// the lifecycle rules of bound.ts, optionally with a default peer. The
// datagrams themselves move on the descriptor, outside the engine.
import { AddressKind } from '../address/kinds';
import { outLen, outPtr } from '../address/output';
import { SocketKind } from '../bindings/syscalls';
import { bindSocket, BindOptions, Bound, closeBound } from './bound';
import { connectTo } from './connection';
import { stateFail } from './failure';
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
  const d = new Datagram();
  if (hasAddress) {
    if (!bindSocket(d, SocketKind.Datagram, kind, ptr, len, o)) return 0;
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
  d.unlinkOnClose = false;
  return slab.add(d);
}

/** datagram.connect: set the default peer. */
export function connect(d: Datagram, kind: AddressKind, ptr: usize, len: u32): bool {
  if (d.fd < 0) return stateFail();
  if (!encodeForHost(kind, ptr, len)) return false;
  return connectTo(d.fd, outPtr, outLen);
}

/** datagram.close. */
export function close(d: Datagram): bool {
  return closeBound(d);
}
