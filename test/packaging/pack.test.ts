// The npm package as users install it: `npm pack` here, then `npm install
// <tarball> --prefer-offline` into fresh projects with npm's default settings (the
// install script runs and must do nothing: no compiler) and with
// --ignore-scripts (what a policy that blocks install scripts gives: the
// prebuilt addon alone must work). The tarball holds a prebuild for every
// target of build/prebuild.mjs (linux-x64-glibc, linux-arm64-glibc); without
// the cross compiler here it is packed without the arm64 one, saying so
// (build/test-arm64.mjs runs the arm64 one under qemu). The consumer app
// (test/packaging/app.ts) imports 'unixsock', echoes bytes over a socket and
// validates addresses; the installed bin runs through npx; the shipped .d.ts
// type-check a consumer. Where no prebuild fits and no compiler is there, the
// install script says what it tried and what is missing.
// Skips with a printed reason when npm is unavailable, and under the ASan
// runner (npm run test:asan), whose copy holds a sanitized source build that
// is newer than the prebuild, so prepack rightly refuses to pack.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { APP, type AppResult, treeDigest } from './app.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const NPM = spawnSync('npm', ['--version'], { encoding: 'utf8', timeout: 20000 }).status === 0;
const ASAN = /asan/.test(process.env.LD_PRELOAD ?? '');
/** Why this suite cannot run here, or undefined. */
const SKIP = !NPM ? 'npm is not available' : ASAN ? 'under the ASan runner (sanitized source build; npm test packs the real one)' : undefined;
const prebuild = (await import(new URL('build/prebuild.mjs', pathToFileURL(root)).href)) as {
  TARGETS: { triple: string }[];
  hostTarget(): object | undefined;
  prebuildPath(target: object): string;
};
const HOST_TARGET = prebuild.hostTarget();
const PREBUILD = HOST_TARGET === undefined ? 'prebuilds/(none for this machine)' : prebuild.prebuildPath(HOST_TARGET);
/** The prebuilds the tarball must hold: every target whose toolchain is here. */
const CROSS_MISSING = prebuild.TARGETS.filter((t) => t !== HOST_TARGET && spawnSync(`${t.triple}-g++`, ['--version']).status !== 0);
const EXPECTED_PREBUILDS = prebuild.TARGETS.filter((t) => !CROSS_MISSING.includes(t)).map((t) => prebuild.prebuildPath(t));
const tmp = makeTempDir('us-pk');

