// `npm run test:bun`: the smoke suite (dist/test/bun/smoke.js, from
// test/bun/smoke.ts) under the Bun pinned in package.json devDependencies,
// with a hard time limit. Ends with one plain line, and exits non-zero when
// the suite fails, runs too long, or the pinned Bun cannot be found.
//
// Finding the binary from `npm install` alone: the `bun` package's
// postinstall moves its platform package's binary into
// node_modules/bun/bin/bun.exe. Until then that file is a 450-byte
// placeholder script. npm 11 warns about install scripts that `allowScripts`
// does not cover; 11.19 still runs them, but a stricter npm, or
// `--ignore-scripts`, would leave the placeholder. So the platform package
// (optional dependency `@oven/bun-<os>-<arch>[-musl]`, which holds the real
// binary in bin/bun when the postinstall did not run) is tried as well, and
// the one used must report exactly the pinned version.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const ROOT = new URL('../', import.meta.url);
const SUITE = new URL('dist/test/bun/smoke.js', ROOT);
// The suite bounds itself at 60 s; this limit also stops a hang in synchronous code.
const LIMIT_MS = Number(process.env.UNIXSOCK_BUN_TIMEOUT_MS ?? 90_000);

const pinned = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')).devDependencies?.bun;

function fail(message) {
  console.log(`test:bun: FAILED: ${message}`);
  process.exit(1);
}

/** The binary's `--version`, or undefined when it does not run. */
function versionOf(path) {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Candidate binaries, most likely first: the package's bin (after its postinstall), then the platform packages. */
function candidates() {
  const out = [new URL('node_modules/bun/bin/bun.exe', ROOT)];
  const os = { linux: 'linux', darwin: 'darwin', freebsd: 'freebsd', android: 'linux' }[process.platform];
  const arch = { x64: 'x64', arm64: 'aarch64' }[process.arch];
  const scope = new URL('node_modules/@oven/', ROOT);
  if (os && arch && existsSync(scope)) {
    for (const name of readdirSync(scope).sort()) {
      if (name === `bun-${os}-${arch}` || name.startsWith(`bun-${os}-${arch}-`)) out.push(new URL(`${name}/bin/bun`, scope));
    }
  }
  // A real binary is tens of MB; the placeholder script is a few hundred bytes.
  return out.filter((u) => existsSync(u) && statSync(u).size > 1 << 20).map((u) => u.pathname);
}

if (typeof pinned !== 'string' || !/^\d+\.\d+\.\d+$/.test(pinned)) fail(`package.json must pin devDependencies.bun exactly (found ${pinned})`);
if (!existsSync(SUITE)) fail(`${SUITE.pathname} is missing; run \`npm run build\``);

const found = candidates().map((path) => ({ path, version: versionOf(path) }));
const bun = found.find((c) => c.version === pinned);
if (bun === undefined) {
  const seen = found.length === 0 ? 'no Bun binary under node_modules' : found.map((c) => `${c.path} (${c.version ?? 'does not run'})`).join(', ');
  fail(`bun ${pinned} not found: ${seen}; run \`npm install\``);
}

const started = performance.now();
const child = spawn(bun.path, [SUITE.pathname], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NO_COLOR: '1' } });
const timer = setTimeout(() => {
  console.log(`test:bun: still running after ${LIMIT_MS / 1000} s; stopping it`);
  child.kill('SIGKILL');
}, LIMIT_MS);
child.on('close', (code, signal) => {
  clearTimeout(timer);
  const ms = (performance.now() - started).toFixed(0);
  const where = bun.path.replace(ROOT.pathname, '');
  if (code === 0) {
    console.log(`test:bun: passed under bun ${bun.version} (${where}) in ${ms} ms`);
    process.exit(0);
  }
  console.log(`test:bun: FAILED under bun ${bun.version} (${where}): exit ${code ?? signal} after ${ms} ms`);
  process.exit(1);
});
