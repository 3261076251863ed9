// Canonical-ABI lifting and lowering for `unixsock:ipc/sockets`
// (wit/sockets.wit). AssemblyScript names encode the WIT names mechanically
// (build/component.mjs): `sockets_static_listener_listen` is
// `[static]listener.listen`, `sockets_method_connection_remote_address` is
// `[method]connection.remote-address`, `sockets_listener_dtor` is
// `listener_dtor`. Methods receive the resource's rep (a borrow of our own
// resource); a new own handle comes from `[resource-new]` (resources.ts).
// Post-returns are the table at the end: only exports that own blocks until
// then (arena.ts) have one.
import { adopt as own, releaseArena } from '../arena';
import { AddressKind } from '../address/kinds';
import { outKind, outLen, outPtr } from '../address/output';
import { RET } from './abi';
import { attachmentNew, connectionNew, datagramNew, listenerNew, live } from './resources';
import { lowerError, lowerHandle, lowerUnit } from './results';
import * as attachment from '../sockets/attachment';
import * as transfer from '../sockets/transfer';
import * as listener from '../sockets/listener';
import * as connection from '../sockets/connection';
import * as datagram from '../sockets/datagram';
import { BindOptions, Bound, closeBound } from '../sockets/bound';
import { errorCodeOf } from '../sockets/errno';
import { SocketKind } from './types';

/** result<address, socket-error>: the address the last call wrote to address/output.ts. */
function lowerAddress(ok: bool): usize {
  if (!ok) return lowerError();
  store<u8>(RET, 0);
  store<u8>(RET + 4, <u8>outKind);
  store<u32>(RET + 8, <u32>outPtr);
  store<u32>(RET + 12, outLen);
  return RET;
}

export function sockets_condition_of(errno: i32): i32 {
  return <i32>errorCodeOf(errno);
}

/** Destructor of a listener or datagram socket: close it if still open. */
function dropBound(b: Bound | null): void {
  if (b != null && b.fd >= 0) closeBound(b);
}

/** Lift the `bind-options` fields (shared by `listen-options`) into `o`. */
function liftBindOptions(
  o: BindOptions, hasMode: i32, mode: u32, unlinkOnClose: i32, recoverStale: i32, hasWd: i32, wdPtr: usize, wdLen: u32,
): void {
  if (hasWd != 0) own(wdPtr);
  o.hasMode = hasMode != 0;
  o.mode = mode;
  o.unlinkOnClose = unlinkOnClose != 0;
  o.recoverStale = recoverStale != 0;
  o.hasWd = hasWd != 0;
  o.wdPtr = wdPtr;
  o.wdLen = hasWd != 0 ? wdLen : 0;
}

// listener

const LISTEN = new listener.ListenOptions();

export function sockets_static_listener_listen(
  kind: i32, ptr: usize, len: u32,
  socketType: i32, backlog: u32, hasMode: i32, mode: u32, unlinkOnClose: i32, recoverStale: i32,
  hasWd: i32, wdPtr: usize, wdLen: u32,
): usize {
  own(ptr);
  liftBindOptions(LISTEN, hasMode, mode, unlinkOnClose, recoverStale, hasWd, wdPtr, wdLen);
  LISTEN.socketType = <SocketKind>socketType;
  LISTEN.backlog = backlog;
  const rep = listener.listen(<AddressKind>kind, ptr, len, LISTEN);
  return rep == 0 ? lowerError() : lowerHandle(listenerNew(rep));
}

export function sockets_method_listener_accept(rep: i32): usize {
  const r = listener.accept(live(listener.listenerOf(rep)));
  if (r < 0) return lowerError();
  store<u8>(RET, 0);
  store<u8>(RET + 4, r == 0 ? 0 : 1);
  if (r != 0) store<i32>(RET + 8, connectionNew(r));
  return RET;
}

export function sockets_method_listener_local_address(rep: i32): usize {
  return lowerAddress(connection.addressOf(live(listener.listenerOf(rep)).fd, false));
}

