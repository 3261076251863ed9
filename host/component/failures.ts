// Socket failures -> Node errors: the one place a WIT `socket-error`, or a
// native -errno from the data path, becomes a thrown/emitted Error.
import { sharedInstance } from './component.js';
import { ERRNO_NAMES, errnoIndex, errnoNumber } from './errno.js';
import { socketClosed, UnixsockAddressError, UnixsockError, UnixsockPolicyError } from '../errors.js';
import { type SocketFailure, SocketsBinding } from './sockets-binding.js';

let binding: SocketsBinding | undefined;

/** The process-wide sockets binding of the shared engine. */
export function sockets(): SocketsBinding {
  binding ??= new SocketsBinding(sharedInstance());
  return binding;
}

/** The Node error for an engine failure. */
export function failureError(f: SocketFailure, address?: string): Error {
  if (f.kind === 'invalid-address') return new UnixsockAddressError(f.problem);
  if (f.kind === 'invalid-state') return socketClosed();
  if (f.kind === 'policy-denied') return new UnixsockPolicyError(f.permission, address);
  const errno = f.errno === 'UNKNOWN' ? undefined : errnoNumber(f.errno);
  return new UnixsockError(f.errno, errno, f.operation, f.condition, address);
}

/** The Node error for a native -errno met on the data path. */
export function errnoError(negativeErrno: number, syscall: string, address?: string): UnixsockError {
  const index = errnoIndex(-negativeErrno);
  const name = ERRNO_NAMES[index] ?? 'UNKNOWN';
  return new UnixsockError(name === 'UNKNOWN' ? `E${-negativeErrno}` : name, negativeErrno, syscall, sockets().conditionOf(index), address);
}
