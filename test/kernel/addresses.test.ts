// The engine's address verdicts against the running kernel: for every
// ground-truth row (shared/ground-truth/address-cases.md) and a seeded slice
// of random addresses, an address the engine accepts must bind(2) and read
// back through getsockname(2) exactly, and one it refuses must fail to bind or
// bind some other name (truncated, autobound). Uses the raw native shim.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeSockaddr, encodeSockaddr, formatAddress, validateAddress, type SocketAddress } from '../../host/index.js';
import { native, SOCKET_TYPE } from '../../host/native/native.js';
import { canonical } from '../_helpers/addresses.js';
import { Random } from '../_helpers/random.js';
import { dirOfLength, makeTempDir } from '../_helpers/tmpdir.js';

const LINUX = process.platform === 'linux';

/** What the kernel does with exactly these sockaddr bytes: the name bound, or -errno. */
function kernelBind(sockaddr: Uint8Array): SocketAddress | number {
  const fd = native.socket(SOCKET_TYPE.stream);
  assert.ok(fd >= 0, `socket: ${fd}`);
  try {
    const r = native.bind(fd, sockaddr);
    if (r < 0) return r;
    const out = new Uint8Array(128);
    const n = native.getSockName(fd, out);
    assert.ok(n >= 0, `getsockname: ${n}`);
    const bound = decodeSockaddr(out.subarray(0, n), { platform: 'linux' });
    // A pathname bind leaves a file; remove it so every probe starts clean.
    if ('path' in bound) assert.is(native.unlink(Buffer.from(bound.path)), 0);
    return bound;
  } finally {
    native.close(fd);
  }
}

/** The sockaddr a naive caller would pass for `raw` sun_path bytes: family + bytes, no NUL, no check. */
function naiveSockaddr(raw: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + raw.length);
  out[0] = 1;
  out.set(raw, 2);
  return out;
}

const tally = { accepted: 0, refused: 0 };

/** Engine and kernel agree on `addr` (sun_path bytes `raw` for the naive bind). */
function agree(addr: SocketAddress | string | Buffer, raw: Uint8Array, label: string): void {
  const verdict = validateAddress(addr, { platform: 'linux' });
  tally[verdict.ok ? 'accepted' : 'refused']++;
  if (verdict.ok) {
    const bound = kernelBind(encodeSockaddr(addr, { platform: 'linux' }));
    assert.equal(bound, canonical(verdict.address), `${label}: accepted, so the kernel binds it exactly`);
  } else {
    const bound = kernelBind(naiveSockaddr(raw));
    const exact = typeof bound === 'object' && formatAddress(bound) === formatAddress(naiveDecoded(raw));
    assert.not.ok(exact, `${label}: refused (${verdict.reason}), so the kernel must not bind it exactly; it gave ${JSON.stringify(bound)}`);
  }
}

/** The address `raw` means to a reader of sun_path bytes. */
function naiveDecoded(raw: Uint8Array): SocketAddress {
  if (raw.length === 0) return { path: '' } as never;
  if (raw[0] === 0) return { abstract: Buffer.from(raw.subarray(1)) };
  return { path: Buffer.from(raw) };
}

const tmp = makeTempDir('us-k');
const home = process.cwd();

const rows = suite('kernel agreement: ground-truth rows');
rows.after(() => {
  process.chdir(home);
  tmp.remove();
});

