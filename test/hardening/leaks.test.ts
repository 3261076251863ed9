// Leaks (issue 7, item 3): after many connect/accept/close cycles, many
// fd-passing messages (a third of them past the receiver's descriptor
// capacity, so CTRUNC), and many server create/close cycles, the open
// descriptors and the component's linear memory are exactly back where they
// were, and RSS and the JS heap (after GC) within a small allowance; after a
// million address calls the component's memory has not grown.
// Counts: `npm test` runs the (10,000 / 10,000 / 1,000 / 1,000,000,
// and 100,000 engine socket operations); UNIXSOCK_SOAK=1 ten times as many.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  connect, connectSeqpacket, createDatagramSocket, decodeSockaddr, encodeSockaddr, formatAddress, listen,
  listenSeqpacket, type MessageInfo, normalizePath, parseAddress, socketPair, validateAddress,
} from '../../host/index.js';
import { randomAddress } from '../_helpers/addresses.js';
import { closeFd } from '../_helpers/descriptors.js';
import { Random } from '../_helpers/random.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { within } from '../_helpers/wait.js';
import { openSources } from '../fuzz/_descriptors.js';
import { soak } from './_budget.js';
import { type Footprint, footprint, growth, leaked } from './_footprint.js';

const LINUX = process.platform === 'linux';
const CONNECTIONS = soak(100_000, 10_000);
const MESSAGES = soak(100_000, 10_000);
const SERVERS = soak(10_000, 1_000);
const ADDRESS_CALLS = soak(10_000_000, 1_000_000);

const tmp = makeTempDir('us-l');
const at = tmp.at;

/** Runs `body` once to warm up, measures, runs it `times`, measures again; logs and checks the difference. */
async function steady(label: string, body: (n: number) => Promise<number>, n: number, extra: (a: Footprint, b: Footprint) => void = () => {}): Promise<void> {
  await body(Math.max(50, Math.round(n / 10)));
  const before = await footprint();
  const started = performance.now();
  const operations = await body(n);
  const seconds = (performance.now() - started) / 1000;
  const after = await footprint();
  console.log(`  ${label}: ${n} in ${seconds.toFixed(1)} s; ${operations} engine socket operations; ${growth(before, after)}`);
  const why = leaked(before, after);
  assert.is(why, undefined, `${label}: ${why}`);
  extra(before, after);
}

const test = suite('leaks: descriptors, memory, component memory');

test.after(() => tmp.remove());

test(`should return to the baseline after ${CONNECTIONS} connect/accept/close cycles`, async () => {
  const server = await listen(at('cycle.sock'));
  try {
    await steady('connect/accept/close', async (n) => {
      let operations = 0;
      // 8 at a time: the order of closes varies, and the loop is not a ping-pong of one.
      const one = async (): Promise<void> => {
        const client = await connect(at('cycle.sock'));
        const peer = await server.accept();
        client.write('x');
        const [byte] = (await within(new Promise<Buffer[]>((resolve) => peer.once('data', (d: Buffer) => resolve([d]))), 5000, 'a byte')) as Buffer[];
        assert.is(byte!.toString(), 'x');
        assert.ok(peer.localAddress !== undefined && client.remoteAddress !== undefined);
        assert.ok(client.localAddress !== undefined && peer.remoteAddress !== undefined);
        peer.peerCredentials();
        const closed = Promise.all([client, peer].map((s) => new Promise((resolve) => s.once('close', resolve))));
        if (operations % 2 === 0) client.destroy(); else peer.destroy();
        (operations % 2 === 0 ? peer : client).destroy();
        await within(closed, 5000, 'close');
        // connect, adopt, 4 addresses, 2 closes, 2 drops.
        operations += 10;
      };
      for (let i = 0; i < n; i += 8) await Promise.all(Array.from({ length: Math.min(8, n - i) }, one));
      return operations;
    }, CONNECTIONS);
  } finally {
    server.close();
  }
});

