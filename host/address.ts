// The address API: validate, encode, decode, parse and format Unix-socket
// addresses. Every rule runs in the engine component; this file converts
// between JS forms and WIT values and turns failures into Node errors.
//
// Input forms (README.md, "Input forms" under Addresses):
// - string: a filesystem path; a string starting with "\0" is an abstract
//   name of exactly that length (Node's spelling, without Node's padding);
// - Buffer / Uint8Array: raw sun_path bytes; a leading 0 byte means abstract
//   (Racket's form), anything else is a path whose bytes need not be UTF-8;
// - { path: string | Uint8Array }, { abstract: string | Uint8Array },
//   { unnamed: true }.
// Text forms (`@name`, `unix:/p`, …) are parsed only by parseAddress().
import { sharedInstance, KIND, type Outcome, type WitAddress, type WitOptions } from './component/component.js';
import { type AddressProblem, problemOf, UnixsockAddressError } from './errors.js';
import { invalidArgType, invalidArgValue } from './arguments.js';
import { ADDRESS_RELATIVE_PATHS } from './component/generated/abi-layout.js';
import { HOST_PLATFORM, type Platform, platformIndex, PLATFORMS } from './component/platform.js';

/** Anything the API accepts as an address. */
export type AddressInput =
  | string
  | Uint8Array
  | { path: string | Uint8Array }
  | { abstract: string | Uint8Array }
  | { unnamed: true };

/**
 * An address as the API returns it; every form is also a valid input.
 * A path that is not valid UTF-8 comes back as bytes.
 */
export type SocketAddress =
  | { path: string }
  | { path: Buffer }
  | { abstract: Buffer }
  | { unnamed: true };

/** Options of validateAddress() and encodeSockaddr(). */
export interface AddressOptions {
  /** Whose sockaddr rules apply; default: this process's platform. */
  platform?: Platform | 'darwin' | 'win32';
  /** Cross-platform rule: path at most 103 bytes, no abstract names, no autobind. */
  portable?: boolean;
  /**
   * How relative paths are judged: 'allow' (default; the kernel's rule, the
   * limit applies to the bytes given), 'absolute-must-fit' (the absolute form
   * under `cwd` must fit too) or 'reject'.
   */
  relativePaths?: 'allow' | 'absolute-must-fit' | 'reject';
  /** Directory relative paths are judged against; default process.cwd() where needed. */
  cwd?: string;
}

/** Result of validateAddress(). */
export type AddressVerdict =
  | { ok: true; address: SocketAddress }
  | ({ ok: false; message: string } & AddressProblem);

const RELATIVE = ADDRESS_RELATIVE_PATHS.cases;

function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

/** Index of the first lone surrogate, or -1. */
export function loneSurrogate(s: string): number {
  if (s.isWellFormed()) return -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { i++; continue; }
      return i;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return -1;
}

function textBytes(s: string): Uint8Array | AddressProblem {
  const bad = loneSurrogate(s);
  return bad >= 0 ? { reason: 'ill-formed-utf16', offset: bad } : Buffer.from(s, 'utf8');
}

/**
 * Lower a JS address to its WIT form: a WIT address, or the problem that
 * stops it before the engine (a lone surrogate). Wrong types throw.
 */
export function toWitAddress(addr: unknown, name = 'address'): WitAddress | AddressProblem {
  if (typeof addr === 'string') {
    if (addr.charCodeAt(0) === 0) {
      const name = textBytes(addr.slice(1));
      return isBytes(name) ? { kind: KIND.abstract, value: name } : name;
    }
    return pathString(addr);
  }
  if (isBytes(addr)) {
    if (addr.length > 0 && addr[0] === 0) return { kind: KIND.abstract, value: addr.subarray(1) };
    return { kind: KIND.pathBytes, value: addr };
  }
  const shape = objectShape(addr);
  const o = addr as Record<string, unknown>;
  if (shape === 'path' && typeof o.path === 'string') return pathString(o.path);
  if (shape === 'path' && isBytes(o.path)) return { kind: KIND.pathBytes, value: o.path };
  if (shape === 'abstract' && typeof o.abstract === 'string') {
    const bytes = textBytes(o.abstract);
    return isBytes(bytes) ? { kind: KIND.abstract, value: bytes } : bytes;
  }
  if (shape === 'abstract' && isBytes(o.abstract)) return { kind: KIND.abstract, value: o.abstract };
  if (shape === 'unnamed' && o.unnamed === true) return { kind: KIND.unnamed, value: undefined };
  throw invalidArgType(
    name,
    'a string, a Buffer or Uint8Array, or an object { path }, { abstract } or { unnamed: true }',
    addr,
  );
}

/** Which of the object forms `v` has: exactly one of `path`, `abstract`, `unnamed`. */
function objectShape(v: unknown): 'path' | 'abstract' | 'unnamed' | undefined {
  if (typeof v !== 'object' || v === null || isBytes(v)) return undefined;
  const o = v as Record<string, unknown>;
  const keys = (['path', 'abstract', 'unnamed'] as const).filter((k) => o[k] !== undefined);
  return keys.length === 1 ? keys[0] : undefined;
}

