// Fuzzing of control-message parsing (issue 7, item 2): real sendmsg(2) with
// random ancillary data — 0 to 300 descriptors (past SCM_MAX_FD too), with
// or without SCM_CREDENTIALS, SO_PASSCRED on or off — received with random
// descriptor capacities (CTRUNC), buffer sizes (MSG_TRUNC), peeks and
// address buffers, on datagram, seqpacket and stream sockets. Two layers:
// the native receiveMessage (the C++ cmsg walk) and the MessageChannel of
// DatagramSocket/SeqpacketSocket and descriptors riding on stream writes
// (UnixSocket.send); plus messages from another process
// (python3) with credentials other than ours. Every received descriptor must
// be the one sent (same device and inode) and none may leak; every flag must
// match what was sent. Each part runs for UNIXSOCK_FUZZ_SECONDS (default 2).
import { constants } from 'node:os';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeSockaddr, type MessageInfo, socketPair, UnixsockAddressError } from '../../host/index.js';
import type { DescriptorsInfo } from '../../host/socket.js';
import { MESSAGE_FLAG, native, SOCKET_OPTION, SOCKET_TYPE } from '../../host/native/native.js';
import { Random } from '../_helpers/random.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { within } from '../_helpers/wait.js';
import { FUZZ_SECONDS } from '../hardening/_budget.js';
import { identityOf, identityOfPath, leakedSince, openDescriptors, openSources } from './_descriptors.js';
import { peerMessages, python3 } from './_python-peer.js';
import { isTrap } from './_target.js';

const LINUX = process.platform === 'linux';
const SEED = Number(process.env.UNIXSOCK_SEED ?? 0xc0de);
const MAX_FDS = native.constants.maxDescriptorsPerMessage;
const EINVAL = -constants.errno.EINVAL;
const tmp = makeTempDir('us-fm');
const sources = openSources(tmp.path, 5);

/** A descriptor count: mostly small, sometimes up to and past SCM_MAX_FD. */
function descriptorCount(r: Random): number {
  const bucket = r.int(0, 19);
  if (bucket < 6) return 0;
  if (bucket < 14) return r.int(1, 8);
  if (bucket < 19) return r.int(9, MAX_FDS);
  return r.int(MAX_FDS + 1, 300);
}

/** `k` descriptors drawn from the sources, and their identities in order. */
function pickSources(r: Random, k: number): { fds: number[]; identities: string[] } {
  const picks = Array.from({ length: k }, () => r.int(0, sources.fds.length - 1));
  return { fds: picks.map((i) => sources.fds[i]!), identities: picks.map((i) => sources.identities[i]!) };
}

/** Check the received descriptors are the sent ones, in order, then close them. */
function takeDescriptors(received: readonly number[], identities: readonly string[], label: string): void {
  received.forEach((fd, i) => {
    assert.is(identityOf(fd), identities[i], `${label}: descriptor ${i} is the one sent`);
    assert.is(native.close(fd), 0, `${label}: close received descriptor`);
  });
}

const INFO = new Int32Array(8);

const raw = suite('fuzz: native receiveMessage with random ancillary data');

