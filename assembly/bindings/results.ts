// `result<T, socket-error>` lowered into the return area: the error half
// (from the failure sockets/failure.ts recorded) and the simplest ok halves.
// Shared by sockets.ts and descriptors.ts; the offsets are the canonical ABI
// of wit/sockets.wit's `socket-error` (host/component/generated/abi-layout.ts).
import { failure, failureA, failureB } from '../errors';
import { RET } from './abi';
import { SocketErrorKind, deniedPermission, osCode, osErrno, osOperation, socketFailure } from '../sockets/failure';

/** result<_, socket-error> error case (and the error half of every result here). */
export function lowerError(): usize {
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
  } else if (socketFailure == SocketErrorKind.PolicyDenied) {
    store<u8>(RET + 8, <u8>deniedPermission);
  }
  return RET;
}

/** result<_, socket-error>. */
export function lowerUnit(ok: bool): usize {
  if (!ok) return lowerError();
  store<u8>(RET, 0);
  return RET;
}

/** The ok case of result<own-handle, socket-error>. */
export function lowerHandle(handle: i32): usize {
  store<u8>(RET, 0);
  store<i32>(RET + 4, handle);
  return RET;
}
