// Message-socket benchmarks, unixsock vs the npm package that does the same
// job, side by side in one run, two processes (this one sends; the peer
// process, bench/message-peer.js, receives and counts):
//   SEQPACKET 64 B records/s            vs node-unix-socket   bar >= 2.5x
//   connected DGRAM 64 B datagrams/s    vs unix-dgram         bar >= 1.5x
//   SCM_RIGHTS descriptors/s            vs usocket            bar >= 1.5x
//   DGRAM 64 B ping-pong round trips/s  vs unix-dgram         bar >= 1.0x
// (issue "Message sockets"). usocket passes descriptors over stream sockets
// only, so the descriptor case is stream vs stream, one descriptor and one
// byte per send; an extra row without a bar shows unixsock over SEQPACKET.
// Every rate case checks that every message arrived: the peer counts them
// (and their sizes) and replies with the count. A loss by unixsock fails the
// benchmark; a loss by the other library is reported under its row (usocket
// 1.1.0 drops a write's descriptors when sendmsg meets EAGAIN and it retries
// the bytes alone). Each side uses its library's own back-pressure: write()
// and 'drain' for unixsock (await send() for descriptors: write() would
// duplicate each one it queues), 'writable' after congestion for unix-dgram, 'drain'
// for usocket (writableNeedDrain: its write() returns undefined);
// node-unix-socket has none (it queues every write), so it writes everything
// and waits for the reply.
//
// The other packages come from bench/package.json (`npm run bench:peers`);
// a package that is not installed or does not load shows n/a. Each case runs
// one warm-up and then UNIXSOCK_BENCH_REPS (default 9) times per library,
// alternating; medians are reported, and the ratio is that of the medians.
// "per-rep IQR" is the interquartile range of the ratios of repetitions run
// back to back: how far the machine's noise moves the ratio. The C column is
// bench/c/message.c, the kernel's limit. Sizes: UNIXSOCK_BENCH_MESSAGES (default 100000),
// UNIXSOCK_BENCH_FDS (20000), UNIXSOCK_BENCH_PINGPONG_MS (500); a run that
// takes longer than UNIXSOCK_BENCH_TIMEOUT_MS (60000) fails the benchmark.
// UNIXSOCK_BENCH_CASES=ping,SCM runs only the cases whose names contain one
// of the comma-separated words.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { connect, connectSeqpacket, createDatagramSocket, type DatagramSocket, type SeqpacketSocket } from '../host/index.js';
import { makeTempDir } from '../test/_helpers/tmpdir.js';
import { alternate, cMedian, compileC, median, pairedSpread, REPS, selected, spreadText } from './harness.js';
import { loadPeer, type PeerName, pinUsocket, requirePeer, type UnixDgramSocket } from './message-peer-libs.js';
import { END, type Lib, MESSAGE_SIZE, type Mode } from './message-peer-protocol.js';

const PEER = fileURLToPath(new URL('./message-peer.js', import.meta.url));
const MESSAGES = Number(process.env.UNIXSOCK_BENCH_MESSAGES ?? 100_000);
const FDS = Number(process.env.UNIXSOCK_BENCH_FDS ?? 20_000);
const PINGPONG_MS = Number(process.env.UNIXSOCK_BENCH_PINGPONG_MS ?? 500);
const TIMEOUT_MS = Number(process.env.UNIXSOCK_BENCH_TIMEOUT_MS ?? 60_000);

const MSG = Buffer.alloc(MESSAGE_SIZE, 0x61);
const END_MSG = Buffer.from(END);
const ONE_BYTE = Buffer.from('f');

/** What a run needs: the peer's path and a fresh path for a client that binds. */
interface Run {
  path: string;
  clientPath: string;
}

