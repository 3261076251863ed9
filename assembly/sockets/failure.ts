// The last failure of a socket operation (WIT `sockets.socket-error`),
// recorded like address failures: data, never a trap.
import { ErrorCode } from '../errors';
import { errnoOf } from '../bindings/syscalls';
import { errorCodeOf, Errno } from './errno';

export const enum SocketErrorKind { InvalidAddress, Os, InvalidState }

/** WIT `sockets.operation`, case order. */
export const enum Operation { Socket, Bind, Listen, Connect, Accept, Getsockname, Getpeername, Shutdown, Close, Lstat, Unlink, Getsockopt }

export let socketFailure: SocketErrorKind = SocketErrorKind.InvalidState;
export let osCode: ErrorCode = ErrorCode.Other;
export let osErrno: i32 = 0;
export let osOperation: Operation = Operation.Socket;

/** The OS refused `op` with the errno in wrapper result `r`. */
export function osFail(op: Operation, r: i64): bool {
  return osFailErrno(op, errnoOf(r));
}

export function osFailErrno(op: Operation, errno: i32): bool {
  socketFailure = SocketErrorKind.Os;
  osErrno = errno;
  osCode = errorCodeOf(errno);
  osOperation = op;
  return false;
}

/** The address failed validation; the reason is in errors.failure*. */
export function addressFail(): bool {
  socketFailure = SocketErrorKind.InvalidAddress;
  return false;
}

export function stateFail(): bool {
  socketFailure = SocketErrorKind.InvalidState;
  return false;
}

export { Errno };
