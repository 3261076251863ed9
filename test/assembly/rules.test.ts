// assembly/address/rules.ts through the component: the Linux rows of
// shared/ground-truth/address-cases.md, the BSD/macOS limits, precedence.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { validateAddress, type AddressVerdict } from '../../host/index.js';

const DIR = '/tmp/us-gt'; // stands for <dir>; only lengths matter here
const pathOf = (len: number): string => `${DIR}/${'p'.repeat(len - DIR.length - 1)}`;
const abstractOf = (total: number): string => `\0${'a'.repeat(total - 1)}`;

function problem(v: AddressVerdict): Record<string, unknown> {
  assert.is(v.ok, false, 'expected a refusal');
  const { ok: _ok, message: _m, ...rest } = v as Extract<AddressVerdict, { ok: false }>;
  return rest;
}

const groundTruth = suite('validateAddress: ground truth (Linux)');

groundTruth('should accept row 1: absolute path of 107 bytes', () => {
  assert.ok(validateAddress(pathOf(107), { platform: 'linux' }).ok);
});

groundTruth('should accept row 2: absolute path of 108 bytes (fills sun_path, no NUL)', () => {
  assert.ok(validateAddress(pathOf(108), { platform: 'linux' }).ok);
});

groundTruth('should refuse row 3: 109 bytes, with length and maximum', () => {
  assert.equal(problem(validateAddress(pathOf(109), { platform: 'linux' })), {
    reason: 'path-too-long', length: 109, maximum: 108,
  });
});

groundTruth('should accept rows 4-6: short relative names whatever the cwd length (kernel rule)', () => {
  for (const name of ['rel-ok.sock', 'r109.sock', 'rel.sock']) {
    assert.ok(validateAddress(name, { platform: 'linux' }).ok, name);
  }
});

groundTruth('should refuse rows 5-6 when the absolute form must fit', () => {
  const cwd99 = `/${'c'.repeat(98)}`; // cwd + '/' + 'r109.sock' = 109 bytes
  assert.equal(problem(validateAddress('r109.sock', { platform: 'linux', relativePaths: 'absolute-must-fit', cwd: cwd99 })), {
    reason: 'absolute-path-too-long', length: 109, maximum: 108,
  });
  assert.ok(validateAddress('rel-ok.sock', { platform: 'linux', relativePaths: 'absolute-must-fit', cwd: '/tmp' }).ok);
  assert.equal(problem(validateAddress('rel.sock', { platform: 'linux', relativePaths: 'reject' })), {
    reason: 'relative-path-rejected',
  });
  assert.equal(problem(validateAddress('rel.sock', { relativePaths: 'absolute-must-fit', cwd: 'tmp' })), {
    reason: 'working-directory-not-absolute',
  });
});

groundTruth('should refuse row 7: an embedded NUL, at its offset (the kernel would truncate)', () => {
  assert.equal(problem(validateAddress(`${DIR}/nul\0tail`, { platform: 'linux' })), {
    reason: 'contains-nul', offset: DIR.length + 4,
  });
  assert.equal(problem(validateAddress({ path: Buffer.from('/a\0b') }, { platform: 'linux' })), {
    reason: 'contains-nul', offset: 2,
  });
});

groundTruth('should refuse row 8 as a path (autobind is spelled { unnamed: true })', () => {
  assert.equal(problem(validateAddress('', { platform: 'linux' })), { reason: 'empty-path' });
  assert.equal(problem(validateAddress(Buffer.alloc(0), { platform: 'linux' })), { reason: 'empty-path' });
  assert.equal(validateAddress({ unnamed: true }, { platform: 'linux' }), { ok: true, address: { unnamed: true } });
});

groundTruth('should accept rows 9-11 and 13: abstract names of 1 to 108 bytes, inner NULs kept', () => {
  for (const name of ['\0', abstractOf(107), abstractOf(108), '\0emb\0ed\0']) {
    const v = validateAddress(name, { platform: 'linux' });
    assert.ok(v.ok, JSON.stringify(name));
    if (v.ok) assert.equal(v.address, { abstract: Buffer.from(name.slice(1), 'latin1') });
  }
});

groundTruth('should refuse row 12: abstract of 109 bytes', () => {
  assert.equal(problem(validateAddress(abstractOf(109), { platform: 'linux' })), {
    reason: 'abstract-too-long', length: 108, maximum: 107,
  });
});