interface Case {
  name: string;
  unit: string;
  /** The issue's bar for unixsock / other; none for an informational row. */
  bar?: number;
  peer: PeerName;
  mode: Mode;
  /** The rate of one run over unixsock. */
  unixsock: (r: Run) => Promise<Outcome>;
  /** The rate of one run over the other library (`peer`). */
  other: (r: Run) => Promise<Outcome>;
  /** Arguments of the C baseline (bench/c/message.c) after the path. */
  c: [string, string];
}

/** One run: its rate, and how many of its messages the peer did not count. */
interface Outcome {
  rate: number;
  missing: number;
}

/** The outcome of a rate run that started at `start` and sent `count` messages, from the peer's reply. */
function outcome(reply: string, count: number, start: number, what: string): Outcome {
  const rate = count / ((performance.now() - start) / 1000);
  const counted = /^\d+$/.test(reply) ? Number(reply) : Number.NaN;
  if (!(counted <= count)) throw new Error(`${what}: the peer replied "${reply}" for ${count} messages`);
  return { rate, missing: count - counted };
}

/** The first message on a unixsock socket, as text. */
function firstMessage(s: SeqpacketSocket | DatagramSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    s.once('message', (data: Buffer) => resolve(data.toString()));
    s.once('error', reject);
  });
}

// --- SEQPACKET records/s -----------------------------------------------------

async function seqpacketUnixsock({ path }: Run): Promise<Outcome> {
  const s = await connectSeqpacket(path);
  try {
    const reply = firstMessage(s);
    const start = performance.now();
    for (let i = 0; i < MESSAGES; i++) if (!s.write(MSG)) await once(s, 'drain');
    s.end();
    const text = await reply;
    return outcome(text, MESSAGES, start, 'unixsock SEQPACKET');
  } finally {
    s.close();
  }
}

async function seqpacketNus({ path }: Run): Promise<Outcome> {
  const s = new (requirePeer('node-unix-socket').SeqpacketSocket)();
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.connect(path, resolve);
    });
    const reply = new Promise<string>((resolve) => s.once('data', (d: Buffer) => resolve(d.toString())));
    const start = performance.now();
    for (let i = 0; i < MESSAGES; i++) s.write(MSG);
    s.end();
    const text = await reply;
    return outcome(text, MESSAGES, start, 'node-unix-socket SEQPACKET');
  } finally {
    s.destroy();
  }
}

// --- connected DGRAM datagrams/s ---------------------------------------------

async function dgramUnixsock({ path, clientPath }: Run): Promise<Outcome> {
  const s = createDatagramSocket({ bind: clientPath, connect: path });
  try {
    const reply = firstMessage(s);
    const start = performance.now();
    for (let i = 0; i < MESSAGES; i++) if (!s.write(MSG)) await once(s, 'drain');
    await s.send(END_MSG);
    const text = await reply;
    return outcome(text, MESSAGES, start, 'unixsock DGRAM');
  } finally {
    await s.close();
  }
}

/** A unix-dgram socket bound to `clientPath`, connected to `path`. */
function udgClient({ path, clientPath }: Run): UnixDgramSocket {
  const s = requirePeer('unix-dgram').createSocket('unix_dgram');
  // unix-dgram reports bind/connect failures as synchronous 'error' events.
  let failure: Error | undefined;
  s.on('error', (err: Error) => { failure ??= err; });
  s.bind(clientPath);
  s.connect(path);
  if (failure !== undefined) {
    s.close();
    throw failure;
  }
  return s;
}

/** Sends `count` datagrams of MSG and then END over a connected unix-dgram socket, waiting for 'writable' on congestion. */
function udgSendAll(s: UnixDgramSocket, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let i = 0;
    const pump = (): void => {
      while (i <= count) {
        let congested = false;
        let failure: Error | undefined;
        s.send(i < count ? MSG : END_MSG, (err) => {
          if (err === undefined) return;
          if (err.code === 1) congested = true;
          else failure = err;
        });
        if (failure !== undefined) return reject(failure);
        if (congested) {
          s.once('writable', pump);
          return;
        }
        i++;
      }
      resolve();
    };
    pump();
  });
}