export function sockets_method_listener_close(rep: i32): usize {
  return lowerUnit(listener.close(live(listener.listenerOf(rep))));
}

export function sockets_listener_dtor(rep: i32): void {
  dropBound(listener.listenerOf(rep));
  listener.release(rep);
}

// connection

export function sockets_static_connection_connect(kind: i32, ptr: usize, len: u32, socketType: i32): usize {
  own(ptr);
  const rep = connection.connect(<AddressKind>kind, ptr, len, <SocketKind>socketType);
  return rep == 0 ? lowerError() : lowerHandle(connectionNew(rep));
}

export function sockets_method_connection_local_address(rep: i32): usize {
  return lowerAddress(connection.addressOf(live(connection.connectionOf(rep)).fd, false));
}

export function sockets_method_connection_remote_address(rep: i32): usize {
  return lowerAddress(connection.addressOf(live(connection.connectionOf(rep)).fd, true));
}

export function sockets_method_connection_shutdown(rep: i32, how: i32): usize {
  return lowerUnit(connection.shutdown(live(connection.connectionOf(rep)), how));
}

export function sockets_method_connection_close(rep: i32): usize {
  return lowerUnit(connection.close(live(connection.connectionOf(rep))));
}

export function sockets_connection_dtor(rep: i32): void {
  const c = connection.connectionOf(rep);
  if (c != null && c.fd >= 0) connection.close(c);
  connection.release(rep);
}

// datagram

const BIND = new BindOptions();

export function sockets_static_datagram_bind(
  hasAddress: i32, kind: i32, ptr: usize, len: u32,
  hasMode: i32, mode: u32, unlinkOnClose: i32, recoverStale: i32, hasWd: i32, wdPtr: usize, wdLen: u32,
): usize {
  if (hasAddress != 0) own(ptr);
  liftBindOptions(BIND, hasMode, mode, unlinkOnClose, recoverStale, hasWd, wdPtr, wdLen);
  const rep = datagram.bind(hasAddress != 0, <AddressKind>kind, ptr, len, BIND);
  return rep == 0 ? lowerError() : lowerHandle(datagramNew(rep));
}

export function sockets_method_datagram_connect(rep: i32, kind: i32, ptr: usize, len: u32): usize {
  own(ptr);
  return lowerUnit(datagram.connect(live(datagram.datagramOf(rep)), <AddressKind>kind, ptr, len));
}

export function sockets_method_datagram_local_address(rep: i32): usize {
  return lowerAddress(connection.addressOf(live(datagram.datagramOf(rep)).fd, false));
}

export function sockets_method_datagram_remote_address(rep: i32): usize {
  return lowerAddress(connection.addressOf(live(datagram.datagramOf(rep)).fd, true));
}

export function sockets_method_datagram_close(rep: i32): usize {
  return lowerUnit(datagram.close(live(datagram.datagramOf(rep))));
}

export function sockets_datagram_dtor(rep: i32): void {
  dropBound(datagram.datagramOf(rep));
  datagram.release(rep);
}

// socket pairs, data, readiness, credentials

export function sockets_socket_pair(socketType: i32): usize {
  if (!connection.socketPair(<SocketKind>socketType)) return lowerError();
  store<u8>(RET, 0);
  store<i32>(RET + 4, connectionNew(connection.pairA));
  store<i32>(RET + 8, connectionNew(connection.pairB));
  return RET;
}

function lowerCount(r: i64): usize {
  if (r < 0) return lowerError();
  store<u8>(RET, 0);
  store<u32>(RET + 4, <u32>r);
  return RET;
}

/** result<message, socket-error>: message record at 4 (data, sender, attachments, truncated, dropped). */
function lowerMessage(ok: bool): usize {
  if (!ok) return lowerError();
  const count = transfer.rxCount;
  const atts = transfer.rxAttachments;
  for (let i: u32 = 0; i < count; i++) store<i32>(atts + 4 * i, attachmentNew(load<i32>(atts + 4 * i)));
  store<u8>(RET, 0);
  store<u32>(RET + 4, <u32>transfer.rxData);
  store<u32>(RET + 8, transfer.rxLen);
  store<u8>(RET + 12, <u8>transfer.rxSenderKind);
  store<u32>(RET + 16, <u32>transfer.rxSenderPtr);
  store<u32>(RET + 20, transfer.rxSenderLen);
  store<u32>(RET + 24, <u32>atts);
  store<u32>(RET + 28, count);
  store<u8>(RET + 32, transfer.rxTruncated ? 1 : 0);
  store<u8>(RET + 33, transfer.rxDropped ? 1 : 0);
  return RET;
}

