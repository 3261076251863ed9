// assembly/address/normalize.ts through the component: lexical
// normalization and Racket's unix-socket-path? predicate.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isUnixSocketPath, normalizePath } from '../../host/index.js';
import { dirOfLength, makeTempDir } from '../_helpers/tmpdir.js';

const normalize = suite('normalizePath');

normalize('should resolve . and .., collapse //, drop a trailing /', () => {
  const cases: [string, string | undefined, string][] = [
    ['/a/./b/../c', undefined, '/a/c'],
    ['//a///b/', undefined, '/a/b'],
    ['/..', undefined, '/'],
    ['/a/../../b', undefined, '/b'],
    ['a/../..', undefined, '..'],
    ['../x/./y', undefined, '../x/y'],
    ['a/..', undefined, '.'],
    ['.', undefined, '.'],
    ['x.sock', '/srv/app/', '/srv/app/x.sock'],
    ['../run/x.sock', '/srv/app', '/srv/run/x.sock'],
    ['/abs', '/ignored', '/abs'],
    ['\u00e9/../\u65e5', undefined, '\u65e5'],
  ];
  for (const [path, cwd, expected] of cases) {
    assert.is(normalizePath(path, cwd === undefined ? undefined : { cwd }), expected, `${path} in ${cwd}`);
  }
});

normalize('should refuse empty, NUL and a relative cwd', () => {
  for (const [path, cwd, reason] of [
    ['', undefined, 'empty-path'],
    ['/a\0', undefined, 'contains-nul'],
    ['a', 'rel', 'working-directory-not-absolute'],
  ] as const) {
    try {
      normalizePath(path, cwd === undefined ? undefined : { cwd });
      assert.unreachable();
    } catch (err) {
      assert.is((err as { reason: string }).reason, reason);
    }
  }
});

normalize.run();

// ---

const predicate = suite('isUnixSocketPath');

const tmp = makeTempDir();
const home = process.cwd();
predicate.after(() => {
  process.chdir(home);
  tmp.remove();
});

const row = (len: number): string => `/tmp/${'p'.repeat(len - 5)}`;

predicate('should give the string verdicts of ground-truth table A', () => {
  assert.is(isUnixSocketPath(row(107), { platform: 'linux' }), true, 'row 1');
  assert.is(isUnixSocketPath(row(108), { platform: 'linux' }), true, 'row 2');
  assert.is(isUnixSocketPath(row(109), { platform: 'linux' }), false, 'row 3');
  assert.is(isUnixSocketPath('/tmp/nul\0tail', { platform: 'linux' }), false, 'row 7');
  assert.is(isUnixSocketPath('', { platform: 'linux' }), false, 'row 8');
  assert.is(isUnixSocketPath('\0abc', { platform: 'linux' }), false, 'strings with NUL are not path-strings');
});

predicate('should judge relative strings by their absolute form (rows 4-6)', () => {
  const cwd99 = dirOfLength(tmp.path, 99);
  process.chdir(cwd99);
  assert.is(isUnixSocketPath('r109.sock', { platform: 'linux' }), false, 'row 5: 109 bytes absolute');
  assert.is(isUnixSocketPath('r18.sock', { platform: 'linux' }), true, '108 bytes absolute');
  const cwd125 = dirOfLength(tmp.path, 124);
  process.chdir(cwd125);
  assert.is(isUnixSocketPath('rel.sock', { platform: 'linux' }), false, 'row 6: 133 bytes absolute');
  process.chdir(tmp.path);
  assert.is(isUnixSocketPath('rel-ok.sock', { platform: 'linux' }), true, 'row 4');
  assert.is(isUnixSocketPath('.//x//y', { platform: 'linux' }), true, 'redundant separators are collapsed');
});

predicate('should give the bytes verdicts of ground-truth table A', () => {
  const abs = (n: number): Buffer => Buffer.concat([Buffer.from([0]), Buffer.alloc(n - 1, 0x61)]);
  assert.is(isUnixSocketPath(Buffer.from(row(107)), { platform: 'linux' }), false, 'row 1: bytes must start with NUL');
  assert.is(isUnixSocketPath(Buffer.alloc(0), { platform: 'linux' }), false, 'row 8');
  assert.is(isUnixSocketPath(Buffer.from([0]), { platform: 'linux' }), true, 'row 9');
  assert.is(isUnixSocketPath(abs(107), { platform: 'linux' }), true, 'row 10');
  assert.is(isUnixSocketPath(abs(108), { platform: 'linux' }), true, 'row 11');
  assert.is(isUnixSocketPath(abs(109), { platform: 'linux' }), false, 'row 12');
  assert.is(isUnixSocketPath(Buffer.from('\0emb\0ed\0', 'latin1'), { platform: 'linux' }), true, 'row 13');
  assert.is(isUnixSocketPath(Buffer.from([0, 0xff, 0xfe]), { platform: 'linux' }), true, 'row 15');
  assert.is(isUnixSocketPath(Buffer.from([0, 0x61]), { platform: 'macos' }), false, 'abstract is Linux only');
  assert.is(isUnixSocketPath({ abstract: 'x' }, { platform: 'linux' }), true);
});

predicate('should accept a non-UTF-8 path object (row 14) and use 104 bytes off Linux', () => {
  const path = Buffer.concat([Buffer.from('/tmp/'), Buffer.from([0xff, 0xfe]), Buffer.from('.sock')]);
  assert.is(isUnixSocketPath({ path }, { platform: 'linux' }), true, 'row 14 path column');
  assert.is(isUnixSocketPath(path, { platform: 'linux' }), false, 'row 14 bytes column');
  assert.is(isUnixSocketPath(row(104), { platform: 'macos' }), true);
  assert.is(isUnixSocketPath(row(105), { platform: 'macos' }), false);
});

predicate('should answer false, never throw, for anything else', () => {
  for (const v of [undefined, null, 42, {}, [], () => 0, { path: 1 }, '/tmp/\ud800', Symbol('x')]) {
    assert.is(isUnixSocketPath(v), false);
  }
  assert.is(isUnixSocketPath('/tmp/x', { platform: 'plan9' as never }), false);
});

predicate.run();