async function dgramUdg(run: Run): Promise<Outcome> {
  const s = udgClient(run);
  try {
    const reply = new Promise<string>((resolve) => s.once('message', (d: Buffer) => resolve(d.toString())));
    const start = performance.now();
    await udgSendAll(s, MESSAGES);
    const text = await reply;
    return outcome(text, MESSAGES, start, 'unix-dgram DGRAM');
  } finally {
    s.close();
    rmSync(run.clientPath, { force: true });
  }
}

// --- SCM_RIGHTS descriptors/s ------------------------------------------------

async function fdsUnixsock({ path }: Run): Promise<Outcome> {
  const fd = openSync('/dev/null', 'r');
  const s = await connect(path, { allowHalfOpen: true });
  try {
    let reply = '';
    s.on('data', (d: Buffer) => { reply += d.toString(); });
    const ended = new Promise((resolve, reject) => s.once('end', resolve).once('error', reject));
    const fds = [fd];
    const start = performance.now();
    // Not write-style back-pressure: each queued send holds a duplicate of its
    // descriptors, and the stream's 16 KiB highWaterMark admits thousands of
    // 1-byte sends (EMFILE). Awaiting each send was as fast as any window.
    for (let i = 0; i < FDS; i++) await s.send(ONE_BYTE, { fds });
    s.end();
    await ended;
    return outcome(reply, FDS, start, 'unixsock SCM_RIGHTS');
  } finally {
    s.destroy();
    closeSync(fd);
  }
}

async function fdsSeqpacketUnixsock({ path }: Run): Promise<Outcome> {
  const fd = openSync('/dev/null', 'r');
  const s = await connectSeqpacket(path);
  try {
    const reply = firstMessage(s);
    const fds = [fd];
    const start = performance.now();
    for (let i = 0; i < FDS; i++) await s.send(ONE_BYTE, { fds });
    s.end();
    const text = await reply;
    return outcome(text, FDS, start, 'unixsock SCM_RIGHTS over SEQPACKET');
  } finally {
    s.close();
    closeSync(fd);
  }
}

async function fdsUsocket({ path }: Run): Promise<Outcome> {
  const fd = openSync('/dev/null', 'r');
  const s = new (requirePeer('usocket').USocket)();
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.connect(path, resolve);
    });
    pinUsocket(s);
    let reply = '';
    s.on('data', (d: Buffer) => { reply += d.toString(); });
    const ended = once(s, 'end');
    const fds = [fd];
    const start = performance.now();
    for (let i = 0; i < FDS - 1; i++) {
      // usocket's write() returns undefined: the stream's own flag tells when to wait.
      s.write({ data: ONE_BYTE, fds });
      if (s.writableNeedDrain) await once(s, 'drain');
    }
    // usocket's end() shuts down at once: wait until the last write went out.
    await new Promise<void>((resolve, reject) => s.write({ data: ONE_BYTE, fds }, (err) => (err ? reject(err) : resolve())));
    s.end();
    await ended;
    return outcome(reply, FDS, start, 'usocket SCM_RIGHTS');
  } finally {
    s.destroy();
    closeSync(fd);
  }
}

// --- DGRAM ping-pong round trips/s -------------------------------------------

async function pingPongUnixsock({ path, clientPath }: Run): Promise<Outcome> {
  const s = createDatagramSocket({ bind: clientPath, connect: path });
  try {
    let trips = 0;
    const start = performance.now();
    await new Promise<void>((resolve, reject) => {
      s.on('message', (d: Buffer) => {
        if (d.length !== MESSAGE_SIZE) return reject(new Error(`unixsock ping-pong: a reply of ${d.length} bytes`));
        trips++;
        if (performance.now() - start >= PINGPONG_MS) return resolve();
        s.write(MSG);
      });
      s.on('error', reject);
      s.write(MSG);
    });
    return { rate: trips / ((performance.now() - start) / 1000), missing: 0 };
  } finally {
    await s.close();
  }
}

