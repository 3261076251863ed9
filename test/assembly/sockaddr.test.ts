// assembly/address/sockaddr.ts through the component: exact bytes for every
// layout, length-driven decoding, decode(encode(a)) == a over random addresses.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeSockaddr, encodeSockaddr, type Platform } from '../../host/index.js';
import { canonical, randomAddress } from '../_helpers/addresses.js';
import { Random } from '../_helpers/random.js';

const bytes = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

const encode = suite('encodeSockaddr');

encode('should encode a Linux path with its NUL: family 1 little-endian', () => {
  assert.equal(encodeSockaddr('/tmp/a.sock', { platform: 'linux' }), bytes([1, 0], '/tmp/a.sock', [0]));
});

encode('should fill sun_path without a NUL for a 108-byte Linux path (socklen 110)', () => {
  const path = `/${'p'.repeat(107)}`;
  assert.equal(encodeSockaddr(path, { platform: 'linux' }), bytes([1, 0], path));
  const path107 = path.slice(0, 107);
  assert.equal(encodeSockaddr(path107, { platform: 'linux' }), bytes([1, 0], path107, [0]));
});

encode('should encode abstract names exactly: leading NUL, no padding, inner NULs kept', () => {
  assert.equal(encodeSockaddr('\0emb\0ed\0', { platform: 'linux' }), bytes([1, 0, 0], 'emb\0ed\0'));
  assert.equal(encodeSockaddr('\0', { platform: 'linux' }), bytes([1, 0, 0]));
  assert.equal(encodeSockaddr({ abstract: Buffer.from([0xff]) }, { platform: 'linux' }), bytes([1, 0, 0, 0xff]));
});

encode('should encode unnamed as the bare family (Linux autobind)', () => {
  assert.equal(encodeSockaddr({ unnamed: true }, { platform: 'linux' }), bytes([1, 0]));
});

encode('should start BSD layouts with sun_len = socklen and a 1-byte family', () => {
  for (const platform of ['macos', 'freebsd', 'openbsd', 'netbsd'] as const) {
    assert.equal(encodeSockaddr('/tmp/s', { platform }), bytes([9, 1], '/tmp/s', [0]), platform);
    const full = `/${'b'.repeat(103)}`;
    assert.equal(encodeSockaddr(full, { platform }), bytes([106, 1], full), `${platform} 104`);
    const fits = full.slice(0, 103);
    assert.equal(encodeSockaddr(fits, { platform }), bytes([106, 1], fits, [0]), `${platform} 103`);
  }
});

encode('should always NUL-terminate on Windows', () => {
  const path = `C:/${'w'.repeat(104)}`;
  assert.equal(encodeSockaddr(path, { platform: 'windows' }), bytes([1, 0], path, [0]));
});

encode('should encode non-UTF-8 path bytes unchanged', () => {
  assert.equal(encodeSockaddr(Buffer.from([0x2f, 0xff, 0xfe]), { platform: 'linux' }), bytes([1, 0, 0x2f, 0xff, 0xfe, 0]));
});

encode('should throw typed errors and never pad or truncate', () => {
  for (const [addr, reason] of [
    ['', 'empty-path'],
    ['/a\0b', 'contains-nul'],
    [`/${'x'.repeat(108)}`, 'path-too-long'],
    [`\0${'x'.repeat(108)}`, 'abstract-too-long'],
  ] as const) {
    try {
      encodeSockaddr(addr, { platform: 'linux' });
      assert.unreachable(`${JSON.stringify(addr)} encoded`);
    } catch (err) {
      assert.is((err as { code: string }).code, 'ERR_INVALID_ARG_VALUE');
      assert.is((err as { reason: string }).reason, reason);
      assert.instance(err, TypeError);
    }
  }
});

encode.run();

// ---

const decode = suite('decodeSockaddr');