raw(`should parse ${FUZZ_SECONDS} s of random control messages exactly, leaking no descriptor`, () => {
  if (!LINUX) return;
  const r = new Random(SEED);
  const initial = openDescriptors();
  const pairs = ([SOCKET_TYPE.datagram, SOCKET_TYPE.seqpacket, SOCKET_TYPE.stream] as const).map((type) => {
    const out = new Int32Array(2);
    assert.is(native.socketPair(type, out), 0);
    return { type, sender: out[0]!, receiver: out[1]! };
  });
  const baseline = openDescriptors();
  const deadline = performance.now() + FUZZ_SECONDS * 1000;
  const tally = { messages: 0, descriptors: 0, controlTruncated: 0, truncated: 0, peeks: 0, tooMany: 0, credentials: 0, badArguments: 0 };
  try {
    for (let i = 0; performance.now() < deadline; i++) {
      const { type, sender, receiver } = r.pick(pairs);
      const stream = type === SOCKET_TYPE.stream;
      const label = `#${i} type ${type}`;
      const passCredentials = r.int(0, 1) === 1;
      assert.is(native.setSocketOption(receiver, SOCKET_OPTION.SO_PASSCRED, passCredentials ? 1 : 0), 0);
      const k = descriptorCount(r);
      const { fds, identities } = pickSources(r, k);
      const length = r.int(stream ? 1 : 0, 600);
      const payload = r.bytes(length);
      const credentials = r.int(0, 2) === 0;
      const sent = native.sendMessage(sender, [payload], k > 0 ? Int32Array.from(fds) : null, null, credentials);
      if (k > MAX_FDS) {
        assert.is(sent, EINVAL, `${label}: ${k} descriptors is past SCM_MAX_FD`);
        tally.tooMany++;
        continue;
      }
      assert.is(sent, length, `${label}: sendmsg`);

      // A fraction of calls with arguments out of range: a TypeError, nothing received.
      if (r.int(0, 19) === 0) {
        const buf = new Uint8Array(r.int(0, 64));
        try {
          native.receiveMessage(receiver, buf, buf.length + r.int(0, 3), r.int(1, 64), new Int32Array(1), null, INFO, false);
          assert.unreachable(`${label}: offset + length past the buffer must throw`);
        } catch (err) {
          assert.instance(err, TypeError, `${label}: ${String(err)}`);
        }
        tally.badArguments++;
      }

      const capacity = r.int(0, 6) === 0 ? r.int(0, 300) : r.int(0, 12);
      const fdsOut = new Int32Array(capacity);
      const addrOut = r.int(0, 2) === 0 ? null : new Uint8Array(r.int(0, 200));
      const size = stream ? length + r.int(0, 20) : r.int(0, length + 20);
      const buf = new Uint8Array(size + r.int(0, 8));
      const offset = buf.length - size;
      const receive = (peek: boolean): number => native.receiveMessage(receiver, buf, offset, size, fdsOut, addrOut, INFO, peek);
      const check = (n: number, what: string): void => {
        assert.is(n, length, `${label} ${what}: length`);
        const copied = Math.min(length, size);
        assert.is(INFO[0], copied, `${label} ${what}: bytes copied`);
        assert.ok(Buffer.from(buf.subarray(offset, offset + copied)).equals(payload.subarray(0, copied)), `${label} ${what}: bytes`);
        const truncated = (INFO[1]! & MESSAGE_FLAG.truncated) !== 0;
        assert.is(truncated, !stream && length > size, `${label} ${what}: MSG_TRUNC`);
        const expected = Math.min(k, capacity);
        assert.is(INFO[2], expected, `${label} ${what}: descriptor count (sent ${k}, room ${capacity})`);
        const lost = (INFO[1]! & MESSAGE_FLAG.controlTruncated) !== 0;
        assert.is(lost, k > capacity || (passCredentials && capacity === 0 && k > 0), `${label} ${what}: control truncated (sent ${k}, room ${capacity})`);
        if (lost) tally.controlTruncated++;
        if (truncated) tally.truncated++;
        takeDescriptors(Array.from(fdsOut.subarray(0, INFO[2])), identities, `${label} ${what}`);
        assert.is(INFO[4], passCredentials ? 1 : 0, `${label} ${what}: credentials present`);
        if (passCredentials) {
          tally.credentials++;
          assert.equal([INFO[5], INFO[6], INFO[7]], [process.pid, process.getuid!(), process.getgid!()], `${label} ${what}: credentials`);
        }
        assert.ok(INFO[3]! <= (addrOut?.length ?? 0), `${label} ${what}: address length`);
        if (addrOut !== null && INFO[3]! > 0) {
          try {
            decodeSockaddr(addrOut.subarray(0, INFO[3]));
          } catch (err) {
            assert.ok(err instanceof UnixsockAddressError && !isTrap(err), `${label}: decoding the sender address: ${String(err)}`);
          }
        }
      };
      if (r.int(0, 4) === 0) {
        check(receive(true), 'peek');
        tally.peeks++;
      }
      check(receive(false), 'receive');
      tally.messages++;
      tally.descriptors += Math.min(k, capacity);
      if (i % 256 === 0) assert.equal(leakedSince(baseline, sources.identities), [], `${label}: open descriptors back to the baseline`);
    }
  } finally {
    for (const p of pairs) {
      native.close(p.sender);
      native.close(p.receiver);
    }
  }
  assert.equal(leakedSince(initial, sources.identities), [], 'no descriptor leaked');
  assert.equal(sources.lost(), [], 'no descriptor of ours closed');
  console.log(`  fuzz control messages (native): ${JSON.stringify(tally)}`);
  assert.ok(tally.messages >= 20 && tally.controlTruncated > 0 && tally.truncated > 0 && tally.tooMany > 0, JSON.stringify(tally));
});

