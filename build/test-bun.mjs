// `npm run test:bun`: the smoke suite (dist/test/bun/smoke.js, from
// test/bun/smoke.ts) under the Bun pinned in package.json devDependencies,
// with a hard time limit. Ends with one plain line, and exits non-zero when
// the suite fails, runs too long, or the pinned Bun cannot be found.
//
// The binary is found as build/runtimes.mjs finds it for `npm run
// test:runtimes` (bunCandidates): node_modules/bun/bin/bun.exe after the
// package's postinstall, else the platform package's bin/bun; the one used
// must report exactly the pinned version.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { BUN_VERSION as pinned, bunCandidates, versionOf } from './runtimes.mjs';

const ROOT = new URL('../', import.meta.url);
const SUITE = new URL('dist/test/bun/smoke.js', ROOT);
// The suite bounds itself at 60 s; this limit also stops a hang in synchronous code.
const LIMIT_MS = Number(process.env.UNIXSOCK_BUN_TIMEOUT_MS ?? 90_000);

function fail(message) {
  console.log(`test:bun: FAILED: ${message}`);
  process.exit(1);
}

if (typeof pinned !== 'string' || !/^\d+\.\d+\.\d+$/.test(pinned)) fail(`package.json must pin devDependencies.bun exactly (found ${pinned})`);
if (!existsSync(SUITE)) fail(`${SUITE.pathname} is missing; run \`npm run build\``);

const found = bunCandidates().map((path) => ({ path, version: versionOf('bun', path) }));
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
