// What a fuzz target is, and the checks every target shares: an error is
// acceptable only when it is a typed refusal (UnixsockAddressError with an
// expected reason); a WebAssembly.RuntimeError is a trap of the component;
// after each input the component must still answer known questions right.
import { decodeSockaddr, parseAddress, type SocketAddress, UnixsockAddressError, validateAddress } from '../../host/index.js';
import type { Random } from '../_helpers/random.js';

/** A parser under fuzzing. */
export interface FuzzTarget<T> {
  readonly name: string;
  /** A random input. */
  generate(r: Random): T;
  /** The input in a form that reproduces it (printed on failure). */
  describe(input: T): string;
  /** Feed the input to the parser: undefined when all is well, else what went wrong. */
  exercise(input: T): string | undefined;
}

/** Why `err` is not an acceptable refusal (undefined when it is one). */
export function unexpectedError(err: unknown, reasons: readonly string[]): string | undefined {
  if (isTrap(err)) return `component trap: ${(err as Error).message}`;
  if (err instanceof UnixsockAddressError) {
    return reasons.includes(err.reason) ? undefined : `unexpected reason ${err.reason}: ${err.message}`;
  }
  return `unexpected error: ${err instanceof Error ? `${err.name}: ${err.message}${err.cause === undefined ? '' : ` (cause: ${String(err.cause)})`}` : String(err)}`;
}

/** A WebAssembly.RuntimeError (unreachable, out-of-bounds access, …), also when wrapped as a cause. */
export function isTrap(err: unknown): boolean {
  // host/webassembly.d.ts declares only the slice of the API host/ uses.
  const RuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: new () => Error } }).WebAssembly.RuntimeError;
  return err instanceof RuntimeError || (err instanceof Error && err.cause !== undefined && isTrap(err.cause));
}

const KNOWN_SOCKADDR = Buffer.from([1, 0, 0x2f, 0x74, 0x6d, 0x70, 0x2f, 0x73, 0]);

/** Whether the component still works: undefined when it does, else what broke. */
export function componentHealth(): string | undefined {
  try {
    const v = validateAddress('/tmp/health.sock');
    if (!v.ok || !('path' in v.address) || v.address.path !== '/tmp/health.sock') return `validateAddress gave ${JSON.stringify(v)}`;
    const too = validateAddress(`/${'x'.repeat(200)}`);
    if (too.ok || too.reason !== 'path-too-long') return `validateAddress of a long path gave ${JSON.stringify(too)}`;
    const d = decodeSockaddr(KNOWN_SOCKADDR, { platform: 'linux' });
    if (!('path' in d) || d.path !== '/tmp/s') return `decodeSockaddr gave ${JSON.stringify(d)}`;
    const p = parseAddress('@a\\x00b');
    if (!('abstract' in p) || !p.abstract.equals(Buffer.from([0x61, 0, 0x62]))) return `parseAddress gave ${JSON.stringify(p)}`;
    return undefined;
  } catch (err) {
    return `component broken: ${String(err)}`;
  }
}

/** sun_path bytes of an address (abstract with its leading 0), for comparisons. */
export function sunPathOf(a: SocketAddress): Buffer {
  if ('path' in a) return Buffer.from(a.path);
  if ('abstract' in a) return Buffer.concat([Buffer.from([0]), a.abstract]);
  return Buffer.alloc(0);
}

/** Same kind and same bytes. */
export function sameAddress(a: SocketAddress, b: SocketAddress): boolean {
  const kind = (x: SocketAddress): string => ('path' in x ? 'path' : 'abstract' in x ? 'abstract' : 'unnamed');
  return kind(a) === kind(b) && sunPathOf(a).equals(sunPathOf(b));
}

/** Why `a` is not one well-formed SocketAddress (undefined when it is). */
export function malformed(a: unknown): string | undefined {
  if (typeof a !== 'object' || a === null) return `not an object: ${String(a)}`;
  const keys = Object.keys(a);
  if (keys.length !== 1) return `keys ${keys.join(',')}`;
  const o = a as Record<string, unknown>;
  if ('path' in o) return typeof o.path === 'string' || Buffer.isBuffer(o.path) ? undefined : 'path is neither string nor Buffer';
  if ('abstract' in o) return Buffer.isBuffer(o.abstract) ? undefined : 'abstract is not a Buffer';
  return o.unnamed === true ? undefined : `unknown shape ${keys[0]}`;
}

/** JSON for messages that shows Buffers as hex. */
export function show(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x !== null && typeof x === 'object' && (x as { type?: string }).type === 'Buffer') return `<${Buffer.from((x as { data: number[] }).data).toString('hex')}>`;
    return x;
  });
}