test(`should return to the baseline after ${MESSAGES} fd-passing messages per socket type, a third of them CTRUNC`, async () => {
  const sources = openSources(tmp.path, 4);
  try {
    for (const type of ['datagram', 'seqpacket'] as const) {
      await steady(`fd passing (${type}, maxDescriptors 2)`, async (n) => {
        const [a, b] = type === 'datagram' ? socketPair({ type, maxDescriptors: 2 }) : socketPair({ type, maxDescriptors: 2 });
        let received = 0;
        let truncated = 0;
        const all = new Promise<void>((resolve) => b.on('message', (_d: Buffer, info: MessageInfo) => {
          // Closing received descriptors is the receiver's job.
          for (const fd of info.fds) closeFd(fd);
          if (info.descriptorsTruncated) truncated++;
          if (++received === n) resolve();
        }));
        for (let i = 0; i < n; i++) await a.send(`m${i}`, { fds: sources.fds.slice(0, 1 + (i % 3) + (i % 3 === 2 ? 1 : 0)) });
        await within(all, 20000, `${n} messages`);
        assert.ok(truncated >= Math.floor(n / 3), `${truncated} of ${n} flagged descriptorsTruncated`);
        // DatagramSocket.close() returns a promise, SeqpacketSocket.close() nothing: await both.
        for (const s of [a, b]) await (s as { close(): unknown }).close();
        return 0;
      }, MESSAGES);
    }
    await steady('fd passing (stream, maxDescriptors 2)', async (n) => {
      const [a, b] = socketPair({ maxDescriptors: 2 });
      let events = 0;
      let truncated = 0;
      let bytes = 0;
      b.on('descriptors', (fds: number[], info: { truncated: boolean }) => {
        for (const fd of fds) closeFd(fd);
        events++;
        if (info.truncated) truncated++;
      });
      const all = new Promise<void>((resolve) => b.on('data', (d: Buffer) => {
        bytes += d.length;
        if (bytes === n) resolve();
      }));
      for (let i = 0; i < n; i++) await a.send('x', { fds: sources.fds.slice(0, 1 + (i % 3) + (i % 3 === 2 ? 1 : 0)) });
      await within(all, 20000, `${n} bytes`);
      assert.is(events, n, 'one descriptors event per send');
      assert.ok(truncated >= Math.floor(n / 3), `${truncated} of ${n} flagged truncated`);
      a.destroy();
      b.destroy();
      return 0;
    }, MESSAGES);
  } finally {
    sources.close();
  }
});

test(`should return to the baseline after ${SERVERS} server create/close cycles of every kind`, async () => {
  await steady('server create/close', async (n) => {
    let operations = 0;
    for (let i = 0; i < n; i++) {
      const kind = i % 5;
      if (kind === 0 || kind === 1 || kind === 2) {
        const addr = kind === 0 ? at(`srv-${i % 7}.sock`) : kind === 1 && LINUX ? `\0us-leak-${process.pid}-${i}` : LINUX ? { unnamed: true as const } : at('u.sock');
        const server = await listen(addr);
        if (i % 2 === 0) {
          const client = await connect(server.address() as Parameters<typeof connect>[0]);
          (await server.accept()).destroy();
          client.destroy();
          operations += 6;
        }
        server.close();
        operations += 4;
      } else if (kind === 3) {
        const server = await listenSeqpacket(at(`seq-${i % 7}.sock`));
        const client = await connectSeqpacket(at(`seq-${i % 7}.sock`));
        (await server.accept()).close();
        client.close();
        server.close();
        operations += 10;
      } else {
        const d = createDatagramSocket({ bind: at(`dg-${i % 7}.sock`) });
        await d.close();
        operations += 3;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    return operations;
  }, SERVERS, () => {
    assert.equal(readdirSync(tmp.path).filter((f) => f.endsWith('.sock')), [], 'every socket file was unlinked');
  });
});

test(`should keep the component's linear memory flat over ${ADDRESS_CALLS.toLocaleString('en')} address calls`, async () => {
  // Inputs are made first, so the loop measures only the calls.
  const r = new Random(99);
  const addresses = Array.from({ length: 512 }, () => randomAddress(r, 'linux'));
  const encoded = addresses.map((a) => encodeSockaddr(a, { platform: 'linux' }));
  const texts = addresses.map((a) => formatAddress(a)).filter((t) => t.length > 0);
  const long = [`/${'x'.repeat(300)}`, Buffer.alloc(400, 0x61), `unix:%zz`, '@bad\\x'];
  const calls = (n: number): void => {
    for (let i = 0; i < n; i += 8) {
      const a = addresses[i & 511]!;
      validateAddress(a);
      validateAddress(long[i & 3] as string);
      try { encodeSockaddr(a); } catch { /* unnamed off Linux */ }
      decodeSockaddr(encoded[i & 511]!);
      try { parseAddress(texts[i % texts.length]!); } catch { /* never for formatted text */ }
      try { parseAddress(long[2 + (i & 1)] as string); } catch { /* bad syntax, typed */ }
      formatAddress(a);
      normalizePath('/a/./b/../c//d', { cwd: '/tmp' });
    }
  };
  calls(20_000);
  const before = await footprint();
  const started = performance.now();
  calls(ADDRESS_CALLS);
  const seconds = (performance.now() - started) / 1000;
  const after = await footprint();
  console.log(`  address calls: ${ADDRESS_CALLS} in ${seconds.toFixed(1)} s (${Math.round(ADDRESS_CALLS / seconds / 1000)}k/s); ${growth(before, after)}`);
  assert.is(after.wasm, before.wasm, 'component memory');
  assert.ok(after.heap - before.heap < 4 * 1024 * 1024, growth(before, after));
});

test.run();