function pathString(p: string): WitAddress | AddressProblem {
  const bad = loneSurrogate(p);
  return bad >= 0 ? { reason: 'ill-formed-utf16', offset: bad } : { kind: KIND.path, value: p };
}

function isProblem(v: WitAddress | AddressProblem): v is AddressProblem {
  return 'reason' in v;
}

/** Lift a WIT address into the API's output form. */
export function fromWitAddress(a: WitAddress): SocketAddress {
  switch (a.kind) {
    case KIND.path: return { path: a.value as string };
    case KIND.pathBytes: return { path: Buffer.from(a.value as Uint8Array) };
    case KIND.abstract: return { abstract: Buffer.from(a.value as Uint8Array) };
    default: return { unnamed: true };
  }
}

function platformOption(value: unknown): number {
  if (value === undefined) return PLATFORMS.indexOf(HOST_PLATFORM);
  if (typeof value !== 'string') throw invalidArgType('options.platform', 'a string', value);
  const index = platformIndex(value);
  if (index < 0) throw invalidArgValue('options.platform', `must be one of ${PLATFORMS.join(', ')}. Received '${value}'`);
  return index;
}

function witOptions(options: unknown): WitOptions {
  if (options === undefined) return DEFAULT_OPTIONS;
  if (typeof options !== 'object' || options === null) throw invalidArgType('options', 'an object', options);
  const o = options as AddressOptions;
  if (o.portable !== undefined && typeof o.portable !== 'boolean') {
    throw invalidArgType('options.portable', 'a boolean', o.portable);
  }
  let relative = 0;
  if (o.relativePaths !== undefined) {
    relative = RELATIVE.indexOf(o.relativePaths);
    if (relative < 0) {
      throw invalidArgValue('options.relativePaths', `must be one of ${RELATIVE.join(', ')}. Received ${String(o.relativePaths)}`);
    }
  }
  let cwd = o.cwd;
  if (cwd !== undefined && typeof cwd !== 'string') throw invalidArgType('options.cwd', 'a string', cwd);
  if (cwd !== undefined && !cwd.isWellFormed()) throw invalidArgValue('options.cwd', 'must be a well-formed string');
  if (cwd === undefined && relative === 1) cwd = process.cwd();
  return { platform: platformOption(o.platform), portable: o.portable === true, relative, workingDirectory: cwd };
}

const DEFAULT_OPTIONS: WitOptions = Object.freeze({
  platform: PLATFORMS.indexOf(HOST_PLATFORM),
  portable: false,
  relative: 0,
  workingDirectory: undefined,
});

function verdictOf(out: Outcome<WitAddress>): AddressVerdict {
  if (out.ok) return { ok: true, address: fromWitAddress(out.value) };
  const problem = problemOf(out.failure);
  return { ok: false, message: new UnixsockAddressError(problem).message, ...problem };
}

/**
 * Check an address against the kernel's rules before any syscall.
 * @param addr an address in any input form
 * @param options platform, portable, relativePaths, cwd
 * @returns `{ ok: true, address }` with the canonical form, or `{ ok: false, reason, message, … }`
 *
 * # Errors
 * Throws only for wrong JS types (`ERR_INVALID_ARG_TYPE`) and bad options.
 */
export function validateAddress(addr: AddressInput, options?: AddressOptions): AddressVerdict {
  const o = witOptions(options);
  const wit = toWitAddress(addr);
  if (isProblem(wit)) return { ok: false, message: new UnixsockAddressError(wit).message, ...wit };
  const out = sharedInstance().validate(wit, o);
  if (out.ok && out.value === wit) return { ok: true, address: inputAsOutput(addr, wit) };
  return verdictOf(out);
}

/** The caller's own value, when the engine accepted it unchanged. */
function inputAsOutput(addr: AddressInput, wit: WitAddress): SocketAddress {
  if (wit.kind === KIND.path && typeof addr === 'string') return { path: addr };
  return fromWitAddress(wit);
}

/**
 * Lower a JS address for the engine. Wrong types throw `ERR_INVALID_ARG_TYPE`;
 * a lone surrogate throws `UnixsockAddressError` (the engine judges the rest).
 */
export function witAddress(addr: unknown, name = 'address'): WitAddress {
  const wit = toWitAddress(addr, name);
  if (isProblem(wit)) throw new UnixsockAddressError(wit, name);
  return wit;
}

/** The address as error messages show it (strings only; `@name` for abstract). */
export function addressForMessage(addr: unknown): string | undefined {
  if (typeof addr === 'string') return addr.startsWith('\0') ? `@${addr.slice(1)}` : addr;
  return undefined;
}