/**
 * The environment of a user's shell: without the npm_* variables `npm test`
 * sets for its script (npm would read them as configuration) and without colors,
 * but with the npm cache the outer npm used (npm_config_cache), so that a run
 * with an empty cache (a new machine) installs through that cache too.
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  // Without the cross compiler, pack this machine's prebuild alone (prepack says so).
  if (CROSS_MISSING.length > 0) env.UNIXSOCK_PACK_PARTIAL = '1';
  for (const [k, v] of Object.entries(process.env)) {
    if ((!/^npm_/i.test(k) || k === 'npm_config_cache') && k !== 'FORCE_COLOR' && k !== 'INIT_CWD') env[k] = v;
  }
  return env;
}

/** Run `cmd args` in `cwd` within `timeout` ms; fails the test unless it exits 0. */
function run(cmd: string, args: string[], cwd: string, timeout = 60000): SpawnSyncReturns<string> & { ms: number } {
  const started = performance.now();
  const r = spawnSync(cmd, args, { cwd, env: userEnv(), encoding: 'utf8', timeout, maxBuffer: 16 << 20 });
  const ms = performance.now() - started;
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  assert.is(r.status, 0, `${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  return { ...r, ms };
}

/**
 * A fresh project in `name` with `unixsock` installed from the tarball (npm `flags` added).
 * --prefer-offline, not --offline: resolving the tarball's dependencies (node-addon-api,
 * undici) needs their registry metadata, which the repository's `npm install` from its
 * lockfile never fetches, so a new machine's cache lacks it (ENOTCACHED under --offline).
 * npm takes what the cache has without asking and fetches only what it lacks.
 */
function project(name: string, tarball: string, flags: string[]): { dir: string; ms: number } {
  const dir = join(tmp.path, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  const r = run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', ...flags], dir);
  return { dir, ms: r.ms };
}

/** The same in TypeScript, type-checked against the shipped declarations. */
const APP_TS = `
import { connect, listen, validateAddress, type AddressVerdict, type UnixServer, type UnixSocket } from 'unixsock';
const server: UnixServer = await listen('/tmp/never.sock');
const client: UnixSocket = await connect(server.path!);
const verdict: AddressVerdict = validateAddress('/tmp/app.sock');
if (verdict.ok) console.log(verdict.address, client.remoteAddress);
`;

const pack = suite('packaging');

pack.after(() => tmp.remove());

pack('should install the packed tarball and work without a compiler', () => {
  if (SKIP !== undefined) {
    console.log(`  skipped: ${SKIP}`);
    return;
  }
  if (CROSS_MISSING.length > 0) console.log(`  packed without ${CROSS_MISSING.map((t) => prebuild.prebuildPath(t)).join(', ')}: no ${CROSS_MISSING.map((t) => `${t.triple}-g++`).join(', ')} here`);
  // npm pack runs prepack (compiles host/, checks the wasm and the prebuilds).
  const packed = run('npm', ['pack', '--pack-destination', tmp.path, '--json'], root);
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
  const files = new Set(info!.files.map((f) => f.path));
  for (const f of ['dist/unixsock.wasm', 'dist/host/index.js', 'dist/host/index.d.ts', 'dist/host/cli.js', 'host/component/generated/unixsock.d.ts', ...EXPECTED_PREBUILDS, 'build/install.mjs', 'native/binding.gyp']) {
    assert.ok(files.has(f), `the tarball lacks ${f}`);
  }
  assert.equal([...files].filter((f) => f.startsWith('prebuilds/')).sort(), [...EXPECTED_PREBUILDS].sort(), 'the prebuilds in the tarball');
  for (const f of files) assert.not.match(f, /^(dist\/(test|bench)|assembly|test|bench|native\/build|scratch|\.runtimes)\//, `the tarball ships ${f}`);
  const tarball = join(tmp.path, info!.filename);
  console.log(`  tarball: ${info!.filename}, ${(info!.size / 1024).toFixed(0)} KiB packed, ${(info!.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${files.size} files (npm pack ${(packed.ms / 1000).toFixed(1)} s)`);

  // npm's defaults: the install script runs; with the prebuild loading it compiles nothing.
  const plain = project('app-default', tarball, []);
  const installed = join(plain.dir, 'node_modules', 'unixsock');
  assert.ok(existsSync(join(installed, PREBUILD)), 'the prebuild is installed');
  assert.not.ok(existsSync(join(installed, 'native', 'build')), 'the install script compiled the addon although the prebuild loads');
  // Scripts blocked: nothing but the tarball's contents.
  const blocked = project('app-no-scripts', tarball, ['--ignore-scripts']);
  console.log(`  npm install --prefer-offline: ${(plain.ms / 1000).toFixed(1)} s (default), ${(blocked.ms / 1000).toFixed(1)} s (--ignore-scripts)`);

  for (const dir of [plain.dir, blocked.dir]) {
    writeFileSync(join(dir, 'app.mjs'), APP);
    const out = run(process.execPath, ['app.mjs', dir], dir, 20000);
    const result = JSON.parse(out.stdout) as AppResult;
    assert.equal(
      { echoed: result.echoed, valid: result.valid, tooLong: result.tooLong },
      { echoed: true, valid: true, tooLong: 'path-too-long' },
    );
    assert.is(result.addon, join(dir, 'node_modules', 'unixsock', PREBUILD), 'the addon loaded is the prebuild');
    // The component and the JavaScript that ran are the repository's, byte for byte.
    assert.is(result.wasm, createHash('sha256').update(readFileSync(join(root, 'dist', 'unixsock.wasm'))).digest('hex'), 'dist/unixsock.wasm as built');
    assert.is(result.js, treeDigest(join(root, 'dist', 'host')), 'dist/host as built');
    assert.ok(result.validCount > 100 && result.validCount < 500, `valid addresses among the 512: ${result.validCount}`);
    // The bin, through npx, as the README shows it.
    const check = run('npx', ['--offline', 'unixsock', 'check', '/tmp/app.sock', '@name'], dir, 20000);
    assert.match(check.stdout, /valid\s+"\/tmp\/app\.sock"/);
    const bad = spawnSync('npx', ['--offline', 'unixsock', 'check', '/' + 'x'.repeat(200)], { cwd: dir, env: userEnv(), encoding: 'utf8', timeout: 20000 });
    assert.is(bad.status, 1, `unixsock check of a too-long path exits 1\n${bad.stdout}${bad.stderr}`);
  }
});

pack('should type-check a consumer against the shipped declarations', () => {
  if (SKIP !== undefined) {
    console.log(`  skipped: ${SKIP}`);
    return;
  }
  const dir = join(tmp.path, 'app-default');
  if (!existsSync(join(dir, 'node_modules', 'unixsock'))) throw new Error('the install test did not leave app-default');
  writeFileSync(join(dir, 'app.ts'), APP_TS);
  // The project's own compiler and @types/node (the consumer installed neither).
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const types = join(root, 'node_modules', '@types');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--typeRoots', types, '--types', 'node', 'app.ts'], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  assert.is(r.status, 0, `tsc:\n${r.stdout}${r.stderr}`);
  assert.ok(JSON.parse(readFileSync(join(dir, 'node_modules', 'unixsock', 'package.json'), 'utf8')).exports['.'].types);
});

pack('should say what it tried and what is missing when no prebuild fits and no compiler is there', () => {
  if (SKIP !== undefined || HOST_TARGET === undefined) {
    console.log(`  skipped: ${SKIP ?? 'no prebuild target for this machine'}`);
    return;
  }
  const installed = join(tmp.path, 'app-default', 'node_modules', 'unixsock');
  if (!existsSync(installed)) throw new Error('the install test did not leave app-default');
  // A copy of the installed package whose prebuild for this machine is absent
  // (as on musl or an unsupported architecture), installing with a PATH that
  // holds node alone: no C++ compiler, no make, no python3.
  const pkg = join(tmp.path, 'no-compiler', 'node_modules', 'unixsock');
  cpSync(installed, pkg, { recursive: true });
  rmSync(join(pkg, PREBUILD));
  const bin = join(tmp.path, 'no-compiler', 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const env: NodeJS.ProcessEnv = { PATH: bin, HOME: tmp.path, NO_COLOR: '1' };
  const r = spawnSync(join(bin, 'node'), [join(pkg, 'build', 'install.mjs')], { cwd: pkg, env, encoding: 'utf8', timeout: 20000 });
  assert.is(r.status, 1, `install without a fitting prebuild or a compiler exits 1\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, `no native addon loads on ${process.platform}-${process.arch} (glibc)`);
  assert.match(r.stdout, `${join(pkg, PREBUILD)}: absent`);
  assert.match(r.stdout, `${join(pkg, 'native', 'build', 'Release', 'unixsock.node')}: absent`);
  const shipped = EXPECTED_PREBUILDS.filter((f) => f !== PREBUILD).map((f) => f.split('/')[1]);
  assert.match(r.stdout, `The package has prebuilt addons for ${shipped.length > 0 ? shipped.join(', ') : 'no platform'} (prebuilds/)`);
  assert.match(r.stderr, 'cannot build from source: no C++ compiler (c++, g++, clang++), no make, no python3 here');
  assert.not.ok(existsSync(join(pkg, 'native', 'build')), 'nothing was built');
});

pack.run();
