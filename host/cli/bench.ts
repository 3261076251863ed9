// `unixsock bench`: a quick benchmark summary, client and server in this
// process, with a progress indicator on stderr. `npm run bench` is the
// careful one (separate processes, baselines, repetitions).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UnixSocket } from '../socket.js';
import { connect, listen, socketPair } from '../streams.js';
import { type Command, integerOption, parseCommand, UsageError } from './common.js';

const USAGE = `Usage: unixsock bench [--duration MS] [--json]

Runs four short measurements on this machine, client and server in one
process, and prints a summary: stream ping-pong (1-byte round trips), stream
throughput (64 KiB writes), datagram rate (1 KiB datagrams on a socket pair)
and connection rate (connect, accept, close). Progress goes to stderr.
For careful numbers against node:net and C, run 'npm run bench' in the repository.

Options:
  --duration MS   Total time, split evenly among the cases (default 3000, at least 400).
  --json          Print the results as JSON.
  -h, --help      Show this help.
  --debug         Add stack traces to error lines.

Exit status: 0 when every case ran; 1 when one failed; 2 on a usage error.
`;

interface Result {
  case: string;
  value: number;
  unit: string;
}

type Case = { name: string; unit: string; run: (dir: string, ms: number, progress: (f: number) => void) => Promise<number> };

/** Call `step` until `ms` elapsed; returns the work done per second. */
async function timed(ms: number, progress: (f: number) => void, step: () => Promise<number>): Promise<number> {
  const start = performance.now();
  let done = 0;
  let lastReport = start;
  for (;;) {
    done += await step();
    const now = performance.now();
    if (now - lastReport > 100) {
      progress(Math.min(1, (now - start) / ms));
      lastReport = now;
    }
    if (now - start >= ms) return (done * 1000) / (now - start);
  }
}

async function echoServer(path: string) {
  const server = await listen(path);
  server.on('connection', (s: UnixSocket) => {
    s.on('error', () => {});
    s.pipe(s);
  });
  return server;
}

const CASES: Case[] = [
  {
    name: 'stream ping-pong (1 B)',
    unit: 'round trips/s',
    run: async (dir, ms, progress) => {
      const server = await echoServer(join(dir, 'pp.sock'));
      const client = await connect(join(dir, 'pp.sock'));
      const one = Buffer.from('x');
      try {
        return await timed(ms, progress, async () => {
          for (let i = 0; i < 64; i++) {
            const reply = new Promise((resolve) => client.once('data', resolve));
            client.write(one);
            await reply;
          }
          return 64;
        });
      } finally {
        client.destroy();
        server.close();
      }
    },
  },
  {
    name: 'stream throughput (64 KiB writes)',
    unit: 'MB/s',
    run: async (dir, ms, progress) => {
      const path = join(dir, 'tp.sock');
      const server = await listen(path);
      let received = 0;
      server.on('connection', (s: UnixSocket) => s.on('data', (d: Buffer) => { received += d.length; }).on('error', () => {}));
      const client = await connect(path);
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        let before = 0;
        return await timed(ms, progress, async () => {
          for (let i = 0; i < 16; i++) {
            if (!client.write(chunk)) await new Promise((resolve) => client.once('drain', resolve));
          }
          const got = received - before;
          before = received;
          return got / 1e6;
        });
      } finally {
        client.destroy();
        server.close();
      }
    },
  },
  {
    name: 'datagrams (1 KiB, socket pair)',
    unit: 'datagrams/s',
    run: async (_dir, ms, progress) => {
      const [a, b] = socketPair({ type: 'datagram' });
      let received = 0;
      b.on('message', () => { received++; });
      const payload = Buffer.alloc(1024, 2);
      try {
        let before = 0;
        return await timed(ms, progress, async () => {
          const sends: Promise<void>[] = [];
          for (let i = 0; i < 64; i++) sends.push(a.send(payload));
          await Promise.all(sends);
          await new Promise((resolve) => setImmediate(resolve));
          const got = received - before;
          before = received;
          return got;
        });
      } finally {
        await a.close();
        await b.close();
      }
    },
  },
  {
    name: 'connections (connect, accept, close)',
    unit: 'connections/s',
    run: async (dir, ms, progress) => {
      const path = join(dir, 'ac.sock');
      const server = await listen(path);
      server.on('connection', (s: UnixSocket) => s.destroy());
      try {
        return await timed(ms, progress, async () => {
          const batch = await Promise.all(Array.from({ length: 16 }, () => connect(path)));
          for (const c of batch) c.destroy();
          return batch.length;
        });
      } finally {
        server.close();
      }
    },
  },
];

/** Progress on stderr: a redrawn bar on a terminal, one line per case elsewhere. */
function progressFor(index: number, name: string): (f: number) => void {
  const label = `[${index + 1}/${CASES.length}] ${name}`;
  if (!process.stderr.isTTY) {
    process.stderr.write(`unixsock bench: ${label}\n`);
    return () => {};
  }
  return (f) => {
    const width = 20;
    const filled = Math.round(f * width);
    process.stderr.write(`\r${label.padEnd(42)} ${'#'.repeat(filled)}${'.'.repeat(width - filled)} ${Math.round(f * 100)}%`);
  };
}

async function run(args: string[]): Promise<number> {
  const p = parseCommand(args, { duration: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
  if (p === undefined) return 0;
  if (p.positionals.length > 0) throw new UsageError('bench takes no arguments');
  const duration = integerOption(p, 'duration', 3000, 400);
  const dir = mkdtempSync(join(tmpdir(), 'unixsock-bench-'));
  const results: Result[] = [];
  try {
    for (const [i, c] of CASES.entries()) {
      const progress = progressFor(i, c.name);
      progress(0);
      const value = await c.run(dir, duration / CASES.length, progress);
      progress(1);
      results.push({ case: c.name, value: Math.round(value * 10) / 10, unit: c.unit });
    }
    if (process.stderr.isTTY) process.stderr.write('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (p.values.json === true) {
    process.stdout.write(`${JSON.stringify({ node: process.version, platform: process.platform, results }, null, 2)}\n`);
  } else {
    const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
    for (const r of results) process.stdout.write(`${r.case.padEnd(38)}${fmt.format(r.value).padStart(12)} ${r.unit}\n`);
    process.stdout.write('(one process, both ends; numbers on a busy machine vary. npm run bench compares with node:net and C.)\n');
  }
  return 0;
}

export const bench: Command = { run };
