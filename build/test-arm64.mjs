// `npm run test:arm64`: the packed package on Node for arm64 under qemu-aarch64
// (build/arm64-node.mjs), against its linux-arm64-glibc prebuild, bounded in time.
//
//   1. npm pack (prepack requires every prebuild), then `npm install <tarball>
//      uvu@<pinned>` into a fresh project with scripts off, and the package's
//      install script run by the emulated Node: the prebuild must load, so it
//      builds nothing.
//   2. The packaging test's consumer app (test/packaging/app.ts: echo over a
//      socket file, address verdicts) under the emulated Node and under this
//      machine's Node in the same project: each loads its own prebuild, and the
//      component, the JavaScript and the component's answers for 512 addresses
//      are the same bytes on both (digests compared).
//   3. The installed bin's `check` under the emulated Node.
//   4. The public-API test files (PUBLIC_API) compiled from test/, run by uvu
//      under the emulated Node against the installed package: the project's
//      dist/host is a link to node_modules/unixsock/dist/host. A test that
//      starts a Node child starts it through the emulator (UNIXSOCK_EMULATOR,
//      test/_helpers/node.ts). Left out: the CLI suites (one emulated Node
//      start, about 4 s, per command), systemd and adopt (children started by
//      other programs), and the component's jco and kernel-oracle suites
//      (devDependencies; the address answers are compared in step 2).
//
// Skips (exit 0, one line saying why) when qemu-aarch64 or the arm64 runtimes
// are absent, or the arm64 prebuild is absent for want of the cross compiler.
// Ends with "arm64: N passed, N failed, N skipped".
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { arm64Node } from './arm64-node.mjs';
import { prebuildPath, TARGETS } from './prebuild.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The public-API test files run under emulation (test/host/<name>.test.ts). */
const PUBLIC_API = ['address', 'dial', 'streams', 'stream-descriptors', 'messages', 'message-batch', 'raw-socket', 'http', 'interop'];
/** The whole run's limit; the emulated suite takes about 2 minutes on this 2-core VM. */
const LIMIT_MS = Number(process.env.UNIXSOCK_ARM64_TIMEOUT_MS ?? 10 * 60 * 1000);
const ARM64 = TARGETS.find((t) => t.arch === 'arm64' && t.libc === 'glibc');

const started = performance.now();
const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
const log = (line) => console.log(`test:arm64: ${line}`);

let child;
function fail(message) {
  child?.kill('SIGKILL');
  log(`FAILED after ${seconds()} s: ${message}`);
  console.log('arm64: 0 passed, 1 failed, 0 skipped');
  process.exit(1);
}

// The environment of a user's shell: none of the npm_* variables `npm run` sets, but its cache.
const env = { NO_COLOR: '1' };
for (const [k, v] of Object.entries(process.env)) if ((!/^npm_/i.test(k) || k === 'npm_config_cache') && k !== 'FORCE_COLOR') env[k] = v;

