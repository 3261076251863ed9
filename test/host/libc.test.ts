// Which prebuilt addon fits this process (host/native/libc.ts, host/native/native.ts): the
// C library read from real executables' ELF program interpreter (this Node, a
// musl program built with musl-gcc, a static program), the prebuild names per
// platform, architecture and libc, and the loader's error when nothing fits.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { elfInterpreter, libcOfInterpreter, runningLibc } from '../../host/native/libc.js';
import { addonCandidates, loadAddon, prebuildTargets } from '../../host/native/load.js';
import { have, skip } from '../_helpers/peers.js';
import { makeTempDir } from '../_helpers/tmpdir.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tmp = makeTempDir('us-libc');
const C_MAIN = 'int main(void) { return 0; }\n';

/** Compile C_MAIN with `compiler flags`; the executable's path, or undefined when the compiler fails. */
function compile(name: string, compiler: string, flags: string[]): string | undefined {
  const source = join(tmp.path, `${name}.c`);
  writeFileSync(source, C_MAIN);
  const out = join(tmp.path, name);
  const r = spawnSync(compiler, [...flags, '-o', out, source], { encoding: 'utf8', timeout: 60000 });
  return r.status === 0 ? out : undefined;
}

const libc = suite('libc of an executable');
libc.after(() => tmp.remove());

libc('should read glibc from this Node', () => {
  if (process.platform !== 'linux') return skip('Linux only');
  const interpreter = elfInterpreter(process.execPath);
  assert.ok(interpreter !== undefined && interpreter.startsWith('/'), `interpreter ${interpreter}`);
  // Node's own report says whether this is glibc.
  const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime !== undefined;
  assert.is(runningLibc(), glibc ? 'glibc' : 'musl');
  assert.is(libcOfInterpreter(interpreter), runningLibc());
});

libc('should read musl from a program built with musl-gcc', () => {
  if (!have('musl-gcc')) return skip('musl-gcc is not installed (Debian: musl-tools)');
  const program = compile('hello-musl', 'musl-gcc', []);
  assert.ok(program, 'musl-gcc built the program');
  assert.match(elfInterpreter(program!)!, /\/ld-musl-[a-z0-9_]+\.so\.1$/);
  assert.is(libcOfInterpreter(elfInterpreter(program!)), 'musl');
  // It really is a musl program: it runs (without a glibc LD_PRELOAD such as the ASan
  // runner's libasan, which musl's loader cannot load).
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  assert.is(spawnSync(program!, [], { timeout: 10000, env }).status, 0);
});

libc('should find no interpreter in a static program, a shared object, and what is no ELF file', () => {
  if (!have('gcc')) return skip('gcc is not installed');
  const fixed = compile('hello-static', 'gcc', ['-static']);
  if (fixed === undefined) skip('gcc -static failed (no libc.a)');
  else assert.is(elfInterpreter(fixed), undefined);
  const addon = join(root, 'native', 'build', 'Release', 'unixsock.node');
  if (existsSync(addon)) assert.is(elfInterpreter(addon), undefined, 'a shared object has no PT_INTERP');
  // Truncated: the first 40 bytes of this Node.
  const cut = join(tmp.path, 'cut');
  const head = new Uint8Array(40);
  const fd = openSync(process.execPath, 'r');
  readSync(fd, head, 0, 40, 0);
  closeSync(fd);
  writeFileSync(cut, head);
  assert.is(elfInterpreter(cut), undefined);
  writeFileSync(join(tmp.path, 'empty'), '');
  assert.is(elfInterpreter(join(tmp.path, 'empty')), undefined);
  writeFileSync(join(tmp.path, 'text'), '#!/bin/sh\nexit 0\n');
  assert.is(elfInterpreter(join(tmp.path, 'text')), undefined);
});

libc('should answer undefined for paths that name nothing readable', () => {
  for (const path of ['', '/no/such/file', tmp.path, '/a\0b', '/' + 'x'.repeat(5000), '/tmp/\udc80', 42 as unknown as string]) {
    assert.is(elfInterpreter(path), undefined, JSON.stringify(path).slice(0, 40));
  }
});

libc('should map loader names to C libraries', () => {
  const cases: [string | undefined, string | undefined][] = [
    ['/lib64/ld-linux-x86-64.so.2', 'glibc'],
    ['/lib/ld-linux-aarch64.so.1', 'glibc'],
    ['/lib/ld-linux-armhf.so.3', 'glibc'],
    ['/lib64/ld64.so.2', 'glibc'],
    ['/lib/ld-musl-x86_64.so.1', 'musl'],
    ['/lib/ld-musl-aarch64.so.1', 'musl'],
    ['/system/bin/linker64', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [interpreter, expected] of cases) assert.is(libcOfInterpreter(interpreter), expected, String(interpreter));
});

const pick = suite('prebuild choice');

pick('should name prebuilds by platform, architecture and libc', () => {
  assert.equal(prebuildTargets('linux', 'x64', 'glibc'), ['linux-x64-glibc']);
  assert.equal(prebuildTargets('linux', 'arm64', 'musl'), ['linux-arm64-musl']);
  assert.equal(prebuildTargets('linux', 'arm64', undefined), ['linux-arm64-glibc', 'linux-arm64-musl']);
  assert.equal(prebuildTargets('darwin', 'arm64', undefined), ['darwin-arm64']);
  const candidates = addonCandidates(['linux-arm64-musl'], '/pkg');
  assert.equal(candidates, ['/pkg/native/build/Release/unixsock.node', '/pkg/prebuilds/linux-arm64-musl/unixsock.node']);
});

pick('should say what it tried, why each failed and what the package has', () => {
  const other = ['prebuilds/linux-arm64-glibc/unixsock.node', 'prebuilds/linux-x64-glibc/unixsock.node']
    .map((f) => join(root, f))
    .find((f) => existsSync(f) && !f.includes(`-${process.arch}-`));
  const absent = join(tmp.path, 'prebuilds', 'linux-x64-musl', 'unixsock.node');
  const tried = other === undefined ? [absent] : [absent, other];
  const err = (() => {
    try {
      loadAddon(tried, { platform: 'linux', arch: process.arch, libc: 'musl', root });
    } catch (e) {
      return e as Error;
    }
    throw new Error('loadAddon loaded nothing and did not throw');
  })();
  assert.match(err.message, `no native addon loads on linux-${process.arch} (musl). Tried:`);
  assert.match(err.message, `${absent}: absent`);
  // Another architecture's prebuild exists but does not load: the loader's own reason.
  if (other !== undefined) assert.match(err.message, new RegExp(`${other.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\S`));
  assert.not.match(err.message, `${other}: absent`);
  assert.match(err.message, /The package has prebuilt addons for (linux-[a-z0-9]+-glibc(, )?)+ \(prebuilds\/\)|no platform/);
  assert.match(err.message, "npm rebuild unixsock --foreground-scripts");
  assert.match(err.message, 'apk add build-base python3');
});

libc.run();
pick.run();
