// Who closes a socket's descriptor: the engine, through a resource handle
// (a connection or a datagram), or the socket object itself (a socketpair
// end, which the engine never saw). The one place those two cases split.
import type { AbiResource } from './generated/abi-layout.js';
import { fromWitAddress, type SocketAddress } from '../address.js';
import { socketClosed } from '../errors.js';
import { errnoError, failureError, sockets } from './failures.js';
import { native, type ShutdownHow } from '../native/native.js';
import type { WitAddress } from './component.js';
import type { SocketOutcome } from './sockets-binding.js';

export type Owner = { handle: number } | { fd: number };

/** The component resource type behind a socket's handle: the WIT resources but `attachment`. */
export type SocketResource = Exclude<AbiResource, 'attachment'>;

const ENGINE = {
  listener: {
    // A listener has no peer.
    address: (handle: number, peer: boolean): SocketOutcome<WitAddress> =>
      (peer ? { ok: false, failure: { kind: 'invalid-state' } } : sockets().listenerAddress(handle)),
    close: (handle: number): SocketOutcome<undefined> => sockets().closeListener(handle),
    drop: (handle: number): void => sockets().dropListener(handle),
  },
  connection: {
    address: (handle: number, peer: boolean): SocketOutcome<WitAddress> => (peer ? sockets().remoteAddress(handle) : sockets().localAddress(handle)),
    close: (handle: number): SocketOutcome<undefined> => sockets().closeConnection(handle),
    drop: (handle: number): void => sockets().dropConnection(handle),
  },
  datagram: {
    address: (handle: number, peer: boolean): SocketOutcome<WitAddress> => (peer ? sockets().datagramRemoteAddress(handle) : sockets().datagramLocalAddress(handle)),
    close: (handle: number): SocketOutcome<undefined> => sockets().closeDatagram(handle),
    drop: (handle: number): void => sockets().dropDatagram(handle),
  },
};

/** The local or peer address, decoded; a socketpair end is unnamed; undefined once closed. */
export function ownerAddress(owner: Owner | undefined, peer: boolean, resource: SocketResource = 'connection'): SocketAddress | undefined {
  if (owner === undefined) return undefined;
  if (!('handle' in owner)) return { unnamed: true };
  const out = ENGINE[resource].address(owner.handle, peer);
  return out.ok ? fromWitAddress(out.value) : undefined;
}

/** shutdown(2) of a connection; throws the OS error, or ERR_SOCKET_CLOSED once closed. */
export function ownerShutdown(owner: Owner | undefined, how: ShutdownHow): void {
  if (owner === undefined) throw socketClosed();
  if ('handle' in owner) {
    const out = sockets().shutdown(owner.handle, how);
    if (!out.ok) throw failureError(out.failure);
  } else {
    const r = native.shutdown(owner.fd, how);
    if (r < 0) throw errnoError(r, 'shutdown');
  }
}

/** Closes the descriptor (the engine also unlinks a socket file it owns): the error, if any. */
export function closeOwner(owner: Owner, resource: SocketResource = 'connection'): Error | undefined {
  if (!('handle' in owner)) {
    native.close(owner.fd);
    return undefined;
  }
  const engine = ENGINE[resource];
  const out = engine.close(owner.handle);
  engine.drop(owner.handle);
  return out.ok ? undefined : failureError(out.failure);
}