/** `cmd args` in `cwd`, bounded; its stdout, or fail() with its output. */
function run(cmd, args, cwd, timeout = 120_000, extraEnv = {}) {
  const r = spawnSync(cmd, args, { cwd, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
  if (r.status !== 0) fail(`${[cmd, ...args].join(' ')} exited ${r.status ?? r.signal ?? r.error?.message}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

if (!existsSync(join(root, prebuildPath(ARM64)))) {
  if (spawnSync(`${ARM64.triple}-g++`, ['--version'], { stdio: 'ignore' }).status === 0) fail(`${prebuildPath(ARM64)} is missing; run npm run prebuilds`);
  log(`skipped: no ${prebuildPath(ARM64)} (no ${ARM64.triple}-g++ to build it: Debian's ${ARM64.debian})`);
  process.exit(0);
}
const node = (() => {
  try {
    return arm64Node();
  } catch (err) {
    return fail(err.message);
  }
})();
if (node.skip !== undefined) {
  log(`skipped: ${node.skip}`);
  process.exit(0);
}
const emulated = node.argv;
log(`${emulated.join(' ')} (ready after ${seconds()} s)`);
for (const f of PUBLIC_API.map((n) => join('dist', 'test', 'host', `${n}.test.js`))) {
  if (!existsSync(join(root, f))) fail(`${f} is missing; run npm run build`);
}

const tmp = mkdtempSync(join(tmpdir(), 'us-arm64-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const overall = setTimeout(() => fail(`still running after ${LIMIT_MS / 1000} s`), LIMIT_MS);

// 1. Pack, install, and the install script under emulation.
const packOut = run('npm', ['pack', '--pack-destination', tmp, '--json'], root);
const packed = JSON.parse(packOut.slice(packOut.indexOf('[')));
const tarball = join(tmp, packed[0].filename);
const project = join(tmp, 'app');
mkdirSync(project);
const uvu = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies.uvu;
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
run('npm', ['install', tarball, `uvu@${uvu}`, '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], project);
const pkg = join(project, 'node_modules', 'unixsock');
const install = run(emulated[0], [...emulated.slice(1), join(pkg, 'build', 'install.mjs')], pkg);
if (!/prebuilt addon for linux-arm64 loads; nothing to build/.test(install) || existsSync(join(pkg, 'native', 'build'))) fail(`the install script under emulation: ${install}`);
log(`packed ${packed[0].filename} (${(packed[0].size / 1024).toFixed(0)} KiB), installed, install script: nothing to build (${seconds()} s)`);

// 2. The consumer app on both architectures.
const { APP } = await import(new URL('dist/test/packaging/app.js', `file://${root}`).href);
writeFileSync(join(project, 'app.mjs'), APP);
const results = {};
for (const [arch, argv] of [['arm64', emulated], ['x64', [process.execPath]]]) {
  results[arch] = JSON.parse(run(argv[0], [...argv.slice(1), 'app.mjs', project], project, 120_000));
}
const { arm64, x64 } = results;
if (!arm64.echoed || !arm64.valid || arm64.tooLong !== 'path-too-long') fail(`the app under emulation: ${JSON.stringify(arm64)}`);
if (arm64.addon !== join(pkg, prebuildPath(ARM64))) fail(`the app under emulation loaded ${arm64.addon}, not the arm64 prebuild`);
if (x64.addon === arm64.addon) fail('both architectures loaded the same addon');
for (const key of ['wasm', 'js', 'verdicts', 'validCount', 'echoed', 'valid', 'tooLong']) {
  if (arm64[key] !== x64[key]) fail(`${key} differs: arm64 ${arm64[key]}, x64 ${x64[key]}`);
}
log(`app: echo, verdicts; component sha256 ${arm64.wasm.slice(0, 16)}…, JS ${arm64.js.slice(0, 16)}…, answers ${arm64.verdicts.slice(0, 16)}… (${arm64.validCount} of 512 valid): identical on arm64 and x64 (${seconds()} s)`);

// 3. The bin.
const cli = join(pkg, 'dist', 'host', 'cli.js');
if (!/valid\s+"\/tmp\/app\.sock"/.test(run(emulated[0], [...emulated.slice(1), cli, 'check', '/tmp/app.sock', '@name'], project))) fail('unixsock check under emulation');
const bad = spawnSync(emulated[0], [...emulated.slice(1), cli, 'check', '/' + 'x'.repeat(200)], { cwd: project, env, encoding: 'utf8', timeout: 60_000 });
if (bad.status !== 1) fail(`unixsock check of a too-long path exited ${bad.status}: ${bad.stdout}${bad.stderr}`);
log(`bin: unixsock check (${seconds()} s)`);

// 4. The public-API tests against the installed package.
const tests = join(project, 'dist', 'test');
mkdirSync(join(tests, 'host'), { recursive: true });
mkdirSync(join(tests, 'native'));
for (const n of PUBLIC_API) cpSync(join(root, 'dist', 'test', 'host', `${n}.test.js`), join(tests, 'host', `${n}.test.js`));
cpSync(join(root, 'dist', 'test', '_helpers'), join(tests, '_helpers'), { recursive: true });
cpSync(join(root, 'dist', 'test', 'native', '_support.js'), join(tests, 'native', '_support.js'));
symlinkSync(join('..', 'node_modules', 'unixsock', 'dist', 'host'), join(project, 'dist', 'host'), 'dir');
const suiteStarted = performance.now();
child = spawn(emulated[0], [...emulated.slice(1), join(project, 'node_modules', 'uvu', 'bin.js'), tests, `^host/(${PUBLIC_API.join('|')})\\.test\\.js$`], {
  cwd: project,
  env: { ...env, UNIXSOCK_EMULATOR: emulated.slice(0, -1).join(' ') },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let output = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  output += chunk;
});
child.on('close', (code, signal) => {
  clearTimeout(overall);
  const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
  const count = (label) => Number(plain.match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? 0);
  const [total, passed, skipped] = [count('Total'), count('Passed'), count('Skipped')];
  const failed = Math.max(total - passed, code === 0 ? 0 : 1);
  log(`public API (${PUBLIC_API.join(', ')}): ${passed} of ${total} passed under emulation in ${((performance.now() - suiteStarted) / 1000).toFixed(1)} s; whole run ${seconds()} s${signal ? ` (${signal})` : ''}`);
  console.log(`arm64: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code === 0 && failed === 0 && total > 0 ? 0 : 1);
});
