// Short per-suite directories for socket files (sun_path is only 104-108
// bytes, so the directory must stay short), removed after the suite.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh directory under the system temp dir, its remover, and `at(name)`: the path of
 * `name` in it, joined as text. Not with path.join: Bun's replaces a lone surrogate with
 * U+FFFD, which would turn the ill-formed names of the bad-input tests into good ones.
 */
export function makeTempDir(prefix = 'us-'): { path: string; at: (name: string) => string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, at: (name) => `${path}/${name}`, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Create (under `base`) a directory whose absolute path is exactly `length` bytes. */
export function dirOfLength(base: string, length: number): string {
  let dir = base;
  for (;;) {
    const remaining = length - Buffer.byteLength(dir);
    if (remaining === 0) break;
    if (remaining < 2) throw new Error(`cannot make a directory of ${length} bytes under ${base}`);
    // Each segment costs its name plus a '/'; never leave a remainder of 1.
    let name = Math.min(remaining - 1, 200);
    if (remaining - (name + 1) === 1) name -= 1;
    dir = join(dir, 'd'.repeat(name));
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}