raw.run();

// ---

const host = suite('fuzz: DatagramSocket and SeqpacketSocket with random ancillary data');

host(`should deliver ${FUZZ_SECONDS} s of random messages with exact MessageInfo, leaking no descriptor`, async () => {
  if (!LINUX) return;
  const r = new Random(SEED + 1);
  const baseline = openDescriptors();
  const deadline = performance.now() + FUZZ_SECONDS * 1000;
  const tally = { messages: 0, descriptorsTruncated: 0, truncated: 0, refused: 0 };
  for (let i = 0; performance.now() < deadline; i++) {
    const type = r.pick(['datagram', 'seqpacket'] as const);
    const maxDescriptors = r.int(1, 300);
    const receiveSize = r.int(1, 700);
    const [a, b] = type === 'datagram'
      ? socketPair({ type, maxDescriptors, receiveSize })
      : socketPair({ type, maxDescriptors, receiveSize });
    const label = `#${i} ${type} maxDescriptors ${maxDescriptors} receiveSize ${receiveSize}`;
    try {
      const passCredentials = type === 'seqpacket' || r.int(0, 1) === 1;
      if (type === 'datagram' && passCredentials) b.setOption('SO_PASSCRED', true);
      for (let m = r.int(1, 4); m > 0; m--) {
        const k = descriptorCount(r);
        const { fds, identities } = pickSources(r, k);
        const payload = r.bytes(r.int(0, 800));
        const credentials = r.int(0, 2) === 0;
        const forms = fds.map((fd) => (r.int(0, 1) === 0 ? fd : { fd }));
        if (k > MAX_FDS) {
          await within(a.send(payload, { fds: forms, credentials }).then(
            () => assert.unreachable(`${label}: ${k} descriptors sent`),
            (err: { code?: string }) => assert.is(err.code, 'ERR_INVALID_ARG_VALUE', `${label}: ${String(err)}`),
          ), 5000, 'send refusal');
          tally.refused++;
          continue;
        }
        const got = within(new Promise<[Buffer, MessageInfo]>((resolve) => b.once('message', (d: Buffer, info: MessageInfo) => resolve([d, info]))), 5000, `${label}: message`);
        await within(a.send(payload, { fds: forms, credentials }), 5000, `${label}: send`);
        const [data, info] = await got;
        assert.ok(data.equals(payload.subarray(0, receiveSize)), `${label}: data`);
        assert.is(info.length, payload.length, `${label}: length`);
        assert.is(info.truncated, payload.length > receiveSize, `${label}: truncated`);
        assert.is(info.fds.length, Math.min(k, maxDescriptors), `${label}: descriptors (sent ${k})`);
        assert.is(info.descriptorsTruncated, k > maxDescriptors, `${label}: descriptorsTruncated (sent ${k})`);
        takeDescriptors(info.fds, identities, label);
        assert.is(info.credentials !== undefined, passCredentials, `${label}: credentials present`);
        if (info.credentials !== undefined) assert.equal(info.credentials, { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() }, `${label}: credentials`);
        tally.messages++;
        if (info.truncated) tally.truncated++;
        if (info.descriptorsTruncated) tally.descriptorsTruncated++;
      }
    } finally {
      // DatagramSocket.close() returns a promise, SeqpacketSocket.close() nothing: await both.
      for (const s of [a, b]) await (s as { close(): unknown }).close();
    }
  }
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(leakedSince(baseline, sources.identities), [], 'no descriptor leaked');
  assert.equal(sources.lost(), [], 'no descriptor of ours closed');
  console.log(`  fuzz control messages (sockets): ${JSON.stringify(tally)}`);
  assert.ok(tally.messages >= 10 && tally.descriptorsTruncated > 0 && tally.truncated > 0, JSON.stringify(tally));
});

