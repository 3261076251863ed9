// Plugin overhead: 4 KiB echo round trips through a C guest
// (dist/plugins/echo.wasm: guest -> linker -> its own engine -> syscalls)
// against the same exchange done directly in Node with unixsock's stream
// API. Both talk to one echo peer in another process (bench/stream-peer.js
// over node:net): the guest blocks in `wait`, so the peer cannot share this
// event loop. Reports µs per round trip and the ratio plugin / direct
// (target <= 3x). Each case runs one warm-up and then UNIXSOCK_BENCH_REPS
// (default 9) times, alternating; medians are reported.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { connect } from '../host/index.js';
import { loadPlugin } from '../host/sandbox/linker.js';
import { makeTempDir } from '../test/_helpers/tmpdir.js';
import { alternate, median, REPS } from './harness.js';

const PEER = fileURLToPath(new URL('./stream-peer.js', import.meta.url));
const ECHO = new URL('../plugins/echo.wasm', import.meta.url);
const SIZE = 4096;
const TRIPS = 2000;

async function startPeer(path: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [PEER, 'net', 'echo', path], { stdio: ['pipe', 'pipe', 'inherit'] });
  await once(child.stdout!, 'data');
  return child;
}

/** µs per round trip of `trips` SIZE-byte messages with unixsock streams in Node. */
async function direct(path: string, trips: number): Promise<number> {
  const s = await connect(path);
  const msg = Buffer.alloc(SIZE, 0x61);
  let done = 0;
  let pending = SIZE;
  const start = performance.now();
  await new Promise<void>((resolve, reject) => {
    s.on('error', reject);
    s.on('data', (d: Buffer) => {
      pending -= d.length;
      if (pending > 0) return;
      if (++done === trips) return resolve();
      pending = SIZE;
      s.write(msg);
    });
    s.write(msg);
  });
  const us = ((performance.now() - start) * 1000) / trips;
  s.destroy();
  return us;
}

/** µs per round trip through the echo plugin (its connect included, amortized). */
function viaPlugin(plugin: ReturnType<typeof loadPlugin>, path: string, trips: number): number {
  const start = performance.now();
  const out = plugin.run([path, String(trips), String(SIZE)]);
  const us = ((performance.now() - start) * 1000) / trips;
  if (out !== `ok ${trips}`) throw new Error(`echo plugin: ${out}`);
  return us;
}

export async function run(): Promise<void> {
  const tmp = makeTempDir('us-bp-');
  const path = join(tmp.path, 'echo.sock');
  let peer: Awaited<ReturnType<typeof startPeer>> | undefined;
  let plugin: ReturnType<typeof loadPlugin> | undefined;
  try {
    peer = await startPeer(path);
    plugin = loadPlugin(readFileSync(ECHO), { policy: { rules: [{ allow: ['connect'], path: tmp.path }] } });
    const loaded = plugin;
    await direct(path, TRIPS);
    viaPlugin(loaded, path, TRIPS);
    const results = await alternate(['direct', 'plugin'] as const, (way) => (way === 'direct' ? direct(path, TRIPS) : viaPlugin(loaded, path, TRIPS)));
    const d = median(results.direct);
    const p = median(results.plugin);
    const ratio = p / d;
    console.log(`  ${'case'.padEnd(40)} ${'µs/trip'.padStart(10)}`);
    console.log(`  ${'direct: unixsock stream in Node'.padEnd(40)} ${d.toFixed(1).padStart(10)}`);
    console.log(`  ${'plugin: C guest -> engine -> host'.padEnd(40)} ${p.toFixed(1).padStart(10)}`);
    console.log(`  ratio plugin/direct ${ratio.toFixed(2)}x  ${ratio <= 3 ? 'meets' : 'MISSES'} <= 3x  (${SIZE} B echo, ${TRIPS} trips, median of ${REPS})`);
  } finally {
    plugin?.close();
    if (peer !== undefined) {
      peer.stdin!.end();
      await once(peer, 'exit');
    }
    tmp.remove();
  }
}
