// Errors of the Node API. WIT owns the vocabulary: an address failure is a
// WIT `address-error` case lifted into an `AddressProblem` (same name, its
// payload as named fields) and thrown as `UnixsockAddressError`
// (`code: 'ERR_INVALID_ARG_VALUE'`, like Node's own argument errors). Other
// argument mistakes never reach the component: arguments.ts checks them.
import type { WitFailure } from './component/component.js';
import { ADDRESS_ADDRESS_ERROR, SOCKETS_OPERATION, TYPES_ERROR_CODE, TYPES_PERMISSION } from './component/generated/abi-layout.js';

/** WIT `address.address-error` cases, in WIT order (the case index). */
export const ADDRESS_ERRORS = ADDRESS_ADDRESS_ERROR.cases;

/**
 * Why an address was refused: a WIT `address-error` case, or `ill-formed-utf16`
 * for a JS string with a lone surrogate (refused in the host, because lowering
 * it to UTF-8 would silently change the path).
 */
export type AddressProblem =
  | { reason: 'empty-path' }
  | { reason: 'contains-nul'; offset: number }
  | { reason: 'path-too-long'; length: number; maximum: number }
  | { reason: 'absolute-path-too-long'; length: number; maximum: number }
  | { reason: 'relative-path-rejected' }
  | { reason: 'missing-working-directory' }
  | { reason: 'working-directory-not-absolute' }
  | { reason: 'abstract-unsupported' }
  | { reason: 'abstract-too-long'; length: number; maximum: number }
  | { reason: 'autobind-unsupported' }
  | { reason: 'truncated' }
  | { reason: 'wrong-family'; family: number }
  | { reason: 'bad-length-byte'; lengthByte: number }
  | { reason: 'bad-syntax'; offset: number }
  | { reason: 'ill-formed-utf16'; offset: number };

export type AddressReason = AddressProblem['reason'];

/** Lift a WIT failure into its named form. */
export function problemOf(f: WitFailure): AddressProblem {
  const reason = ADDRESS_ERRORS[f.tag];
  switch (reason) {
    case 'contains-nul':
    case 'bad-syntax':
      return { reason, offset: f.a };
    case 'path-too-long':
    case 'absolute-path-too-long':
    case 'abstract-too-long':
      return { reason, length: f.a, maximum: f.b };
    case 'wrong-family':
      return { reason, family: f.a & 0xffff };
    case 'bad-length-byte':
      return { reason, lengthByte: f.a & 0xff };
    case undefined:
      throw new Error(`unixsock: engine returned unknown address-error case ${f.tag}`);
    default:
      return { reason };
  }
}

/** One sentence per reason, for messages and the CLI. */
export function describeProblem(p: AddressProblem): string {
  switch (p.reason) {
    case 'empty-path': return 'the path is empty';
    case 'contains-nul': return `the path contains a NUL byte at offset ${p.offset}`;
    case 'path-too-long': return `the path is ${p.length} bytes; at most ${p.maximum} fit in sun_path`;
    case 'absolute-path-too-long': return `the absolute form of the path is ${p.length} bytes; at most ${p.maximum} are allowed`;
    case 'relative-path-rejected': return 'relative paths are not allowed here';
    case 'missing-working-directory': return 'a relative path needs a working directory to be judged against';
    case 'working-directory-not-absolute': return 'the working directory is not an absolute path';
    case 'abstract-unsupported': return 'abstract socket names exist only on Linux (and never in portable mode)';
    case 'abstract-too-long': return `the abstract name is ${p.length} bytes; at most ${p.maximum} fit`;
    case 'autobind-unsupported': return 'an unnamed (autobind) address is supported only on Linux';
    case 'truncated': return 'the sockaddr is shorter than its 2-byte header';
    case 'wrong-family': return `the sockaddr family is ${p.family}, not AF_UNIX (1)`;
    case 'bad-length-byte': return `the sockaddr length byte ${p.lengthByte} is smaller than its header`;
    case 'bad-syntax': return `the text address is malformed at byte offset ${p.offset}`;
    case 'ill-formed-utf16': return `the string has a lone surrogate at index ${p.offset}; it cannot be a path`;
  }
}

/** An invalid address. `reason` and the problem's fields are machine-readable. */
export class UnixsockAddressError extends TypeError {
  readonly code = 'ERR_INVALID_ARG_VALUE';
  readonly reason: AddressReason;
  declare readonly offset?: number;
  declare readonly length?: number;
  declare readonly maximum?: number;
  declare readonly family?: number;
  declare readonly lengthByte?: number;

  constructor(problem: AddressProblem, what = 'address') {
    super(`The ${what} is invalid: ${describeProblem(problem)}`);
    this.name = 'UnixsockAddressError';
    this.reason = problem.reason;
    Object.assign(this, problem);
  }
}

/** Node's AbortError for an aborted `signal`. */
export function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}

/** WIT `types.error-code` cases, in WIT order. */
export const ERROR_CODES = TYPES_ERROR_CODE.cases;

/** A condition of the WIT `error-code` enum. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** WIT `sockets.operation` cases (the system call), in WIT order. */
export const OPERATIONS = SOCKETS_OPERATION.cases;

export type Operation = (typeof OPERATIONS)[number];

/**
 * An error the operating system reported, shaped like Node's system errors
 * (`err.code === 'EADDRINUSE'`, `err.syscall === 'bind'`, negative `errno`),
 * plus the WIT condition as `condition`.
 */
export class UnixsockError extends Error {
  /** errno name: 'EADDRINUSE', 'ENOENT', … */
  readonly code: string;
  /** Negative errno number, as Node reports it. */
  readonly errno: number | undefined;
  readonly syscall: string;
  /** The address involved, in text form, when there is one. */
  readonly address: string | undefined;
  /** The WIT error-code condition: 'address-in-use', 'no-such-path', … */
  readonly condition: ErrorCode;

  constructor(code: string, errno: number | undefined, syscall: string, condition: ErrorCode, address?: string) {
    super(`${syscall} ${code}${address === undefined ? '' : ` ${address}`}`);
    this.name = 'UnixsockError';
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
    this.condition = condition;
    this.address = address;
  }
}

/** WIT `types.permission`: what a sandbox policy was asked to permit, in WIT order. */
export const PERMISSIONS = TYPES_PERMISSION.cases;

export type Permission = (typeof PERMISSIONS)[number];

/**
 * The engine's sandbox policy refused before any system call
 * (`code: 'ERR_POLICY_DENIED'`, `condition: 'policy-denied'`; never the OS's
 * EACCES). `permission` says what was refused; `syscall` names it too.
 */
export class UnixsockPolicyError extends UnixsockError {
  readonly permission: Permission;

  constructor(permission: Permission, address?: string) {
    super('ERR_POLICY_DENIED', undefined, permission, 'policy-denied', address);
    this.name = 'UnixsockPolicyError';
    this.permission = permission;
    this.message = `policy denied ${permission}${address === undefined ? '' : ` ${address}`}`;
  }
}

/** ERR_INVALID_STATE: a call the object's current state forbids (it changes nothing). */
export function invalidState(message: string): Error {
  return Object.assign(new Error(message), { code: 'ERR_INVALID_STATE' });
}

/** Node's ERR_SOCKET_CLOSED: an operation on a closed socket. */
export function socketClosed(what = 'socket'): Error {
  return Object.assign(new Error(`The ${what} is closed`), { code: 'ERR_SOCKET_CLOSED' });
}