async function pingPongUdg(run: Run): Promise<Outcome> {
  const s = udgClient(run);
  try {
    let trips = 0;
    const start = performance.now();
    await new Promise<void>((resolve, reject) => {
      const sent = (err?: Error): void => { if (err !== undefined) reject(err); };
      s.on('message', (d: Buffer) => {
        if (d.length !== MESSAGE_SIZE) return reject(new Error(`unix-dgram ping-pong: a reply of ${d.length} bytes`));
        trips++;
        if (performance.now() - start >= PINGPONG_MS) return resolve();
        s.send(MSG, sent);
      });
      s.send(MSG, sent);
    });
    return { rate: trips / ((performance.now() - start) / 1000), missing: 0 };
  } finally {
    s.close();
    rmSync(run.clientPath, { force: true });
  }
}

const CASES: Case[] = [
  { name: 'SEQPACKET 64 B', unit: 'msg/s', bar: 2.5, peer: 'node-unix-socket', mode: 'seqpacket-sink', unixsock: seqpacketUnixsock, other: seqpacketNus, c: ['seqpacket', String(MESSAGES)] },
  { name: 'DGRAM 64 B, connected', unit: 'msg/s', bar: 1.5, peer: 'unix-dgram', mode: 'dgram-sink', unixsock: dgramUnixsock, other: dgramUdg, c: ['dgram', String(MESSAGES)] },
  { name: 'SCM_RIGHTS, 1 fd per send', unit: 'fds/s', bar: 1.5, peer: 'usocket', mode: 'fds-sink', unixsock: fdsUnixsock, other: fdsUsocket, c: ['fds', String(FDS)] },
  { name: '  same, unixsock SEQPACKET', unit: 'fds/s', peer: 'usocket', mode: 'fds-seqpacket-sink', unixsock: fdsSeqpacketUnixsock, other: fdsUsocket, c: ['fds-seqpacket', String(FDS)] },
  { name: 'DGRAM 64 B ping-pong', unit: 'trips/s', bar: 1.0, peer: 'unix-dgram', mode: 'dgram-echo', unixsock: pingPongUnixsock, other: pingPongUdg, c: ['pingpong', String(PINGPONG_MS)] },
];

interface Peer {
  child: ChildProcess;
  /** Rejects if the peer process exits before it is stopped. */
  died: Promise<never>;
}

async function startPeer(lib: Lib, mode: Mode, path: string): Promise<Peer> {
  const child = spawn(process.execPath, [PEER, lib, mode, path], { stdio: ['pipe', 'pipe', 'inherit'] });
  const died = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`the ${lib} ${mode} peer exited (${signal ?? code})`)));
  });
  died.catch(() => {});
  await Promise.race([once(child.stdout!, 'data'), died, timeout(TIMEOUT_MS, `the ${lib} ${mode} peer did not start`)]);
  return { child, died };
}

async function stopPeer(peer: Peer): Promise<void> {
  if (peer.child.exitCode !== null || peer.child.signalCode !== null) return;
  peer.child.stdin!.end();
  await Promise.race([peer.died.catch(() => {}), timeout(5000, 'peer exit').catch(() => { peer.child.kill(); })]);
}

