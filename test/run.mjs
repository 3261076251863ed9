// `npm test`: runs the uvu suites in dist/test and closes with one plain
// line, "tests: N passed, N failed, N skipped". Also fails when uvu's counts
// don't add up: uvu swallows a failure whose error it cannot format
// (a thrown non-Error), counting the test as neither passed nor failed.
//
//   node test/run.mjs [file pattern] [--runtime <node|bun|deno> <binary>]
//
// The suites run under this Node, or under the given runtime's binary (uvu's
// bin.js as the script; Deno with `run -A`); `npm run test:runtimes` uses that.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { scriptCommand } from '../build/runtimes.mjs';

// uvu's package exports hide bin.js and package.json; find it beside the main entry.
const require = createRequire(import.meta.url);
const uvu = join(dirname(require.resolve('uvu')), '..', 'bin.js');
const dir = new URL('../dist/test', import.meta.url).pathname;
const args = process.argv.slice(2);
const at = args.indexOf('--runtime');
const [kind, binary] = at < 0 ? ['node', process.execPath] : args.splice(at, 3).slice(1);
if (!['node', 'bun', 'deno'].includes(kind) || !binary) {
  console.error(`tests: --runtime wants a kind (node, bun or deno) and a binary, not ${kind} ${binary}`);
  process.exit(2);
}
// Only test files: a pattern like 'host/address' would also match its .d.ts.
const pattern = `^(?=.*(?:${args[0] ?? ''})).*\\.test\\.js$`;

// Every suite must stop by itself; a run past this limit is a failure, not a wait.
const LIMIT_MS = Number(process.env.UNIXSOCK_TEST_TIMEOUT_MS ?? 8 * 60 * 1000);

const [command, ...prefix] = scriptCommand(kind, binary);
const child = spawn(command, [...prefix, uvu, dir, pattern], { stdio: ['ignore', 'pipe', 'inherit'] });
const timer = setTimeout(() => {
  console.error(`tests: still running after ${LIMIT_MS / 1000} s; stopping them`);
  child.kill('SIGKILL');
}, LIMIT_MS);
child.on('error', (err) => {
  clearTimeout(timer);
  console.log(`tests: 0 passed, 1 failed, 0 skipped (${command} did not start: ${err.message})`);
  process.exit(1);
});
// After uvu's summary the process must exit by itself: an open handle that
// keeps the event loop alive is a failure, reported at once instead of at LIMIT_MS.
const EXIT_MS = 10_000;
let lingering;
let output = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  output += chunk;
  if (lingering === undefined && /Duration:/.test(output)) {
    lingering = setTimeout(() => {
      lingering = 'killed';
      child.kill('SIGKILL');
    }, EXIT_MS);
  }
});
child.on('close', (code, signal) => {
  clearTimeout(timer);
  if (typeof lingering === 'object') clearTimeout(lingering);
  const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
  const count = (label) => Number(plain.match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? 0);
  const [total, passed, skipped] = [count('Total'), count('Passed'), count('Skipped')];
  const failed = Math.max(total - passed, code === 0 ? 0 : 1);
  const why = lingering === 'killed'
    ? ` (still running ${EXIT_MS / 1000} s after the summary: something kept the event loop alive)`
    : total === 0 && code !== 0 ? ` (the runner ended, ${code ?? signal}, before uvu's summary)` : '';
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped${why}`);
  process.exit(code === 0 && failed === 0 && total > 0 ? 0 : 1);
});
