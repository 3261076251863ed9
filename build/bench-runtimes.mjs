// `npm run bench:runtimes`: the stream cases and the fan-out case on Node 24,
// Bun and Deno, each against that runtime's own node:net (and the C
// baseline), one runtime after another in one run, so the tables sit side by
// side. The runtimes are build/runtimes.mjs's pinned binaries (installed into
// .runtimes/ when missing). Cases: 64 KiB throughput, 64 B ping-pong, accept
// rate, fan-out (bench/stream.ts, bench/fanout.ts); UNIXSOCK_BENCH_REPS
// rounds each (default 9). Bar (issue "Every JavaScript runtime"): on Bun and
// Deno each case >= 0.9x their own net.
// Arguments: runtime names to run (default node-24 bun deno).
import { spawnSync } from 'node:child_process';
import { ensure, runtimes, scriptCommand } from './runtimes.mjs';

const ROOT = new URL('../', import.meta.url);
const BENCH = new URL('dist/bench/index.js', ROOT).pathname;
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['node-24', 'bun', 'deno'];
const CASES = process.env.UNIXSOCK_BENCH_CASES ?? '64 KiB,ping,accept rate,fan-out';

let failed = 0;
for (const runtime of runtimes().filter((r) => wanted.includes(r.name))) {
  const found = ensure(runtime, (line) => console.log(`bench:runtimes: ${line}`));
  if (found.error !== undefined) {
    console.log(`\n## ${runtime.name}: not run: ${found.error}`);
    failed++;
    continue;
  }
  console.log(`\n## ${runtime.name} ${runtime.version} (unixsock vs its own node:net)`);
  const [exe, ...args] = scriptCommand(runtime.kind, found.path);
  const r = spawnSync(exe, [...args, BENCH, 'stream', 'fanout'], {
    stdio: 'inherit',
    env: { ...process.env, UNIXSOCK_BENCH_CASES: CASES },
    timeout: 20 * 60_000,
  });
  if (r.status !== 0) {
    console.log(`bench:runtimes: ${runtime.name} exited ${r.status ?? r.signal}`);
    failed++;
  }
}
process.exit(failed === 0 ? 0 : 1);
