// Faults (issue 7, item 5), each ending in a documented error, no crash,
// no leaked descriptor, and a server that keeps serving:
// - a peer process SIGKILLed mid-transfer on stream (reading and writing),
//   seqpacket and datagram sockets;
// - an echo server SIGKILLed and restarted on the same path while clients
//   retry (the new server's listen() recovers the stale socket file);
// - descriptor exhaustion (EMFILE) under a low RLIMIT_NOFILE (prlimit, or
//   ulimit -n in bash);
// - datagram pressure: a flood against a receiver that does not read (sends
//   wait, none is lost once it reads) and one that closes (sends settle).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  connect, createDatagramSocket, type DatagramSocket, listen, listenSeqpacket, type SeqpacketSocket, type UnixSocket,
} from '../../host/index.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { openStdioNow } from '../_helpers/runtime.js';
import { within } from '../_helpers/wait.js';
import { soak } from './_budget.js';
import { startPeer } from './_child.js';

const LINUX = process.platform === 'linux';
const tmp = makeTempDir('us-f');
const at = tmp.at;
const fds = (): number => {
  openStdioNow();
  return readdirSync('/proc/self/fd').length;
};
const settle = (ms = 50): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The server still takes a connection and echoes through it. */
async function stillServes(path: string): Promise<void> {
  const server = await listen(path);
  try {
    server.on('connection', (s: UnixSocket) => s.pipe(s));
    const c = await connect(path);
    const echoed = await within(new Promise<string>((resolve) => {
      c.once('data', (d: Buffer) => resolve(d.toString()));
      c.write('ping');
    }), 5000, 'echo');
    assert.is(echoed, 'ping');
    c.destroy();
  } finally {
    server.close();
  }
}

/** How a socket's life ended: 'end', or an error code. */
function ending(s: UnixSocket | SeqpacketSocket): Promise<string> {
  return new Promise((resolve) => {
    s.once('end', () => resolve('end'));
    s.once('error', (err: { code?: string }) => resolve(err.code ?? String(err)));
  });
}

const kill = suite('faults: peer SIGKILLed mid-transfer');

kill('stream: a writer killed mid-transfer ends the reader with EOF or ECONNRESET; the server keeps serving', async () => {
  const before = fds();
  const server = await listen(at('k-stream.sock'));
  const peer = await startPeer('stream-send', at('k-stream.sock'));
  const s = await within(server.accept(), 5000, 'accept');
  let bytes = 0;
  const ended = ending(s);
  s.on('data', (d: Buffer) => {
    bytes += d.length;
    if (bytes >= 1 << 20 && peer.child.exitCode === null) void peer.kill();
  });
  const how = await within(ended, 10_000, 'end of the killed writer');
  assert.is(await peer.exited, 'SIGKILL');
  console.log(`  stream reader: ${(bytes / 1048576).toFixed(1)} MiB, then ${how}`);
  assert.ok(['end', 'ECONNRESET'].includes(how), how);
  s.destroy();
  const next = await Promise.all([server.accept(), connect(at('k-stream.sock'))]);
  next.forEach((x) => x.destroy());
  server.close();
  await settle();
  assert.is(fds(), before, 'descriptors');
});

kill('stream: writing to a killed reader fails with EPIPE or ECONNRESET, never SIGPIPE', async () => {
  const before = fds();
  const server = await listen(at('k-idle.sock'));
  const peer = await startPeer('stream-idle', at('k-idle.sock'));
  const s = await within(server.accept(), 5000, 'accept');
  const failed = new Promise<string>((resolve) => s.once('error', (err: { code?: string }) => resolve(err.code ?? String(err))));
  const chunk = Buffer.alloc(64 * 1024, 1);
  // Fill the peer's receive buffer and our send queue, then kill it.
  let written = 0;
  while (s.write(chunk) && written < 64 << 20) written += chunk.length;
  await peer.kill();
  const timer = setInterval(() => s.write(chunk), 5);
  try {
    const code = await within(failed, 10_000, 'write error');
    console.log(`  stream writer: ${(written / 1048576).toFixed(1)} MiB queued, then ${code}`);
    assert.ok(['EPIPE', 'ECONNRESET'].includes(code), code);
  } finally {
    clearInterval(timer);
  }
  s.destroy();
  server.close();
  await stillServes(at('k-idle.sock'));
  await settle();
  assert.is(fds(), before, 'descriptors');
});