if (!LINUX) {
  rows('should run on Linux only (the ground truth is Linux)', () => {
    console.log('  skipped: not Linux');
  });
} else {
  const dir = tmp.path;
  const pathOf = (len: number, tag: string): string => {
    const prefix = `${dir}/${tag}`;
    return prefix + 'p'.repeat(len - Buffer.byteLength(prefix));
  };

  rows('should agree on absolute paths of 107, 108 and 109 bytes (rows 1-3)', () => {
    for (const [len, tag] of [[107, 'a'], [108, 'b'], [109, 'c']] as const) {
      const p = pathOf(len, tag);
      agree(p, Buffer.from(p), `row ${len}`);
    }
    assert.is(validateAddress(pathOf(109, 'd')).ok, false);
  });

  rows('should agree on relative names under short and long working directories (rows 4-6)', () => {
    process.chdir(dir);
    agree('rel-ok.sock', Buffer.from('rel-ok.sock'), 'row 4');
    process.chdir(dirOfLength(dir, 99));
    agree('r109.sock', Buffer.from('r109.sock'), 'row 5');
    process.chdir(dirOfLength(join(dir, 'x'), 124));
    agree('rel.sock', Buffer.from('rel.sock'), 'row 6');
    process.chdir(home);
  });

  rows('should agree that an embedded NUL is refused: the kernel truncates it (row 7)', () => {
    const p = `${dir}/nul\0tail`;
    agree(p, Buffer.from(p), 'row 7');
    const bound = kernelBind(naiveSockaddr(Buffer.from(p)));
    assert.equal(bound, { path: `${dir}/nul` }, 'the kernel really truncates');
  });

  rows('should agree that the empty path is refused: the kernel autobinds instead (row 8)', () => {
    agree('', new Uint8Array(0), 'row 8');
    const bound = kernelBind(encodeSockaddr({ unnamed: true }, { platform: 'linux' }));
    assert.ok(typeof bound === 'object' && 'abstract' in bound, 'unnamed autobinds');
    if (typeof bound === 'object' && 'abstract' in bound) assert.match(bound.abstract.toString('latin1'), /^[0-9a-f]{5}$/);
  });

  rows('should agree on abstract names of 1, 107, 108 and 109 bytes and inner NULs (rows 9-13)', () => {
    const tag = `us-${process.pid}-`;
    for (const total of [1, 107, 108, 109]) {
      const name = total === 1 ? '' : (tag + 'a'.repeat(200)).slice(0, total - 1);
      agree(`\0${name}`, Buffer.from(`\0${name}`), `abstract ${total}`);
    }
    agree(`\0${tag}emb\0ed\0`, Buffer.from(`\0${tag}emb\0ed\0`), 'row 13');
  });

  rows('should agree on non-UTF-8 path and abstract bytes (rows 14-15)', () => {
    const path = Buffer.concat([Buffer.from(`${dir}/`), Buffer.from([0xff, 0xfe]), Buffer.from('.sock')]);
    agree(path, path, 'row 14');
    const abs = Buffer.concat([Buffer.from([0]), Buffer.from(`us-${process.pid}-`), Buffer.from([0xff, 0xfe])]);
    agree(abs, abs, 'row 15');
  });
}

rows.run();

// ---

const random = suite('kernel agreement: random addresses');

random('should agree on 2,000 seeded random paths and abstract names', () => {
  if (!LINUX) return;
  const r = new Random(Number(process.env.UNIXSOCK_SEED ?? 11));
  const base = join(tmp.path, 'r');
  mkdirSync(base, { recursive: true });
  process.chdir(base);
  try {
    for (let i = 0; i < 2000; i++) {
      const abstract = r.int(0, 1) === 1;
      const len = r.int(0, 120);
      // Mostly plain bytes; sometimes a NUL or non-UTF-8 bytes.
      const raw = r.bytes(len, [0x61, 0x62, 0x2e, 0x5f, 0xe9, 0xff, 0x80, ...(r.int(0, 4) === 0 ? [0] : [])]);
      const name = abstract
        ? Buffer.concat([Buffer.from([0]), Buffer.from(`us${process.pid}-${i}-`), raw]).subarray(0, len + 1)
        : Buffer.concat([Buffer.from(`k${i}-`), raw]).subarray(0, Math.max(len, 1));
      agree(name, name, `#${i} ${name.toString('hex')}`);
    }
    // Both verdicts must be exercised, or the agreement proves little.
    assert.ok(tally.accepted > 800 && tally.refused > 300, JSON.stringify(tally));
  } finally {
    process.chdir(home);
  }
});

random.run();
