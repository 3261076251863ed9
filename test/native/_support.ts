// Shared fixtures for the native shim tests: hand-encoded Linux sockaddr_un
// bytes, per-suite temp dirs, /proc descriptor inspection, bounded waits.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';

/** Negative errno for a symbolic name, e.g. `errno('ENOENT')` === -2 on Linux. */
export function errno(name: keyof typeof constants.errno): number {
  return -constants.errno[name];
}

/** Linux sockaddr_un for a filesystem path: family 1 (LE), path bytes, NUL. */
export function pathAddress(path: string): Uint8Array {
  const bytes = Buffer.from(path);
  const out = new Uint8Array(2 + bytes.length + 1);
  out[0] = 1;
  out.set(bytes, 2);
  return out;
}

/** Linux abstract sockaddr_un: family 1 (LE), NUL, name bytes; exact length. */
export function abstractAddress(name: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + 1 + name.length);
  out[0] = 1;
  out.set(name, 3);
  return out;
}

/** A unique abstract name containing an inner NUL byte. */
export function abstractName(tag: string): Uint8Array {
  return Buffer.from(`unixsock-test-${process.pid}-${tag}\0inner-${Math.random().toString(36).slice(2)}`);
}

/** A short temp dir (sun_path is only 108 bytes) and its cleanup. */
export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'us-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The `flags:` field of /proc/self/fdinfo/<fd>, parsed as octal. */
export function descriptorFlags(fd: number): number {
  const match = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
  if (!match?.[1]) throw new Error(`no flags for fd ${fd}`);
  return parseInt(match[1], 8);
}

export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;

/** Number of open descriptors of this process. */
export function openDescriptorCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects when `promise` has not settled within `ms` milliseconds. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Asserts that `call` throws a TypeError (a programmer error in the arguments). */
/** `call` throws a Node argument error: a TypeError, or a RangeError coded ERR_OUT_OF_RANGE (a number out of range). */
export function throwsArgumentError(call: () => unknown, label: string): void {
  try {
    call();
  } catch (error) {
    if (error instanceof RangeError) assert.is((error as { code?: string }).code, 'ERR_OUT_OF_RANGE', label);
    else assert.instance(error, TypeError, label);
    return;
  }
  assert.unreachable(`${label} did not throw`);
}

export function throwsTypeError(call: () => unknown, label: string): void {
  try {
    call();
  } catch (error) {
    assert.instance(error, TypeError, label);
    return;
  }
  assert.unreachable(`${label} did not throw`);
}