function lowerReadiness(r: i32): usize {
  if (r < 0) return lowerError();
  store<u8>(RET, 0);
  store<u8>(RET + 4, <u8>r);
  return RET;
}

export function sockets_method_listener_wait(rep: i32, events: i32, timeoutMs: u32): usize {
  return lowerReadiness(transfer.wait(live(listener.listenerOf(rep)).fd, events, timeoutMs));
}

export function sockets_method_connection_send(rep: i32, ptr: usize, len: u32, atts: usize, count: u32): usize {
  own(ptr);
  own(atts);
  const c = live(connection.connectionOf(rep));
  return lowerCount(transfer.send(c.fd, c.type, ptr, len, atts, count, false, AddressKind.Unnamed, 0, 0));
}

export function sockets_method_connection_receive(rep: i32, max: u32): usize {
  const c = live(connection.connectionOf(rep));
  return lowerMessage(transfer.receive(c.fd, c.type, max, true));
}

export function sockets_method_connection_wait(rep: i32, events: i32, timeoutMs: u32): usize {
  return lowerReadiness(transfer.wait(live(connection.connectionOf(rep)).fd, events, timeoutMs));
}

export function sockets_method_connection_peer_credentials(rep: i32): usize {
  const c = live(connection.connectionOf(rep));
  if (!connection.credentials(c)) return lowerError();
  store<u8>(RET, 0);
  store<i32>(RET + 4, connection.credPid);
  store<u32>(RET + 8, connection.credUid);
  store<u32>(RET + 12, connection.credGid);
  return RET;
}

export function sockets_method_datagram_send_to(
  rep: i32, ptr: usize, len: u32, hasTo: i32, kind: i32, toPtr: usize, toLen: u32, atts: usize, count: u32,
): usize {
  own(ptr);
  own(atts);
  if (hasTo != 0) own(toPtr);
  const d = live(datagram.datagramOf(rep));
  return lowerCount(transfer.send(d.fd, SocketKind.Datagram, ptr, len, atts, count, hasTo != 0, <AddressKind>kind, toPtr, toLen));
}

export function sockets_method_datagram_receive(rep: i32, max: u32): usize {
  const d = live(datagram.datagramOf(rep));
  return lowerMessage(transfer.receive(d.fd, SocketKind.Datagram, max, false));
}

export function sockets_method_datagram_wait(rep: i32, events: i32, timeoutMs: u32): usize {
  return lowerReadiness(transfer.wait(live(datagram.datagramOf(rep)).fd, events, timeoutMs));
}

export function sockets_attachment_dtor(rep: i32): void {
  attachment.drop(rep);
}


// Post-returns. Exports that lift an address or options own those argument
// blocks, and address results are arena blocks: all are freed here. The
// others own nothing past their return and have no post-return.

export {
  releaseArena as sockets_method_connection_send_post,
  releaseArena as sockets_method_connection_receive_post,
  releaseArena as sockets_method_datagram_send_to_post,
  releaseArena as sockets_method_datagram_receive_post,
  releaseArena as sockets_static_listener_listen_post,
  releaseArena as sockets_method_listener_local_address_post,
  releaseArena as sockets_static_connection_connect_post,
  releaseArena as sockets_method_connection_local_address_post,
  releaseArena as sockets_method_connection_remote_address_post,
  releaseArena as sockets_static_datagram_bind_post,
  releaseArena as sockets_method_datagram_connect_post,
  releaseArena as sockets_method_datagram_local_address_post,
  releaseArena as sockets_method_datagram_remote_address_post,
};
