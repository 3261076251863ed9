// host/address.ts: input forms, and bad input at every entry point — too
// long, NUL, empty, wrong type, non-UTF-8 — answered with a typed error that
// names the reason, with nothing created on disk.
import { readdirSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  capabilities, decodeSockaddr, encodeSockaddr, formatAddress, isUnixSocketPath, normalizePath,
  parseAddress, unixSocketAvailable, UnixsockAddressError, validateAddress,
} from '../../host/index.js';
import { makeTempDir } from '../_helpers/tmpdir.js';

type Call = (v: unknown) => unknown;

/** Every entry point that takes an address, with the value in that slot. */
const ADDRESS_ENTRY_POINTS: Record<string, Call> = {
  validateAddress: (v) => {
    const r = validateAddress(v as never);
    if (!r.ok) throw new UnixsockAddressError(r as never);
    return r;
  },
  encodeSockaddr: (v) => encodeSockaddr(v as never),
  formatAddress: (v) => formatAddress(v as never),
};
/** Entry points that take text. */
const TEXT_ENTRY_POINTS: Record<string, Call> = {
  parseAddress: (v) => parseAddress(v as never),
  normalizePath: (v) => normalizePath(v as never),
};

function codeOf(fn: () => unknown): { code?: string; reason?: string } | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    assert.instance(err, TypeError, 'every argument error is a TypeError, as in Node');
    return err as { code?: string; reason?: string };
  }
}

const forms = suite('address input forms');

forms('should take strings, "\\0" strings, bytes and objects', () => {
  assert.equal(validateAddress('/tmp/a'), { ok: true, address: { path: '/tmp/a' } });
  assert.equal(validateAddress('\0a\0'), { ok: true, address: { abstract: Buffer.from('a\0', 'latin1') } });
  assert.equal(validateAddress(Buffer.from('/tmp/a')), { ok: true, address: { path: '/tmp/a' } });
  assert.equal(validateAddress(new Uint8Array([0, 0x61])), { ok: true, address: { abstract: Buffer.from('a') } });
  assert.equal(validateAddress({ path: '/tmp/a' }), { ok: true, address: { path: '/tmp/a' } });
  assert.equal(validateAddress({ path: Buffer.from([0x2f, 0xff]) }), { ok: true, address: { path: Buffer.from([0x2f, 0xff]) } });
  assert.equal(validateAddress({ abstract: 'x' }), { ok: true, address: { abstract: Buffer.from('x') } });
  assert.equal(validateAddress({ abstract: Buffer.from([0]) }), { ok: true, address: { abstract: Buffer.from([0]) } });
  assert.equal(validateAddress({ unnamed: true }), { ok: true, address: { unnamed: true } });
});

forms('should return forms that are valid inputs again', () => {
  for (const input of ['/tmp/a', '\0a', { path: Buffer.from([0x2f, 0xfe]) }, { unnamed: true as const }]) {
    const v = validateAddress(input);
    assert.ok(v.ok);
    if (v.ok) assert.equal(validateAddress(v.address), v);
  }
});

forms('should give a message and machine-readable fields on refusal', () => {
  const v = validateAddress(`/${'x'.repeat(200)}`, { platform: 'linux' });
  assert.equal(v, {
    ok: false, reason: 'path-too-long', length: 201, maximum: 108,
    message: 'The address is invalid: the path is 201 bytes; at most 108 fit in sun_path',
  });
});

forms.run();

// ---

const bad = suite('bad input at every entry point');
const tmp = makeTempDir();
const home = process.cwd();
bad.before(() => process.chdir(tmp.path));
bad.after(() => {
  process.chdir(home);
  assert.equal(readdirSync(tmp.path), [], 'nothing was created on disk');
  tmp.remove();
});

const WRONG_TYPES: unknown[] = [undefined, null, 42, 42n, true, Symbol('s'), () => 0, [], {}, { path: 1 }, { path: '/a', abstract: 'b' }, { unnamed: false }, new ArrayBuffer(4)];

bad('should throw ERR_INVALID_ARG_TYPE for wrong types', () => {
  for (const [name, call] of Object.entries({ ...ADDRESS_ENTRY_POINTS, ...TEXT_ENTRY_POINTS })) {
    const types = name in TEXT_ENTRY_POINTS ? [...WRONG_TYPES, Buffer.from('/a')] : WRONG_TYPES;
    for (const v of types) {
      const e = codeOf(() => call(v));
      assert.is.not(e, 'ok', `${name}(${String(v)})`);
      if (e !== 'ok') assert.is(e.code, 'ERR_INVALID_ARG_TYPE', `${name}(${String(v)})`);
    }
  }
  const e = codeOf(() => decodeSockaddr('/tmp' as never));
  assert.is(e !== 'ok' && e.code, 'ERR_INVALID_ARG_TYPE');
});

