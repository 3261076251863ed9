// Fan-out, the shape of a local broker: one server and N clients in this one
// process. N connections are made (all at once; each library's own connect),
// then one 1-byte echo runs on every connection; the time from the first
// connect to the last echo is measured. node:net vs unixsock, side by side,
// alternating rounds; the ratio is net's median time over unixsock's (above
// 1: unixsock is faster). Bar (issue "Every JavaScript runtime"): >= 1.0x.
// N is UNIXSOCK_BENCH_FANOUT (default 4000). At 9,000 node:net's connect
// fails with EAGAIN once the backlog is full; unixsock's connect retries.
import { once } from 'node:events';
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect, listen } from '../host/index.js';
import { RUNTIME } from '../host/native/runtime.js';
import { makeTempDir } from '../test/_helpers/tmpdir.js';
import { alternate, median, pairedSpread, selected, spreadText } from './harness.js';

type Lib = 'net' | 'unixsock';
const LIBS: Lib[] = ['net', 'unixsock'];
const COUNT = Number(process.env.UNIXSOCK_BENCH_FANOUT ?? 4000);

type Sock = net.Socket | Awaited<ReturnType<typeof connect>>;

/** A server that echoes every byte, in this process: its close function. */
async function serve(lib: Lib, path: string): Promise<() => Promise<void>> {
  const open = new Set<Sock>();
  const track = (s: Sock): void => {
    open.add(s);
    s.on('data', (d: Buffer) => s.write(d));
    s.on('error', () => {});
    s.on('close', () => open.delete(s));
  };
  if (lib === 'net') {
    const server = net.createServer(track);
    server.listen({ path, backlog: 4096 });
    await once(server, 'listening');
    return async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };
  }
  const server = await listen(path, { backlog: 4096 });
  server.on('connection', track);
  return async () => {
    for (const s of open) s.destroy();
    await server.close();
  };
}

/** Connects net's sockets retried after a full backlog (as a user must). */
let netRetries = 0;

async function dial(lib: Lib, path: string): Promise<Sock> {
  if (lib === 'unixsock') return connect(path);
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    const s = net.createConnection({ path });
    try {
      await once(s, 'connect');
      return s;
    } catch (err) {
      // A full backlog: EAGAIN on Node and Deno, ECONNREFUSED on Bun.
      const code = (err as { code?: string }).code;
      if (code !== 'EAGAIN' && code !== 'ECONNREFUSED') throw err;
      s.destroy();
      netRetries++;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Milliseconds for COUNT connects and one 1-byte echo on each. */
async function fanout(lib: Lib, path: string): Promise<number> {
  const close = await serve(lib, path);
  const start = performance.now();
  const sockets = await Promise.all(Array.from({ length: COUNT }, () => dial(lib, path)));
  const one = Buffer.from('x');
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.once('data', () => resolve());
          s.write(one);
        }),
    ),
  );
  const ms = performance.now() - start;
  for (const s of sockets) s.destroy();
  await close();
  return ms;
}

export async function run(): Promise<void> {
  const name = `fan-out, ${COUNT} connections`;
  if (!selected('fan-out')) return;
  const tmp = makeTempDir('us-bf-');
  try {
    let i = 0;
    const path = (): string => tmp.at(`f${i++}.sock`);
    for (const lib of LIBS) await fanout(lib, path());
    const results = await alternate(LIBS, (lib) => fanout(lib, path()));
    const n = median(results.net);
    const u = median(results.unixsock);
    const ratio = n / u;
    const spread = spreadText(pairedSpread(results.net, results.unixsock));
    const bar = `${ratio >= 1.0 ? 'meets' : 'MISSES'} >= 1.0x`;
    console.log(`  ${'case'.padEnd(28)} ${'net ms'.padStart(12)} ${'unixsock ms'.padStart(12)}  ratio  per-rep IQR  bar   (${RUNTIME.name} ${RUNTIME.version})`);
    const retried = netRetries > 0 ? `  (net: ${netRetries} connects retried after a full backlog)` : '';
    console.log(`  ${name.padEnd(28)} ${n.toFixed(1).padStart(12)} ${u.toFixed(1).padStart(12)}  ${ratio.toFixed(2)}x  ${spread.padEnd(11)}  ${bar}${retried}`);
  } finally {
    tmp.remove();
  }
}