kill('seqpacket: a sender killed mid-transfer ends the receiver with end or ECONNRESET; the listener keeps serving', async () => {
  const before = fds();
  const server = await listenSeqpacket(at('k-seq.sock'));
  const peer = await startPeer('seqpacket-send', at('k-seq.sock'));
  const s = await within(server.accept(), 5000, 'accept');
  let records = 0;
  const ended = ending(s);
  s.on('message', () => {
    if (++records === 200) void peer.kill();
  });
  const how = await within(ended, 10_000, 'end of the killed sender');
  console.log(`  seqpacket receiver: ${records} records, then ${how}`);
  assert.ok(['end', 'ECONNRESET'].includes(how), how);
  s.close();
  const again = await startPeer('seqpacket-send', at('k-seq.sock'));
  const s2 = await within(server.accept(), 5000, 'accept after the kill');
  const one = await within(new Promise<number>((resolve) => s2.once('message', (d: Buffer) => resolve(d.length))), 5000, 'a record');
  assert.ok(one > 0);
  await again.kill();
  s2.close();
  server.close();
  await settle();
  assert.is(fds(), before, 'descriptors');
});

kill('datagram: a killed sender just stops; sending to a killed receiver rejects with ECONNREFUSED; its stale path is recovered', async () => {
  const before = fds();
  const receiver = createDatagramSocket({ bind: at('k-dgram.sock') });
  const peer = await startPeer('datagram-send', at('k-dgram.sock'));
  let count = 0;
  await within(new Promise<void>((resolve) => receiver.on('message', () => {
    if (++count === 500) resolve();
  })), 10_000, '500 datagrams');
  await peer.kill();
  receiver.removeAllListeners('message');
  // The receiver still works (the killed peer's datagrams, all 'Z' bytes, may still be queued ahead of ours).
  const sender = createDatagramSocket({});
  const got = within(new Promise<void>((resolve) => receiver.on('message', (d: Buffer) => {
    if (d.toString() === 'after') resolve();
  })), 5000, 'our datagram after the killed peer\'s');
  await sender.sendTo('after', at('k-dgram.sock'));
  await got;
  receiver.removeAllListeners('message');

  // A receiver that dies with our sends queued.
  const sink = await startPeer('datagram-bind', at('k-sink.sock'));
  const pending: Promise<string>[] = [];
  for (let i = 0; i < 2000; i++) pending.push(sender.sendTo(Buffer.alloc(1024), at('k-sink.sock')).then(() => 'sent', (err: { code?: string }) => err.code ?? String(err)));
  assert.ok(sender.queuedSends > 0, 'the flood outran the receiver');
  await sink.kill();
  const outcomes = await within(Promise.all(pending), 10_000, 'every send settles');
  const tally: Record<string, number> = {};
  for (const o of outcomes) tally[o] = (tally[o] ?? 0) + 1;
  console.log(`  datagram sends to a killed receiver: ${JSON.stringify(tally)}`);
  assert.ok(Object.keys(tally).every((k) => ['sent', 'ECONNREFUSED'].includes(k)), JSON.stringify(tally));
  assert.ok((tally.ECONNREFUSED ?? 0) > 0, 'some sends were refused');
  // The killed peer's socket file is stale: binding it again recovers it.
  const reborn = createDatagramSocket({ bind: at('k-sink.sock') });
  const hello = within(new Promise<string>((resolve) => reborn.once('message', (d: Buffer) => resolve(d.toString()))), 5000, 'datagram');
  await sender.sendTo('hello', at('k-sink.sock'));
  assert.is(await hello, 'hello');
  await reborn.close();
  await sender.close();
  await receiver.close();
  await settle();
  assert.is(fds(), before, 'descriptors');
});

kill.run();

// ---

const restart = suite('faults: server restarted under load');
const RESTARTS = soak(10, 3);
const CLIENTS = 16;

