// Shared fixtures for the engine socket suites (sockets.test.ts,
// datagram.test.ts, bound.test.ts): one binding, outcome unwrapping, stale
// socket files, datagram round trips.
import { readdirSync } from 'node:fs';
import * as assert from 'uvu/assert';
import { sharedInstance, type WitAddress } from '../../host/component/component.js';
import { native, SOCKET_OPTION, SOCKET_TYPE } from '../../host/native/native.js';
import {
  type BindOptions, type SocketFailure, type SocketOutcome, SocketsBinding, type WitSocketType,
} from '../../host/component/sockets-binding.js';

/** The engine's sockets binding, as the suites drive it. */
export const s = new SocketsBinding(sharedInstance());

export function ok<T>(o: SocketOutcome<T>): T {
  if (!o.ok) throw new Error(`expected success, got ${JSON.stringify(o.failure)}`);
  return o.value;
}

export function failure<T>(o: SocketOutcome<T>): SocketFailure {
  assert.is(o.ok, false, 'expected a failure');
  return (o as { failure: SocketFailure }).failure;
}

/** The errno name of an `os` failure. */
export function errnoOf<T>(o: SocketOutcome<T>): string {
  return (failure(o) as { errno: string }).errno;
}

/** A socket file nothing is bound to any more (bound, fd closed without unlink). */
export function staleSocket(path: string, type: WitSocketType = 'stream'): void {
  const fd = native.socket(SOCKET_TYPE[type]);
  const sa = Buffer.concat([Buffer.from([1, 0]), Buffer.from(path), Buffer.from([0])]);
  assert.is(native.bind(fd, sa), 0);
  native.close(fd);
}

/** The socket type of a descriptor (SO_TYPE), by our name. */
export function typeOf(fd: number): WitSocketType {
  const out = new Int32Array(2);
  assert.is(native.getSocketOption(fd, SOCKET_OPTION.SO_TYPE, out), 0);
  return (['stream', 'datagram', 'seqpacket'] as const)[out[0]! - 1]!;
}

/** The names in a directory, sorted (to prove nothing was created). */
export function entries(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** One datagram from `from` (connected) arrives at `to` (datagram handles). */
export function roundTrip(from: number, to: number): void {
  const sent = Buffer.from('ping');
  assert.is(native.send(s.datagramDescriptor(from), sent, 0, sent.length), sent.length);
  const got = Buffer.alloc(16);
  assert.is(native.recv(s.datagramDescriptor(to), got, 0, got.length), sent.length);
  assert.equal(got.subarray(0, sent.length), sent);
}

/** Run `body` with `handle`, then drop it (dropping closes a socket still open). */
export function using(handle: number, drop: (handle: number) => void, body: (handle: number) => void): void {
  try {
    body(handle);
  } finally {
    drop(handle);
  }
}

/** Bind a datagram socket and run `body` with it (see `using`). */
export function withDatagram(addr: WitAddress | undefined, o: BindOptions, body: (d: number) => void): void {
  using(ok(s.bindDatagram(addr, o)), (d) => s.dropDatagram(d), body);
}