function timeout(ms: number, what: string): Promise<never> {
  return new Promise((_, reject) => {
    setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms`)), ms).unref();
  });
}

/** One run of `fn`, failing if the peer dies or it takes longer than TIMEOUT_MS. */
function bounded(fn: () => Promise<Outcome>, peer: Peer, what: string): Promise<Outcome> {
  return Promise.race([fn(), peer.died, timeout(TIMEOUT_MS, what)]);
}

const fmt = (x: number | undefined): string => (x === undefined ? 'n/a' : Math.round(x).toLocaleString('en-US'));

/** Every measured run of a case, per library (the other library only when it loads). */
async function measureCase(c: Case, libs: Lib[], fresh: () => string): Promise<Partial<Record<Lib, Outcome[]>>> {
  // One peer process per library for the whole case, warmed up by one
  // unmeasured run each: a fresh process per run would mostly measure the JIT.
  const paths = Object.fromEntries(libs.map((lib) => [lib, fresh()])) as Record<Lib, string>;
  const peers: Peer[] = [];
  try {
    const byLib: Partial<Record<Lib, Peer>> = {};
    for (const lib of libs) peers.push((byLib[lib] = await startPeer(lib, c.mode, paths[lib])));
    const measureOnce = async (lib: Lib): Promise<Outcome> => {
      const r: Run = { path: paths[lib], clientPath: fresh() };
      const out = await bounded(() => (lib === 'unixsock' ? c.unixsock(r) : c.other(r)), byLib[lib]!, `${c.name} over ${lib}`);
      if (lib === 'unixsock' && out.missing > 0) throw new Error(`${c.name}: unixsock lost ${out.missing} messages`);
      return out;
    };
    for (const lib of libs) await measureOnce(lib);
    return await alternate(libs, measureOnce);
  } finally {
    await Promise.all(peers.map(stopPeer));
  }
}

export async function run(): Promise<void> {
  const tmp = makeTempDir('us-bm-');
  let seq = 0;
  const fresh = (): string => join(tmp.path, `m${seq++}.sock`);
  try {
    const cExe = compileC('message', tmp.path);
    console.log(`  ${MESSAGES} messages, ${FDS} descriptors, ${PINGPONG_MS} ms ping-pong per run; ${REPS} runs per library, medians`);
    console.log(`  ${'case'.padEnd(26)} ${'C'.padStart(10)} ${'other library'.padStart(28)} ${'unixsock'.padStart(10)}  ratio  per-rep IQR  bar`);
    for (const c of CASES) {
      if (!selected(c.name)) continue;
      const loaded = loadPeer(c.peer);
      const results = await measureCase(c, 'lib' in loaded ? ['unixsock', c.peer] : ['unixsock'], fresh);
      const cBaseline = cMedian(cExe, [c.c[0], fresh(), c.c[1]], TIMEOUT_MS);
      const u = median(results.unixsock!.map((r) => r.rate));
      const others = results[c.peer];
      const o = others === undefined ? undefined : median(others.map((r) => r.rate));
      const lossy = others?.filter((r) => r.missing > 0) ?? [];
      const ratio = o === undefined ? undefined : u / o;
      const spread = others === undefined ? '' : spreadText(pairedSpread(results.unixsock!.map((r) => r.rate), others.map((r) => r.rate)));
      const verdict = c.bar === undefined ? '' : ratio === undefined ? `bar >= ${c.bar}x` : `${ratio >= c.bar ? 'meets' : 'MISSES'} >= ${c.bar}x`;
      const other = `${c.peer} ${fmt(o)}${lossy.length > 0 ? '*' : ''}`;
      console.log(`  ${c.name.padEnd(26)} ${fmt(cBaseline).padStart(10)} ${other.padStart(28)} ${fmt(u).padStart(10)}  ${ratio === undefined ? '  n/a' : `${ratio.toFixed(2)}x`}  ${spread.padEnd(11)}  ${verdict}  (${c.unit})`);
      if ('reason' in loaded) console.log(`    ${c.peer}: ${loaded.reason}`);
      if (lossy.length > 0) {
        const worst = Math.max(...lossy.map((r) => r.missing));
        console.log(`    * ${c.peer}: the receiver missed up to ${worst} of ${c.c[1]} in ${lossy.length} of ${others!.length} runs (the rate counts every send)`);
      }
    }
  } finally {
    tmp.remove();
  }
}
