// Stream benchmarks, node:net vs unixsock side by side in one run, two
// processes (this one is the client; bench/stream-peer.js serves):
//   throughput with 64 B, 64 KiB and 1 MiB writes (MB/s; bytes counted by the peer)
//   64-byte ping-pong (round trips/s)
//   accept rate (connections/s): 8 C connectors (bench/c/stream.c connect)
//     against each library's server, so the server is what is measured
//   connect + accept with each library's own client (8 concurrent connects;
//     here the Node client is the slower side, so this row mostly measures
//     the client; no bar)
// Bars (issue "Stream sockets"): 64 KiB throughput >= 1.1x net, ping-pong
// >= 1.0x net, accept rate >= 1.2x net. Each case runs one warm-up and then
// UNIXSOCK_BENCH_REPS (default 9) times per library, alternating; medians are
// reported, and the ratio is that of the medians. "per-rep IQR" is the
// interquartile range of the ratios of repetitions run back to back: how far
// the machine's noise moves the ratio. The C column is bench/c/stream.c, the
// kernel's limit.
// UNIXSOCK_BENCH_CASES=ping,accept runs only the cases whose names contain
// one of the comma-separated words.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as net from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { connect } from '../host/index.js';
import { makeTempDir } from '../test/_helpers/tmpdir.js';
import { scriptArgv } from '../test/_helpers/runtime.js';
import { alternate, cMedian, compileC, median, pairedSpread, selected, spreadText } from './harness.js';

type Lib = 'net' | 'unixsock';
type Sock = net.Socket | Awaited<ReturnType<typeof connect>>;

const PEER = fileURLToPath(new URL('./stream-peer.js', import.meta.url));
const LIBS: Lib[] = ['net', 'unixsock'];
/** bench/c/stream.c, compiled by run(); undefined without a C compiler. */
let cExe: string | undefined;

async function startPeer(lib: Lib, mode: string, path: string): Promise<ChildProcess> {
  const [exe, ...args] = scriptArgv(PEER, lib, mode, path);
  const child = spawn(exe!, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  await once(child.stdout!, 'data');
  return child;
}

async function stopPeer(child: ChildProcess): Promise<void> {
  child.stdin!.end();
  await once(child, 'exit');
}

async function dial(lib: Lib, path: string): Promise<Sock> {
  if (lib === 'unixsock') return connect(path, { allowHalfOpen: true });
  const s = net.createConnection({ path, allowHalfOpen: true });
  await once(s, 'connect');
  return s;
}

/** MB/s moving `total` bytes in writes of `size`. */
async function throughput(lib: Lib, path: string, size: number, total: number): Promise<number> {
  const s = await dial(lib, path);
  const chunk = Buffer.alloc(size, 0x61);
  let reply = '';
  s.setEncoding('utf8');
  s.on('data', (d: string) => { reply += d; });
  const done = once(s, 'end');
  const start = performance.now();
  for (let sent = 0; sent < total; sent += size) {
    if (!s.write(chunk)) await once(s, 'drain');
  }
  s.end();
  await done;
  const seconds = (performance.now() - start) / 1000;
  if (Number(reply) !== total) throw new Error(`${lib}: peer counted ${reply} of ${total} bytes`);
  s.destroy();
  return total / 1e6 / seconds;
}

/** Round trips per second of 64-byte messages for `ms`. */
async function pingPong(lib: Lib, path: string, ms: number): Promise<number> {
  const s = await dial(lib, path);
  const msg = Buffer.alloc(64, 0x62);
  let trips = 0;
  let pending = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    s.on('data', (d: Buffer) => {
      pending -= d.length;
      if (pending > 0) return;
      trips++;
      if (performance.now() - start >= ms) return resolve();
      pending = 64;
      s.write(msg);
    });
    pending = 64;
    s.write(msg);
  });
  const rate = trips / ((performance.now() - start) / 1000);
  s.destroy();
  return rate;
}

/** Connections per second: `count` connects, 8 at a time, each closed by the server. */
async function acceptRate(lib: Lib, path: string, count: number): Promise<number> {
  let left = count;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (left-- > 0) {
      const s = await dial(lib, path);
      s.resume();
      // Half-open sockets: the server's close shows up as 'end'.
      await once(s, 'end');
      s.destroy();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return count / ((performance.now() - start) / 1000);
}

/** Connections per second that 8 C connectors (bench/c/stream.c connect) get from the server on `path`. */
function cConnectors(path: string, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(cExe!, ['connect', path, String(count)], { encoding: 'utf8', timeout: 60_000 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(Number(stdout.trim()));
    });
  });
}