groundTruth('should accept rows 14-15: non-UTF-8 path and abstract bytes, returned as bytes', () => {
  const path = Buffer.concat([Buffer.from(`${DIR}/`), Buffer.from([0xff, 0xfe]), Buffer.from('.sock')]);
  assert.equal(validateAddress(path, { platform: 'linux' }), { ok: true, address: { path } });
  assert.equal(validateAddress(Buffer.from([0, 0xff, 0xfe]), { platform: 'linux' }), {
    ok: true, address: { abstract: Buffer.from([0xff, 0xfe]) },
  });
});

groundTruth.run();

// ---

const platforms = suite('validateAddress: other platforms');

platforms('should allow 104-byte paths and refuse 105 on the BSDs and macOS', () => {
  for (const platform of ['macos', 'freebsd', 'openbsd', 'netbsd'] as const) {
    assert.ok(validateAddress(pathOf(104), { platform }).ok, platform);
    assert.equal(problem(validateAddress(pathOf(105), { platform })), { reason: 'path-too-long', length: 105, maximum: 104 });
    assert.equal(problem(validateAddress('\0x', { platform })), { reason: 'abstract-unsupported' });
    assert.equal(problem(validateAddress({ unnamed: true }, { platform })), { reason: 'autobind-unsupported' });
  }
});

platforms('should require room for the NUL on Windows (107 bytes)', () => {
  assert.ok(validateAddress(pathOf(107), { platform: 'windows' }).ok);
  assert.equal(problem(validateAddress(pathOf(108), { platform: 'windows' })), { reason: 'path-too-long', length: 108, maximum: 107 });
});

platforms('should apply the portable rule: 103 bytes, no abstract, no autobind', () => {
  assert.ok(validateAddress(pathOf(103), { portable: true }).ok);
  assert.equal(problem(validateAddress(pathOf(104), { portable: true })), { reason: 'path-too-long', length: 104, maximum: 103 });
  assert.equal(problem(validateAddress('\0x', { portable: true, platform: 'linux' })), { reason: 'abstract-unsupported' });
  assert.equal(problem(validateAddress({ unnamed: true }, { portable: true, platform: 'linux' })), { reason: 'autobind-unsupported' });
});

platforms('should count UTF-8 bytes, not UTF-16 units', () => {
  const e = '\u00e9'; // 2 UTF-8 bytes
  const at108 = `${DIR}/x${e.repeat((108 - DIR.length - 2) / 2)}`;
  assert.is(Buffer.byteLength(at108), 108);
  assert.ok(validateAddress(at108, { platform: 'linux' }).ok);
  assert.equal(problem(validateAddress(`${at108}x`, { platform: 'linux' })), { reason: 'path-too-long', length: 109, maximum: 108 });
});

platforms.run();

// ---

const precedence = suite('validateAddress: precedence');

precedence('should report a NUL before the length (empty, then NUL, then length)', () => {
  const both = `/tmp/a\0${'x'.repeat(200)}`;
  assert.equal(problem(validateAddress(both, { platform: 'linux' })), { reason: 'contains-nul', offset: 6 });
  assert.equal(problem(validateAddress(both, { platform: 'macos', portable: true })), { reason: 'contains-nul', offset: 6 });
});

precedence('should report a NUL before a relative-path refusal and length before the absolute form', () => {
  assert.equal(problem(validateAddress('a\0b', { relativePaths: 'reject' })), { reason: 'contains-nul', offset: 1 });
  assert.equal(problem(validateAddress('x'.repeat(120), { relativePaths: 'absolute-must-fit', cwd: '/tmp' })), {
    reason: 'path-too-long', length: 120, maximum: 108,
  });
});

precedence('should refuse ill-formed UTF-16 instead of replacing the lone surrogate', () => {
  assert.equal(problem(validateAddress('/tmp/\ud800.sock')), { reason: 'ill-formed-utf16', offset: 5 });
  assert.equal(problem(validateAddress({ abstract: 'a\udc00' })), { reason: 'ill-formed-utf16', offset: 1 });
  assert.ok(validateAddress('/tmp/\ud83d\ude00.sock').ok, 'a well-formed surrogate pair is fine');
});

precedence.run();
