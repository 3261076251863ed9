// Load (issue 7, item 4): many concurrent stream connections, each echoing
// its own bytes through a server that pipes every socket to itself, with
// SHA-256 of what was sent and what came back compared; and a flood of
// sequence-numbered datagrams from several senders, each sender's sequence
// checked for loss, duplication and order. Throughput is printed.
// `npm test`: the 1,000 connections x 1 MiB and 100,000 datagrams;
// UNIXSOCK_SOAK=1: 4,000 connections and 1,000,000 datagrams. Fewer
// connections run (with a printed note) when RLIMIT_NOFILE is too low.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, createDatagramSocket, listen, type UnixSocket } from '../../host/index.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { within } from '../_helpers/wait.js';
import { soak } from './_budget.js';

const CONNECTIONS = soak(4000, 1000);
const BYTES = 1 << 20;
const DATAGRAMS = soak(1_000_000, 100_000);
const SENDERS = 4;

const tmp = makeTempDir('us-ld');
const at = tmp.at;
const MiB = 1024 * 1024;

/** The soft RLIMIT_NOFILE of this process. */
function descriptorLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s+/)[3];
  return soft === undefined || soft === 'unlimited' ? Infinity : Number(soft);
}

/** Echo one connection's `BYTES` (a rotation of `block`, distinct per connection); resolves when the digests match. */
async function echoOne(path: string, block: Buffer, offset: number): Promise<void> {
  const client: UnixSocket = await connect(path);
  const sent = createHash('sha256');
  const got = createHash('sha256');
  const parts = [block.subarray(offset), block.subarray(0, offset)];
  let received = 0;
  const done = new Promise<void>((resolve, reject) => {
    client.on('data', (chunk: Buffer) => {
      got.update(chunk);
      received += chunk.length;
    });
    client.once('end', resolve);
    client.once('error', reject);
  });
  for (const p of parts) {
    sent.update(p);
    client.write(p);
  }
  client.end();
  await done;
  client.destroy();
  assert.is(received, BYTES, 'bytes echoed');
  assert.is(got.digest('hex'), sent.digest('hex'), 'SHA-256 of the echo');
}

const test = suite('load: concurrent streams and datagram floods');

test.after(() => tmp.remove());

test(`should echo 1 MiB on each of ${CONNECTIONS} concurrent connections, SHA-256 verified`, async () => {
  let n = CONNECTIONS;
  const limit = descriptorLimit();
  if (2 * n + 64 > limit) {
    n = Math.max(10, Math.floor((limit - 64) / 2));
    console.log(`  RLIMIT_NOFILE is ${limit}: running ${n} connections instead of ${CONNECTIONS}`);
  }
  const server = await listen(at('echo.sock'), { backlog: 4096, allowHalfOpen: true });
  server.on('connection', (s: UnixSocket) => {
    s.on('error', () => s.destroy());
    s.pipe(s);
  });
  const block = randomBytes(BYTES);
  const started = performance.now();
  try {
    await within(Promise.all(Array.from({ length: n }, (_, i) => echoOne(at('echo.sock'), block, (i * 7919 * 64) % BYTES))), 170_000, `${n} echoes`);
  } finally {
    server.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const total = n * BYTES;
  console.log(`  stream echo: ${n} connections x 1 MiB in ${seconds.toFixed(1)} s: ${(total / MiB / seconds).toFixed(0)} MiB/s each way ` +
    `(${((2 * total) / MiB / seconds).toFixed(0)} MiB/s through the server, SHA-256 both sides included)`);
});

test(`should deliver ${DATAGRAMS.toLocaleString('en')} sequence-numbered datagrams from ${SENDERS} senders, none lost, duplicated or reordered`, async () => {
  const receiver = createDatagramSocket({ bind: at('flood.sock') });
  const senders = Array.from({ length: SENDERS }, (_, i) => createDatagramSocket({ bind: at(`sender-${i}.sock`), connect: at('flood.sock') }));
  const next = new Array<number>(SENDERS).fill(0);
  const problems: string[] = [];
  let received = 0;
  const perSender = DATAGRAMS / SENDERS;
  const all = new Promise<void>((resolve) => receiver.on('message', (data: Buffer) => {
    const sender = data.readUInt32LE(0);
    const seq = data.readUInt32LE(4);
    if (seq !== next[sender]) problems.push(`sender ${sender}: expected ${next[sender]}, got ${seq}`);
    next[sender] = seq + 1;
    if (data.length !== 8 + (seq % 200)) problems.push(`sender ${sender} #${seq}: ${data.length} bytes`);
    if (++received === DATAGRAMS) resolve();
  }));
  const started = performance.now();
  try {
    await within(Promise.all(senders.map(async (s, id) => {
      const window: Promise<void>[] = [];
      for (let seq = 0; seq < perSender; seq++) {
        const d = Buffer.alloc(8 + (seq % 200));
        d.writeUInt32LE(id, 0);
        d.writeUInt32LE(seq, 4);
        window.push(s.send(d));
        if (window.length === 512) await Promise.all(window.splice(0));
      }
      await Promise.all(window);
    })), 170_000, 'sending');
    await within(all, 30_000, `${DATAGRAMS} datagrams`);
  } finally {
    for (const s of senders) await s.close();
    await receiver.close();
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`  datagram flood: ${DATAGRAMS} datagrams (8-207 bytes) from ${SENDERS} senders in ${seconds.toFixed(1)} s: ${Math.round(DATAGRAMS / seconds / 1000)}k datagrams/s`);
  assert.equal(problems.slice(0, 5), [], `${problems.length} sequence problems`);
  assert.equal(next, new Array<number>(SENDERS).fill(perSender), 'every datagram of every sender');
});

test.run();