decode('should decode Linux pathnames up to the first NUL, or unterminated at 108 bytes', () => {
  assert.equal(decodeSockaddr(bytes([1, 0], '/tmp/a', [0]), { platform: 'linux' }), { path: '/tmp/a' });
  assert.equal(decodeSockaddr(bytes([1, 0], '/tmp/a', [0, 0x41, 0x41]), { platform: 'linux' }), { path: '/tmp/a' });
  const p108 = `/${'q'.repeat(107)}`;
  assert.equal(decodeSockaddr(bytes([1, 0], p108), { platform: 'linux' }), { path: p108 });
});

decode('should decode abstract names by length, inner and trailing NULs kept', () => {
  assert.equal(decodeSockaddr(bytes([1, 0, 0], 'a\0b\0'), { platform: 'linux' }), { abstract: bytes('a\0b\0') });
  assert.equal(decodeSockaddr(bytes([1, 0, 0]), { platform: 'linux' }), { abstract: Buffer.alloc(0) });
  // An autobound name as getsockname returns it: NUL + 5 hex digits.
  assert.equal(decodeSockaddr(bytes([1, 0, 0], '5f43c'), { platform: 'linux' }), { abstract: bytes('5f43c') });
});

decode('should decode socklen 2 as unnamed, and macOS 16-byte zeroed as unnamed', () => {
  assert.equal(decodeSockaddr(bytes([1, 0]), { platform: 'linux' }), { unnamed: true });
  assert.equal(decodeSockaddr(bytes([16, 1], new Array(14).fill(0)), { platform: 'macos' }), { unnamed: true });
  assert.equal(decodeSockaddr(bytes([0, 1]), { platform: 'freebsd' }), { unnamed: true });
});

decode('should honour sun_len on BSD layouts and ignore bytes past it', () => {
  assert.equal(decodeSockaddr(bytes([5, 1], '/ab', 'zzzz'), { platform: 'macos' }), { path: '/ab' });
  assert.equal(decodeSockaddr(bytes([200, 1], '/ab'), { platform: 'freebsd' }), { path: '/ab' }, 'clamped buffer');
});

decode('should return non-UTF-8 paths as bytes', () => {
  assert.equal(decodeSockaddr(bytes([1, 0, 0x2f, 0xc3, 0x28, 0]), { platform: 'linux' }), { path: bytes([0x2f, 0xc3, 0x28]) });
});

decode('should refuse malformed sockaddrs with a reason', () => {
  const reasonOf = (b: Buffer, platform: Platform): unknown => {
    try {
      decodeSockaddr(b, { platform });
      return 'decoded';
    } catch (err) {
      const e = err as { reason: string; family?: number; lengthByte?: number };
      return [e.reason, e.family ?? e.lengthByte];
    }
  };
  assert.equal(reasonOf(bytes([1]), 'linux'), ['truncated', undefined]);
  assert.equal(reasonOf(bytes([]), 'macos'), ['truncated', undefined]);
  assert.equal(reasonOf(bytes([2, 0, 0x2f]), 'linux'), ['wrong-family', 2]);
  assert.equal(reasonOf(bytes([10, 2, 0x2f]), 'macos'), ['wrong-family', 2]);
  assert.equal(reasonOf(bytes([1, 1, 0x2f]), 'netbsd'), ['bad-length-byte', 1]);
});

decode.run();

// ---

const roundTrip = suite('decodeSockaddr(encodeSockaddr(a))');

roundTrip('should give every random address back exactly, on every layout', () => {
  const r = new Random();
  for (const platform of ['linux', 'macos', 'freebsd', 'openbsd', 'netbsd', 'windows'] as const) {
    for (let i = 0; i < 3000; i++) {
      const a = randomAddress(r, platform);
      const encoded = encodeSockaddr(a, { platform });
      assert.equal(decodeSockaddr(encoded, { platform }), canonical(a), `${platform} #${i}`);
    }
  }
});

roundTrip.run();
