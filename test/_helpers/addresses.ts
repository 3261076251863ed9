// Random addresses for property tests.
import type { Platform, SocketAddress } from '../../host/index.js';
import type { Random } from './random.js';

const PIECES = ['a', 'b', 'z', '/', '.', '-', '_', ' ', '%', '@', ':', '\\', '\u00e9', '\u65e5', '\u{1f600}'];

/** Longest pathname each layout accepts. */
export const MAX_PATH: Record<Platform, number> = { linux: 108, macos: 104, freebsd: 104, openbsd: 104, netbsd: 104, windows: 107 };

/** A UTF-8 path of at most `max` bytes, absolute or (sometimes) relative. */
export function randomTextPath(r: Random, max: number): string {
  let s = r.int(0, 3) === 0 ? r.pick(['a', 'b', '.']) : '/';
  const target = r.int(1, max);
  for (;;) {
    const next = s + r.pick(PIECES);
    if (Buffer.byteLength(next) > target) return s;
    s = next;
  }
}

/** Random valid address for a platform: text paths, raw (often non-UTF-8) paths, abstract names with any bytes, unnamed. */
export function randomAddress(r: Random, platform: Platform): SocketAddress {
  const linux = platform === 'linux';
  const choice = r.int(0, linux ? 9 : 5);
  if (choice <= 2) return { path: randomTextPath(r, MAX_PATH[platform]) };
  if (choice <= 5) {
    const raw = r.bytes(r.int(1, MAX_PATH[platform]));
    for (let i = 0; i < raw.length; i++) if (raw[i] === 0) raw[i] = 0xff; // paths have no NUL
    return { path: raw };
  }
  if (choice <= 8) return { abstract: r.bytes(r.int(0, 107)) };
  return { unnamed: true };
}

/** The canonical form the engine returns: valid UTF-8 path bytes come back as text. */
export function canonical(a: SocketAddress): SocketAddress {
  if ('path' in a && typeof a.path !== 'string') {
    const text = a.path.toString('utf8');
    if (Buffer.from(text, 'utf8').equals(a.path)) return { path: text };
  }
  return a;
}