interface Case {
  name: string;
  mode: 'sink' | 'echo' | 'accept';
  unit: string;
  bar?: number;
  run: (lib: Lib, path: string) => Promise<number>;
  /** Arguments of the C baseline (bench/c/stream.c) after the path. */
  c: [string, ...string[]];
  /** The case drives the servers with the C program: skipped without a C compiler. */
  needsC?: boolean;
}

const CASES: Case[] = [
  { name: 'throughput, 64 B writes', mode: 'sink', unit: 'MB/s', run: (l, p) => throughput(l, p, 64, 8 << 20), c: ['throughput', '64', String(8 << 20)] },
  { name: 'throughput, 64 KiB writes', mode: 'sink', unit: 'MB/s', bar: 1.1, run: (l, p) => throughput(l, p, 64 << 10, 256 << 20), c: ['throughput', String(64 << 10), String(256 << 20)] },
  { name: 'throughput, 1 MiB writes', mode: 'sink', unit: 'MB/s', run: (l, p) => throughput(l, p, 1 << 20, 256 << 20), c: ['throughput', String(1 << 20), String(256 << 20)] },
  { name: 'ping-pong, 64 B', mode: 'echo', unit: 'trips/s', bar: 1.0, run: (l, p) => pingPong(l, p, 500), c: ['pingpong', '500'] },
  { name: 'accept rate', mode: 'accept', unit: 'conn/s', bar: 1.2, needsC: true, run: (_l, p) => cConnectors(p, 6000), c: ['accept', '6000'] },
  { name: 'connect + accept, own client', mode: 'accept', unit: 'conn/s', run: (l, p) => acceptRate(l, p, 3000), c: ['accept', '3000'] },
];

export async function run(): Promise<void> {
  const tmp = makeTempDir('us-bs-');
  try {
    cExe = compileC('stream', tmp.path);
    console.log(`  ${'case'.padEnd(28)} ${'C'.padStart(12)} ${'net'.padStart(12)} ${'unixsock'.padStart(12)}  ratio  per-rep IQR  bar`);
    let i = 0;
    for (const c of CASES) {
      if (!selected(c.name)) continue;
      if (c.needsC === true && cExe === undefined) {
        console.log(`  ${c.name.padEnd(28)} n/a: needs a C compiler (cc) for its load generator`);
        continue;
      }
      // One peer per library for the whole case, warmed up by one unmeasured
      // run each: a fresh process per run would mostly measure the JIT.
      const paths = { net: join(tmp.path, `b${i++}.sock`), unixsock: join(tmp.path, `b${i++}.sock`) };
      const peers = { net: await startPeer('net', c.mode, paths.net), unixsock: await startPeer('unixsock', c.mode, paths.unixsock) };
      let results: Record<Lib, number[]>;
      try {
        for (const lib of LIBS) await c.run(lib, paths[lib]);
        results = await alternate(LIBS, (lib) => c.run(lib, paths[lib]));
      } finally {
        await Promise.all(LIBS.map((lib) => stopPeer(peers[lib])));
      }
      const cBaseline = cMedian(cExe, [c.c[0], join(tmp.path, `c${i++}.sock`), ...c.c.slice(1)], 60_000);
      const n = median(results.net);
      const u = median(results.unixsock);
      const ratio = u / n;
      const spread = spreadText(pairedSpread(results.unixsock, results.net));
      const bar = c.bar === undefined ? '' : `${ratio >= c.bar ? 'meets' : 'MISSES'} >= ${c.bar}x`;
      const fmt = (x: number | undefined): string => (x === undefined ? 'n/a' : x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
      console.log(`  ${c.name.padEnd(28)} ${fmt(cBaseline).padStart(12)} ${fmt(n).padStart(12)} ${fmt(u).padStart(12)}  ${ratio.toFixed(2)}x  ${spread.padEnd(11)}  ${bar}  (${c.unit})`);
    }
  } finally {
    tmp.remove();
  }
}