bad('should name the reason for too long, NUL, empty and ill-formed input', () => {
  const cases: [unknown, string, string[]][] = [
    [`/${'x'.repeat(300)}`, 'path-too-long', ['parseAddress', 'normalizePath', 'formatAddress']],
    ['/a\0b', 'contains-nul', ['formatAddress']],
    ['', 'empty-path', ['formatAddress']],
    [Buffer.alloc(0), 'empty-path', ['formatAddress']],
    ['/\udfff', 'ill-formed-utf16', []],
  ];
  const all = { ...ADDRESS_ENTRY_POINTS, ...TEXT_ENTRY_POINTS };
  for (const [value, reason, exempt] of cases) {
    for (const [name, call] of Object.entries(all)) {
      if (exempt.includes(name) || (name in TEXT_ENTRY_POINTS && typeof value !== 'string')) continue;
      const e = codeOf(() => call(value));
      assert.is.not(e, 'ok', `${name}(${JSON.stringify(String(value)).slice(0, 20)})`);
      if (e !== 'ok') {
        assert.is(e.code, 'ERR_INVALID_ARG_VALUE', name);
        assert.is(e.reason, reason, name);
      }
    }
  }
});

bad('should keep non-UTF-8 bytes exact rather than refusing or replacing them', () => {
  const raw = Buffer.from([0x2f, 0x74, 0xc3, 0x28, 0xff]);
  assert.equal(validateAddress(raw), { ok: true, address: { path: raw } });
  assert.equal(parseAddress(formatAddress(raw)), { path: raw });
  assert.equal(decodeSockaddr(encodeSockaddr(raw)), { path: raw });
});

bad('should refuse bad options with typed errors', () => {
  const cases: [() => unknown, string][] = [
    [() => validateAddress('/a', 'linux' as never), 'ERR_INVALID_ARG_TYPE'],
    [() => validateAddress('/a', { platform: 3 as never }), 'ERR_INVALID_ARG_TYPE'],
    [() => validateAddress('/a', { platform: 'plan9' as never }), 'ERR_INVALID_ARG_VALUE'],
    [() => validateAddress('/a', { portable: 'yes' as never }), 'ERR_INVALID_ARG_TYPE'],
    [() => validateAddress('/a', { relativePaths: 'sometimes' as never }), 'ERR_INVALID_ARG_VALUE'],
    [() => validateAddress('a', { cwd: 7 as never }), 'ERR_INVALID_ARG_TYPE'],
    [() => encodeSockaddr('/a', null as never), 'ERR_INVALID_ARG_TYPE'],
    [() => decodeSockaddr(Buffer.from([1, 0]), { platform: '' as never }), 'ERR_INVALID_ARG_VALUE'],
    [() => capabilities({ platform: 'beos' as never }), 'ERR_INVALID_ARG_VALUE'],
    [() => normalizePath('a', { cwd: '\ud800' }), 'ERR_INVALID_ARG_VALUE'],
  ];
  for (const [fn, code] of cases) {
    const e = codeOf(fn);
    assert.is(e !== 'ok' && e.code, code, fn.toString());
  }
});

bad('should never throw from the isUnixSocketPath predicate', () => {
  for (const v of [...WRONG_TYPES, '', '/a\0', '\ud800', `/${'x'.repeat(500)}`]) assert.is(isUnixSocketPath(v), false);
});

bad.run();

// ---

const caps = suite('capabilities');

caps('should describe this Linux host and other platforms', () => {
  assert.is(unixSocketAvailable, true);
  const here = capabilities();
  assert.equal(
    { ...here },
    {
      platform: 'linux', unixSockets: true, abstractNamespace: true, autobind: true, seqpacket: true, datagram: true,
      fdPassing: true, peerCredentials: true, sunPathBytes: 108, maxPathBytes: 108, portableMaxPathBytes: 103, maxAbstractBytes: 107,
    },
  );
  const mac = capabilities({ platform: 'darwin' });
  assert.is(mac.platform, 'macos');
  assert.is(mac.seqpacket, false);
  assert.is(mac.maxPathBytes, 104);
  assert.is(mac.abstractNamespace, false);
  assert.is(capabilities({ platform: 'win32' }).unixSockets, false);
});

caps.run();