restart(`should recover the stale socket file on each of ${RESTARTS} SIGKILL restarts while ${CLIENTS} clients retry`, async () => {
  const before = fds();
  const path = at('restart.sock');
  let server = await startPeer('echo-server', path);
  const failures: Record<string, number> = {};
  let successes = 0;
  let stop = false;
  const payload = randomBytes(64 * 1024);
  const once = async (): Promise<void> => {
    const c = await connect(path, { timeout: 2000 });
    try {
      const back = await within(new Promise<Buffer>((resolve, reject) => {
        const parts: Buffer[] = [];
        let n = 0;
        c.on('data', (d: Buffer) => {
          parts.push(d);
          n += d.length;
          if (n >= payload.length) resolve(Buffer.concat(parts));
        });
        c.once('end', () => reject(Object.assign(new Error('ended early'), { code: 'EOF' })));
        c.once('error', reject);
        c.write(payload);
      }), 5000, 'echo');
      assert.ok(back.equals(payload), 'echoed bytes');
      successes++;
    } finally {
      c.destroy();
    }
  };
  const client = async (): Promise<void> => {
    while (!stop) {
      try {
        await once();
      } catch (err) {
        const code = (err as { code?: string }).code ?? String(err);
        failures[code] = (failures[code] ?? 0) + 1;
        await settle(5);
      }
    }
  };
  const clients = Array.from({ length: CLIENTS }, client);
  const recoveries: number[] = [];
  try {
    for (let i = 0; i < RESTARTS; i++) {
      await settle(300);
      const served = successes;
      await server.kill();
      const t0 = performance.now();
      // listen() on the stale file: must succeed (recoverStale), not EADDRINUSE.
      server = await startPeer('echo-server', path);
      while (successes === served) await settle(2);
      recoveries.push(performance.now() - t0);
    }
    await settle(300);
  } finally {
    stop = true;
    await within(Promise.all(clients), 15_000, 'clients stop');
    await server.kill();
  }
  console.log(`  restarts: ${RESTARTS}, echoes ${successes}, failures ${JSON.stringify(failures)}, ` +
    `first echo after restart in ${recoveries.map((ms) => ms.toFixed(0)).join('/')} ms (including node start-up)`);
  const allowed = ['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'EOF'];
  assert.ok(Object.keys(failures).every((code) => allowed.includes(code)), JSON.stringify(failures));
  assert.ok(successes > RESTARTS * CLIENTS, `${successes} echoes`);
  await settle();
  assert.is(fds(), before, 'descriptors');
});

restart.run();

// ---

const exhaustion = suite('faults: descriptor exhaustion (EMFILE)');

/** How to run a child under RLIMIT_NOFILE = n: prlimit, else ulimit -n in bash, else undefined. */
function limitPrefix(n: number): string[] | undefined {
  if (spawnSync('prlimit', ['--version'], { stdio: 'ignore' }).status === 0) return ['prlimit', `--nofile=${n}:${n}`];
  if (spawnSync('bash', ['-c', 'true'], { stdio: 'ignore' }).status === 0) return ['bash', '-c', `ulimit -n ${n} && exec "$0" "$@"`];
  return undefined;
}

exhaustion('should give typed EMFILE errors from connect and accept, and keep serving once descriptors free up', async () => {
  if (!LINUX) return;
  const prefix = limitPrefix(96);
  if (prefix === undefined) {
    console.log('  skipped: neither prlimit nor bash is available to lower RLIMIT_NOFILE');
    return;
  }
  const peer = await startPeer('emfile', at('emfile.sock'), { prefix, waitReady: false });
  const code = await within(peer.exited, 30_000, 'EMFILE scenario');
  const line = peer.output().trim().split('\n').pop() ?? '';
  assert.is(code, 0, `child exit: ${line}`);
  const r = JSON.parse(line) as {
    connections: number; filled: number; acceptErrorCount: number; stalled: boolean; pendingAccepted: boolean; echoed: string;
    connectError?: Record<string, unknown>; acceptErrors: Record<string, unknown>[]; secondConnectError?: Record<string, unknown>;
  };
  console.log(`  EMFILE (limit 96, ${r.connections} connections, ${r.filled} descriptors filled with /dev/null): connect ${r.connectError?.code}/${r.connectError?.syscall}, ` +
    `accept ${r.acceptErrors[0]?.code}/${r.acceptErrors[0]?.syscall} (${r.acceptErrorCount} retries), served after: ${r.echoed}`);
  assert.equal([r.connectError?.name, r.connectError?.code, r.connectError?.condition], ['UnixsockError', 'EMFILE', 'too-many-descriptors'], JSON.stringify(r.connectError));
  assert.equal([r.secondConnectError?.name, r.secondConnectError?.code], ['UnixsockError', 'EMFILE'], JSON.stringify(r.secondConnectError));
  assert.ok(r.acceptErrors.length > 0, 'accept reported EMFILE');
  assert.equal([r.acceptErrors[0]!.name, r.acceptErrors[0]!.code, r.acceptErrors[0]!.syscall], ['UnixsockError', 'EMFILE', 'accept'], JSON.stringify(r.acceptErrors[0]));
  assert.ok(r.stalled, 'the pending connection waited while descriptors were exhausted');
  assert.ok(r.pendingAccepted, 'the pending connection was accepted once descriptors freed up');
  assert.is(r.echoed, 'still serving');
});

exhaustion.run();

// ---

const pressure = suite('faults: datagram pressure');
// The last suite removes the directory all of them use.
pressure.after(() => tmp.remove());

pressure('should hold sends against a receiver that does not read, and lose none once it reads', async () => {
  const before = fds();
  const receiver = createDatagramSocket({ bind: at('p-recv.sock') });
  receiver.pause();
  const senders: DatagramSocket[] = Array.from({ length: 4 }, () => createDatagramSocket({ connect: at('p-recv.sock') }));
  const perSender = soak(20_000, 3_000);
  let rejected = 0;
  const sends = senders.flatMap((s, id) => Array.from({ length: perSender }, (_, seq) => {
    const d = Buffer.alloc(1024);
    d.writeUInt32LE(id, 0);
    d.writeUInt32LE(seq, 4);
    return s.send(d).catch(() => { rejected++; });
  }));
  await settle(100);
  const queued = senders.reduce((n, s) => n + s.queuedSends, 0);
  assert.ok(queued > 0, 'sends are waiting for room');
  const next = [0, 0, 0, 0];
  let disorder = 0;
  let received = 0;
  const total = perSender * senders.length;
  const all = new Promise<void>((resolve) => receiver.on('message', (d: Buffer) => {
    const id = d.readUInt32LE(0);
    if (d.readUInt32LE(4) !== next[id]) disorder++;
    next[id] = d.readUInt32LE(4) + 1;
    if (++received === total) resolve();
  }));
  receiver.resume();
  await within(Promise.all([all, ...sends]), 60_000, `${total} datagrams`);
  console.log(`  datagram pressure: ${total} x 1 KiB, ${queued} sends were waiting for room; ${received} received, ${disorder} out of order, ${rejected} rejected`);
  assert.is(rejected, 0);
  assert.is(disorder, 0);
  assert.equal(next, [perSender, perSender, perSender, perSender]);
  for (const s of senders) await s.close();
  await receiver.close();
  await settle();
  assert.is(fds(), before, 'descriptors');
});

pressure('should settle every queued send when the receiver closes under pressure, and keep the sender usable', async () => {
  const before = fds();
  const receiver = createDatagramSocket({ bind: at('p-close.sock') });
  receiver.pause();
  const sender = createDatagramSocket({});
  const outcomes = Array.from({ length: 3000 }, () => sender.sendTo(Buffer.alloc(1024), at('p-close.sock')).then(() => 'sent', (err: { code?: string }) => err.code ?? String(err)));
  await settle(50);
  assert.ok(sender.queuedSends > 0, 'sends are waiting for room');
  await receiver.close();
  const results = await within(Promise.all(outcomes), 10_000, 'every send settles');
  const tally: Record<string, number> = {};
  for (const o of results) tally[o] = (tally[o] ?? 0) + 1;
  console.log(`  datagram receiver closed under pressure: ${JSON.stringify(tally)}`);
  assert.ok(Object.keys(tally).every((k) => ['sent', 'ECONNREFUSED', 'ENOENT'].includes(k)), JSON.stringify(tally));
  const other = createDatagramSocket({ bind: at('p-other.sock') });
  const got = within(new Promise<string>((resolve) => other.once('message', (d: Buffer) => resolve(d.toString()))), 5000, 'datagram');
  await sender.sendTo('still works', at('p-other.sock'));
  assert.is(await got, 'still works');
  await other.close();
  await sender.close();
  await settle();
  assert.is(fds(), before, 'descriptors');
});

pressure.run();
