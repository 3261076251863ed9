// The last failure of a socket operation (WIT `sockets.socket-error`),
// recorded like address failures: data, never a trap.
import { ErrorCode } from '../errors';
import { errnoOf } from '../bindings/syscalls';
import { errorCodeOf, Errno } from './errno';

export const enum SocketErrorKind { InvalidAddress, Os, InvalidState, PolicyDenied }

/** WIT `sockets.operation`, case order. */
export const enum Operation {
  Socket, Bind, Listen, Connect, Accept, Getsockname, Getpeername, Shutdown, Close, Lstat, Unlink, Getsockopt,
  Socketpair, Send, Receive, Poll, Realpath,
}

/** WIT `types.permission`, case order (the first nine are also `policy.permissions` bits). */
export const enum Permission {
  Bind, Listen, Connect, Accept, SendTo, ReceiveFrom, SocketPair, SendDescriptors, ReceiveDescriptors,
  SocketLimit, DescriptorLimit,
}

export let socketFailure: SocketErrorKind = SocketErrorKind.InvalidState;
export let osCode: ErrorCode = ErrorCode.Other;
export let osErrno: i32 = 0;
export let osOperation: Operation = Operation.Socket;
export let deniedPermission: Permission = Permission.Bind;
/** Calls answered policy-denied (policy.refusals). */
export let deniedCount: u64 = 0;

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

/** The sandbox policy refused `permission` before any system call. */
export function policyFail(permission: Permission): bool {
  socketFailure = SocketErrorKind.PolicyDenied;
  deniedPermission = permission;
  deniedCount++;
  return false;
}