/**
 * The exact `struct sockaddr_un` bytes to pass to bind/connect/sendto; the
 * length is the socklen. Pathnames get their NUL only when it fits, abstract
 * names are never padded, BSD layouts start with sun_len.
 * # Errors
 * `UnixsockAddressError` with the validation `reason`.
 */
export function encodeSockaddr(addr: AddressInput, options?: AddressOptions): Buffer {
  const o = witOptions(options);
  const out = sharedInstance().encode(witAddress(addr), o);
  if (!out.ok) throw new UnixsockAddressError(problemOf(out.failure));
  return out.value;
}

/**
 * Parse sockaddr bytes as accept/getsockname/getpeername/recvfrom return
 * them; `bytes.length` must be the returned socklen.
 * # Errors
 * `UnixsockAddressError` with reason `truncated`, `wrong-family` or `bad-length-byte`.
 */
export function decodeSockaddr(bytes: Uint8Array, options?: { platform?: Platform | 'darwin' | 'win32' }): SocketAddress {
  if (!isBytes(bytes)) throw invalidArgType('bytes', 'a Buffer or Uint8Array', bytes);
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw invalidArgType('options', 'an object', options);
  }
  const out = sharedInstance().decode(bytes, platformOption(options?.platform));
  if (!out.ok) throw new UnixsockAddressError(problemOf(out.failure), 'sockaddr');
  return fromWitAddress(out.value);
}

function textArgument(text: unknown, name: string): string {
  if (typeof text !== 'string') throw invalidArgType(name, 'a string', text);
  const bad = loneSurrogate(text);
  if (bad >= 0) throw new UnixsockAddressError({ reason: 'ill-formed-utf16', offset: bad }, name);
  return text;
}

/**
 * Parse a text address: `@name` (abstract, `\xNN` and `\\` escapes),
 * `unix-abstract:name`, `unix:path`, `unix:///abs/path` (`%NN` escapes), or a
 * plain path.
 * # Errors
 * `UnixsockAddressError` with reason `empty-path`, `contains-nul` or `bad-syntax` (with `offset`).
 */
export function parseAddress(text: string): SocketAddress {
  const out = sharedInstance().parse(textArgument(text, 'text'));
  if (!out.ok) throw new UnixsockAddressError(problemOf(out.failure), 'text address');
  return fromWitAddress(out.value);
}

/**
 * The text form of an address; parseAddress(formatAddress(a)) gives `a` back
 * for every named address. Unnamed addresses format as ''.
 * # Errors
 * `ERR_INVALID_ARG_TYPE` for wrong types, `UnixsockAddressError` for a lone surrogate.
 */
export function formatAddress(addr: AddressInput): string {
  return sharedInstance().toText(witAddress(addr));
}

/**
 * Lexical normalization: join to `cwd` (default: none, so relative stays
 * relative), drop `.`, resolve `..`, collapse `//`. Never touches the filesystem.
 * # Errors
 * `UnixsockAddressError` with reason `empty-path`, `contains-nul` or `working-directory-not-absolute`.
 */
export function normalizePath(path: string, options?: { cwd?: string }): string {
  const p = textArgument(path, 'path');
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw invalidArgType('options', 'an object', options);
  }
  const cwd = options?.cwd === undefined ? undefined : textArgument(options.cwd, 'options.cwd');
  const out = sharedInstance().normalize(p, cwd);
  if (!out.ok) throw new UnixsockAddressError(problemOf(out.failure), 'path');
  return out.value;
}

/**
 * Racket's `unix-socket-path?`, exactly: a string or `{ path }` whose absolute
 * form is at most 108 bytes (Linux) or 104 (elsewhere) with no NUL; or bytes
 * (Buffer/Uint8Array, or `{ abstract }` with its leading NUL implied) of 1 to
 * 108 bytes starting with NUL, on Linux only. Anything else is false; never throws.
 */
export function isUnixSocketPath(value: unknown, options?: { platform?: Platform | 'darwin' | 'win32' }): boolean {
  let platform: number;
  try {
    platform = platformOption(options?.platform);
  } catch {
    return false;
  }
  let kind: number;
  let candidate: string | Uint8Array;
  if (typeof value === 'string') [kind, candidate] = [0, value];
  else if (isBytes(value)) [kind, candidate] = [2, value];
  else {
    const shape = objectShape(value);
    if (shape === 'path') {
      const p = (value as { path: unknown }).path;
      if (typeof p === 'string') [kind, candidate] = [0, p];
      else if (isBytes(p)) [kind, candidate] = [1, p];
      else return false;
    } else if (shape === 'abstract') {
      const a = (value as { abstract: unknown }).abstract;
      const name = typeof a === 'string' ? textBytes(a) : a;
      if (!isBytes(name)) return false;
      candidate = new Uint8Array(name.length + 1);
      candidate.set(name, 1);
      kind = 2;
    } else return false;
  }
  if (typeof candidate === 'string' && loneSurrogate(candidate) >= 0) return false;
  return sharedInstance().isUnixSocketPath(kind, candidate, platform, process.cwd());
}
