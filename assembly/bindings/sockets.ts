// Canonical-ABI lifting and lowering for `unixsock:ipc/sockets` and
// `unixsock:ipc/descriptors`. AssemblyScript names encode the WIT names
// mechanically (build/component.mjs): `sockets_static_listener_listen` is
// `[static]listener.listen`, `sockets_method_connection_remote_address` is
// `[method]connection.remote-address`, `sockets_listener_dtor` is
// `listener_dtor`. Methods receive the resource's rep (a borrow of our own
// resource); a new own handle comes from `[resource-new]`.
import { adopt as own, releaseAll } from '../arena';
import { failure, failureA, failureB } from '../errors';
import { AddressKind } from '../address/kinds';
import { outKind, outLen, outPtr } from '../address/output';
import { RET } from './abi';
import { SocketErrorKind, osCode, osErrno, osOperation, socketFailure } from '../sockets/failure';
import * as listener from '../sockets/listener';
import * as connection from '../sockets/connection';
import { errorCodeOf } from '../sockets/errno';

// @ts-ignore: decorator
@external('cm32p2|_ex_unixsock:ipc/sockets@0.1', 'listener_new')
declare function listenerNew(rep: i32): i32;
// @ts-ignore: decorator
@external('cm32p2|_ex_unixsock:ipc/sockets@0.1', 'connection_new')
declare function connectionNew(rep: i32): i32;

/** result<_, socket-error> error case (and the error half of every result here). */
function lowerError(): usize {
  store<u8>(RET, 1);
  store<u8>(RET + 4, <u8>socketFailure);
  if (socketFailure == SocketErrorKind.InvalidAddress) {
    store<u8>(RET + 8, <u8>failure);
    store<u32>(RET + 12, failureA);
    store<u32>(RET + 16, failureB);
  } else if (socketFailure == SocketErrorKind.Os) {
    store<u8>(RET + 8, <u8>osCode);
    store<u8>(RET + 9, <u8>osErrno);
    store<u8>(RET + 10, <u8>osOperation);
  }
  return RET;
}

function lowerUnit(ok: bool): usize {
  if (!ok) return lowerError();
  store<u8>(RET, 0);
  return RET;
}

function lowerHandle(handle: i32): usize {
  store<u8>(RET, 0);
  store<i32>(RET + 4, handle);
  return RET;
}

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

const LISTEN = new listener.ListenOptions();

export function sockets_static_listener_listen(
  kind: i32, ptr: usize, len: u32,
  backlog: u32, hasMode: i32, mode: u32, unlinkOnClose: i32, recoverStale: i32,
  hasWd: i32, wdPtr: usize, wdLen: u32,
): usize {
  own(ptr);
  if (hasWd != 0) own(wdPtr);
  LISTEN.backlog = backlog;
  LISTEN.hasMode = hasMode != 0;
  LISTEN.mode = mode;
  LISTEN.unlinkOnClose = unlinkOnClose != 0;
  LISTEN.recoverStale = recoverStale != 0;
  LISTEN.hasWd = hasWd != 0;
  LISTEN.wdPtr = wdPtr;
  LISTEN.wdLen = hasWd != 0 ? wdLen : 0;
  const rep = listener.listen(<AddressKind>kind, ptr, len, LISTEN);
  return rep == 0 ? lowerError() : lowerHandle(listenerNew(rep));
}

export function sockets_static_listener_listen_post(ret: usize): void {
  releaseAll();
}

function liveListener(rep: i32): listener.Listener {
  const l = listener.listenerOf(rep);
  // The runtime only passes reps of live resources: anything else is a bug.
  if (l == null) unreachable();
  return l!;
}

function liveConnection(rep: i32): connection.Connection {
  const c = connection.connectionOf(rep);
  if (c == null) unreachable();
  return c!;
}

export function sockets_method_listener_accept(rep: i32): usize {
  const r = listener.accept(liveListener(rep));
  if (r < 0) return lowerError();
  store<u8>(RET, 0);
  store<u8>(RET + 4, r == 0 ? 0 : 1);
  if (r != 0) store<i32>(RET + 8, connectionNew(r));
  return RET;
}

export function sockets_method_listener_accept_post(ret: usize): void {}

export function sockets_method_listener_adopt(rep: i32, fd: i32): usize {
  const r = listener.adopt(liveListener(rep), fd);
  return r == 0 ? lowerError() : lowerHandle(connectionNew(r));
}

export function sockets_method_listener_adopt_post(ret: usize): void {}

export function sockets_method_listener_local_address(rep: i32): usize {
  return lowerAddress(connection.addressOf(liveListener(rep).fd, false));
}

export function sockets_method_listener_local_address_post(ret: usize): void {
  releaseAll();
}

export function sockets_method_listener_close(rep: i32): usize {
  return lowerUnit(listener.close(liveListener(rep)));
}

export function sockets_method_listener_close_post(ret: usize): void {}

export function sockets_listener_dtor(rep: i32): void {
  const l = listener.listenerOf(rep);
  if (l != null && l.fd >= 0) listener.close(l);
  listener.release(rep);
}

export function sockets_static_connection_connect(kind: i32, ptr: usize, len: u32): usize {
  own(ptr);
  const rep = connection.connect(<AddressKind>kind, ptr, len);
  return rep == 0 ? lowerError() : lowerHandle(connectionNew(rep));
}

export function sockets_static_connection_connect_post(ret: usize): void {
  releaseAll();
}

export function sockets_method_connection_local_address(rep: i32): usize {
  return lowerAddress(connection.addressOf(liveConnection(rep).fd, false));
}

export function sockets_method_connection_local_address_post(ret: usize): void {
  releaseAll();
}

export function sockets_method_connection_remote_address(rep: i32): usize {
  return lowerAddress(connection.addressOf(liveConnection(rep).fd, true));
}

export function sockets_method_connection_remote_address_post(ret: usize): void {
  releaseAll();
}

export function sockets_method_connection_shutdown(rep: i32, how: i32): usize {
  return lowerUnit(connection.shutdown(liveConnection(rep), how));
}

export function sockets_method_connection_shutdown_post(ret: usize): void {}

export function sockets_method_connection_close(rep: i32): usize {
  return lowerUnit(connection.close(liveConnection(rep)));
}

export function sockets_method_connection_close_post(ret: usize): void {}

export function sockets_connection_dtor(rep: i32): void {
  const c = connection.connectionOf(rep);
  if (c != null && c.fd >= 0) connection.close(c);
  connection.release(rep);
}

export function descriptors_listener_descriptor(rep: i32): i32 {
  const l = listener.listenerOf(rep);
  return l == null ? -1 : l.fd;
}

export function descriptors_connection_descriptor(rep: i32): i32 {
  const c = connection.connectionOf(rep);
  return c == null ? -1 : c.fd;
}
