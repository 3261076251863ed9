// `npm run test:runtimes [-- <runtime>... [file pattern]]`: the suite on
// every pinned runtime (build/runtimes.mjs), one after another. Every Node
// runs the whole suite; Bun and Deno run the public-API test files
// (test/public-api.mjs). Missing runtimes are installed into .runtimes/
// first (and reused after).
//
//   npm run test:runtimes                   every runtime
//   npm run test:runtimes -- deno           one runtime (node-22, bun, ...; "node" = every Node)
//   npm run test:runtimes -- bun host/dial  one runtime, files whose path matches a regex
//
// Prints each runtime's output, then one result line per runtime, then a
// final plain line "runtimes: N passed, N failed". Exits non-zero when any
// runtime fails twice (a failed runtime runs once more and, passing then, is
// reported FLAKY; UNIXSOCK_RUNTIMES_RETRY=0 turns that off), cannot be
// installed, or runs past its time limit.
// Expects a built tree (`npm run build`, or `node build/index.mjs --ts`).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ensure, runtimes } from './runtimes.mjs';
import { publicApiPattern } from '../test/public-api.mjs';

const ROOT = new URL('../', import.meta.url);
const RUNNER = new URL('test/run.mjs', ROOT).pathname;

/** Time limit per runtime's run (test/run.mjs enforces it; this script kills a runner that outlives it by 60 s). */
const LIMIT_MS = {
  node: Number(process.env.UNIXSOCK_NODE_TIMEOUT_MS ?? 8 * 60_000),
  bun: Number(process.env.UNIXSOCK_BUN_TIMEOUT_MS ?? 5 * 60_000),
  deno: Number(process.env.UNIXSOCK_DENO_TIMEOUT_MS ?? 5 * 60_000),
};

const all = runtimes();
const selected = [];
let filter;
for (const arg of process.argv.slice(2)) {
  const matches = all.filter((r) => r.name === arg || r.kind === arg);
  if (matches.length > 0) selected.push(...matches.filter((r) => !selected.includes(r)));
  else if (filter === undefined) filter = arg;
  else {
    console.log(`runtimes: "${arg}" is neither a runtime (${all.map((r) => r.name).join(', ')}) nor the one file pattern (already "${filter}")`);
    process.exit(2);
  }
}
if (selected.length === 0) selected.push(...all);
if (filter !== undefined) {
  try {
    new RegExp(filter);
  } catch (err) {
    console.log(`runtimes: the file pattern is not a regular expression: ${err.message}`);
    process.exit(2);
  }
}
if (!existsSync(new URL('dist/test/', ROOT))) {
  console.log('runtimes: dist/test is missing; run `npm run build` first');
  process.exit(2);
}

/** The uvu pattern for a runtime: everything on Node, the public-API files elsewhere; narrowed by the filter. */
function patternFor(runtime) {
  const narrowed = filter === undefined ? '' : `(?=.*(?:${filter}))`;
  if (runtime.kind === 'node') return filter === undefined ? '' : filter;
  return `^${narrowed}${publicApiPattern().slice(1)}`;
}

/** Run test/run.mjs under one runtime; resolves with { ok, summary }. */
function run(runtime, binary) {
  return new Promise((resolve) => {
    const limit = LIMIT_MS[runtime.kind];
    const child = spawn(process.execPath, [RUNNER, patternFor(runtime), '--runtime', runtime.kind, binary], {
      cwd: ROOT.pathname,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, UNIXSOCK_TEST_TIMEOUT_MS: String(limit) },
    });
    let last = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      last = (last + chunk).slice(-4096);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), limit + 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const summary = /tests: \d+ passed, \d+ failed, \d+ skipped.*$/m.exec(last)?.[0];
      resolve({ ok: code === 0, summary: summary ?? `no result line (exit ${code ?? signal})` });
    });
  });
}

/** Retry a failed runtime once (UNIXSOCK_RUNTIMES_RETRY=0: never). */
const RETRY = process.env.UNIXSOCK_RUNTIMES_RETRY !== '0';

const results = [];
for (const runtime of selected) {
  const label = `${runtime.name} (${runtime.kind} ${runtime.version})`;
  console.log(`\n=== ${label}: ${runtime.kind === 'node' ? 'the whole suite' : 'the public-API tests'}${filter === undefined ? '' : `, files matching ${filter}`}`);
  const installing = performance.now();
  const binary = ensure(runtime, (message) => console.log(`runtimes: ${message}`));
  const installMs = performance.now() - installing;
  if (binary.error !== undefined) {
    results.push({ ok: false, line: `${label}: FAILED: ${binary.error}` });
    console.log(results.at(-1).line);
    continue;
  }
  const started = performance.now();
  let { ok, summary } = await run(runtime, binary.path);
  // One retry of a failed runtime, reported as FLAKY when it then passes: a
  // known intermittent failure (README "Runtimes") must not hide a runtime
  // that fails every time, nor fail CI on a rare one.
  let flaky = '';
  if (!ok && RETRY) {
    console.log(`runtimes: ${label} failed (${summary}); running it once more`);
    const first = summary;
    ({ ok, summary } = await run(runtime, binary.path));
    if (ok) flaky = ` (FLAKY: the first run failed: ${first})`;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const install = binary.installed ? `, installed in ${(installMs / 1000).toFixed(0)} s` : '';
  results.push({ ok, line: `${label}: ${ok ? 'passed' : 'FAILED'}: ${summary} in ${seconds} s${install}${flaky}` });
  console.log(results.at(-1).line);
}

console.log('');
for (const r of results) console.log(r.line);
const passed = results.filter((r) => r.ok).length;
console.log(`runtimes: ${passed} passed, ${results.length - passed} failed`);
process.exit(passed === results.length ? 0 : 1);