host(`should place ${FUZZ_SECONDS} s of random descriptor sends on stream sockets exactly, leaking none`, async () => {
  if (!LINUX) return;
  const r = new Random(SEED + 2);
  const baseline = openDescriptors();
  const deadline = performance.now() + FUZZ_SECONDS * 1000;
  const tally = { sends: 0, withDescriptors: 0, truncated: 0, bytes: 0 };
  for (let i = 0; performance.now() < deadline; i++) {
    const maxDescriptors = r.int(1, 300);
    const [a, b] = socketPair({ maxDescriptors });
    const label = `#${i} stream maxDescriptors ${maxDescriptors}`;
    // What was sent: each write's stream offset, its bytes and its descriptors' identities.
    const sends: { offset: number; identities: string[]; seen: boolean }[] = [];
    const events: [number[], DescriptorsInfo][] = [];
    const chunks: Buffer[] = [];
    b.on('descriptors', (fds: number[], info: DescriptorsInfo) => events.push([fds, info]));
    b.on('data', (d: Buffer) => chunks.push(d));
    const ended = within(new Promise((resolve) => b.once('end', resolve)), 10_000, `${label}: end`);
    let offset = 0;
    const sent: Buffer[] = [];
    try {
      for (let m = r.int(1, 16); m > 0; m--) {
        const k = r.int(0, 3) === 0 ? 0 : Math.min(descriptorCount(r), MAX_FDS);
        const { fds, identities } = pickSources(r, k);
        const data = r.bytes(r.int(1, r.int(0, 3) === 0 ? 300_000 : 2_000));
        if (k > 0) sends.push({ offset, identities, seen: false });
        sent.push(data);
        offset += data.length;
        if (k > 0 || r.int(0, 1) === 0) await within(a.send(data, { fds: k > 0 ? fds : undefined }), 10_000, `${label}: send`);
        else a.write(data);
        tally.sends++;
        if (k > 0) tally.withDescriptors++;
      }
      a.end();
      await ended;
      const all = Buffer.concat(chunks);
      assert.ok(all.equals(Buffer.concat(sent)), `${label}: the bytes arrive whole and in order`);
      tally.bytes += all.length;
      for (const [fds, info] of events) {
        const owner = sends.find((s) => !s.seen && s.offset >= info.start && s.offset < info.end);
        assert.ok(owner !== undefined, `${label}: descriptors at [${info.start}, ${info.end}) belong to no send`);
        owner.seen = true;
        const expected = owner.identities.slice(0, maxDescriptors);
        assert.equal(fds.map((fd) => identityOf(fd)), expected, `${label}: descriptors of the send at ${owner.offset}`);
        assert.is(info.truncated, owner.identities.length > maxDescriptors, `${label}: truncated (sent ${owner.identities.length})`);
        if (info.truncated) tally.truncated++;
      }
      assert.ok(sends.every((s) => s.seen), `${label}: every send's descriptors arrived`);
    } finally {
      for (const [fds] of events) for (const fd of fds) native.close(fd);
      a.destroy();
      b.destroy();
    }
  }
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(leakedSince(baseline, sources.identities), [], 'no descriptor leaked');
  assert.equal(sources.lost(), [], 'no descriptor of ours closed');
  console.log(`  fuzz descriptors on streams: ${JSON.stringify(tally)}`);
  assert.ok(tally.withDescriptors >= 10 && tally.truncated > 0, JSON.stringify(tally));
});

host('should report another process\'s credentials and descriptors exactly (python3 peer, uid/gid below 2^31)', async () => {
  if (!LINUX) return;
  if (!python3()) {
    console.log('  skipped: python3 with socket.SCM_CREDENTIALS is not available');
    return;
  }
  const baseline = openDescriptors();
  const count = 200;
  const { sent, received } = await peerMessages(SEED, count, 0x7fffffff);
  for (const [, info] of received) for (const fd of info.fds) native.close(fd);
  assert.is(received.length, sent.length);
  received.forEach(([data, info], i) => {
    const [length, n, pid, uid, gid] = sent[i]!;
    assert.is(data.length, length, `#${i} length`);
    assert.is(info.fds.length, n, `#${i} descriptors`);
    assert.equal(info.credentials, { pid, uid, gid }, `#${i} credentials`);
  });
  await new Promise((resolve) => setImmediate(resolve));
  // The peer sends its standard input, /dev/null.
  assert.equal(leakedSince(baseline, [identityOfPath('/dev/null')]), [], 'no descriptor leaked');
});

host.after(() => {
  sources.close();
  tmp.remove();
});

host.run();
