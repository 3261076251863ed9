// host/messages/channel.ts and message-receive.ts, native/src/message_batch.cc: the
// batched message path over real sockets — write()/writeTo() queued per tick
// and sent by sendmmsg with 'drain' back-pressure, recvmmsg batches with a
// pause in the middle of one, the seqpacket end inside a batch, truncation,
// descriptors and failures in a batch. Nothing lost, nothing leaked.
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatagramSocket, type MessageInfo, socketPair } from '../../host/index.js';
import { assertDescriptorsAsBefore, closeFd, descriptorBaseline, fileOf } from '../_helpers/descriptors.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { event, within } from '../_helpers/wait.js';

const tmp = makeTempDir('us-mb');
const at = tmp.at;
const linux = process.platform === 'linux';
const test = suite('batched message path');

const numbered = (i: number, size = 64): Buffer => Buffer.from(String(i).padStart(size, '.'));
const numberOf = (d: Buffer): number => Number(d.toString().replace(/^\.+/, ''));

test('write() should queue past the high-water mark, return false, drain, and lose nothing, in order', async () => {
  const [a, b] = socketPair({ type: 'datagram' });
  b.pause();
  const total = 3000;
  let refused = 0;
  for (let i = 0; i < total; i++) if (!a.write(numbered(i))) refused++;
  assert.ok(refused > 0, 'write() returned false once enough waited');
  assert.ok(a.queuedSends > 0, 'messages wait');
  const seen: number[] = [];
  const all = within(new Promise<void>((resolve) => b.on('message', (d: Buffer) => {
    seen.push(numberOf(d));
    if (seen.length === total) resolve();
  })), 20000, 'all datagrams');
  const drained = event(a, 'drain', 20000);
  b.resume();
  await drained;
  await all;
  assert.equal(seen, Array.from({ length: total }, (_, i) => i), 'every datagram, in order');
  assert.is(a.queuedSends, 0);
  await a.close();
  await b.close();
});

test('write() and send() should keep one order, and writeTo() should reach its address', async () => {
  const server = createDatagramSocket({ bind: at('order.sock') });
  const client = createDatagramSocket({});
  const seen: number[] = [];
  const all = within(new Promise<void>((resolve) => server.on('message', (d: Buffer, info: MessageInfo) => {
    seen.push(numberOf(d));
    assert.is(info.length, d.length);
    if (seen.length === 200) resolve();
  })), 10000, '200 datagrams');
  const sends: Promise<void>[] = [];
  for (let i = 0; i < 200; i++) {
    if (i % 3 === 0) sends.push(client.sendTo(numbered(i), at('order.sock')));
    else client.writeTo(numbered(i), at('order.sock'));
  }
  await Promise.all(sends);
  await all;
  assert.equal(seen, Array.from({ length: 200 }, (_, i) => i));
  assert.throws(() => client.writeTo('x', 42), (e: Error & { code?: string }) => e.code === 'ERR_INVALID_ARG_TYPE');
  await client.close();
  await server.close();
});

test('writes inside a message handler should all go out, in order, to its own socket and to others', async () => {
  // A's handler writes back to B several times per message (flushed when A's
  // poll callback returns) and also to C (another channel: flushed in a microtask).
  const [a, b] = socketPair({ type: 'datagram' });
  const [c, d] = socketPair({ type: 'datagram' });
  a.on('message', (data: Buffer) => {
    const i = numberOf(data);
    for (let k = 0; k < 3; k++) a.write(numbered(i * 3 + k));
    c.write(numbered(i));
  });
  const fromA: number[] = [];
  const fromC: number[] = [];
  const count = 200;
  const doneA = within(new Promise<void>((resolve) => b.on('message', (m: Buffer) => {
    fromA.push(numberOf(m));
    if (fromA.length === count * 3) resolve();
  })), 10000, 'the replies');
  const doneC = within(new Promise<void>((resolve) => d.on('message', (m: Buffer) => {
    fromC.push(numberOf(m));
    if (fromC.length === count) resolve();
  })), 10000, 'the forwards');
  // Let reading start, then send in bursts so one callback sees several messages.
  await new Promise((r) => setTimeout(r, 10));
  for (let i = 0; i < count; i++) b.write(numbered(i));
  await Promise.all([doneA, doneC]);
  assert.equal(fromA, Array.from({ length: count * 3 }, (_, i) => i));
  assert.equal(fromC, Array.from({ length: count }, (_, i) => i));
  for (const s of [a, b, c, d]) await s.close();
});

test('a message handler that throws should not strand what it wrote', async () => {
  // The throw reaches uncaughtException (as from any event source); the
  // socket keeps working and the write made before it still goes out.
  const [a, b] = socketPair({ type: 'datagram' });
  const errors: Error[] = [];
  const onUncaught = (err: Error): void => { errors.push(err); };
  const previous = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', onUncaught);
  try {
    a.on('message', (data: Buffer) => {
      a.write(Buffer.concat([Buffer.from('re:'), data]));
      if (data.toString() === 'boom') throw new Error('handler failed');
    });
    const replies: string[] = [];
    let wake: () => void = () => {};
    b.on('message', (m: Buffer) => {
      replies.push(m.toString());
      wake();
    });
    const reply = (): Promise<void> => within(new Promise<void>((resolve) => { wake = resolve; }), 2000, 'a reply');
    await new Promise((r) => setTimeout(r, 10));
    // The reply written before the throw arrives on its own, not with the next event.
    let next = reply();
    b.write('boom');
    await next;
    next = reply();
    b.write('after');
    await next;
    assert.equal(replies, ['re:boom', 're:after']);
    assert.is(errors.length, 1);
    assert.is(errors[0]!.message, 'handler failed');
  } finally {
    process.off('uncaughtException', onUncaught);
    for (const l of previous) process.on('uncaughtException', l);
    await a.close();
    await b.close();
  }
});

test('write() failures should reach the callback, or the error event without one', async () => {
  const [a, b] = socketPair({ type: 'datagram' });
  const huge = Buffer.alloc(4 << 20);
  const viaCallback = new Promise<Error | null | undefined>((resolve) => a.write(huge, {}, resolve));
  assert.is((await within(viaCallback, 5000, 'callback') as Error & { code?: string }).code, 'EMSGSIZE');
  const ok = new Promise<Error | null | undefined>((resolve) => a.write('fine', {}, resolve));
  assert.is(await within(ok, 5000, 'callback'), null);
  const [err] = await (async () => {
    const e = event(a, 'error');
    a.write(huge);
    return e;
  })();
  assert.is((err as Error & { code?: string }).code, 'EMSGSIZE');
  await a.close();
  await b.close();
  assert.throws(() => a.write('closed'), (e: Error & { code?: string }) => e.code === 'ERR_SOCKET_CLOSED');
});

test('a pause inside a batch should hold the rest, in order, until resume', async () => {
  const [a, b] = socketPair({ type: 'datagram' });
  b.pause();
  for (let i = 0; i < 40; i++) await a.send(numbered(i));
  const seen: number[] = [];
  let pausedAt = -1;
  b.on('message', (d: Buffer) => {
    seen.push(numberOf(d));
    if (seen.length === 5) {
      b.pause();
      pausedAt = seen.length;
    }
  });
  b.resume();
  await new Promise((r) => setTimeout(r, 100));
  assert.is(pausedAt, 5);
  assert.is(seen.length, 5, 'nothing delivered while paused');
  const all = within(new Promise<void>((resolve) => b.on('message', () => { if (seen.length === 40) resolve(); })), 5000, 'the rest');
  b.resume();
  await all;
  assert.equal(seen, Array.from({ length: 40 }, (_, i) => i));
  await a.close();
  await b.close();
});

test('closing inside a batch should close the descriptors of undelivered messages', async () => {
  const file = at('held.txt');
  writeFileSync(file, 'x');
  const before = await descriptorBaseline();
  const [a, b] = socketPair({ type: 'datagram' });
  b.pause();
  const fd = openSync(file, 'r');
  for (let i = 0; i < 8; i++) await a.send(numbered(i), { fds: [fd] });
  closeSync(fd);
  const got = event(b, 'message');
  b.once('message', (_d: Buffer, info: MessageInfo) => {
    for (const f of info.fds) closeFd(f);
    void b.close();
  });
  b.resume();
  await got;
  await a.close();
  await new Promise((r) => setTimeout(r, 50));
  await assertDescriptorsAsBefore(before, 'no descriptor leaked');
});

test('a batch should flag truncation per message and report real lengths', async () => {
  const [a, b] = socketPair({ type: 'datagram', receiveSize: 8 });
  b.pause();
  const sizes = [3, 8, 9, 100, 0, 8];
  for (const n of sizes) await a.send(Buffer.alloc(n, 0x62));
  const got: [number, boolean, number][] = [];
  const all = within(new Promise<void>((resolve) => b.on('message', (d: Buffer, info: MessageInfo) => {
    got.push([d.length, info.truncated, info.length]);
    if (got.length === sizes.length) resolve();
  })), 5000, 'six datagrams');
  b.resume();
  await all;
  assert.equal(got, sizes.map((n) => [Math.min(n, 8), n > 8, linux ? n : Math.min(n, 8)]));
  await a.close();
  await b.close();
});

test('write() with descriptors under back-pressure should send duplicates: the caller may close its own at once', async () => {
  const file = at('dup.txt');
  writeFileSync(file, 'dup');
  const before = await descriptorBaseline();
  const [a, b] = socketPair({ type: 'seqpacket' });
  b.pause();
  const total = 600;
  for (let i = 0; i < total; i++) {
    const fd = openSync(file, 'r');
    a.write(numbered(i), { fds: [fd] });
    closeSync(fd);
  }
  assert.ok(a.queuedSends > 0, 'some wait for room');
  let fds = 0;
  const all = within(new Promise<void>((resolve) => b.on('message', (_d: Buffer, info: MessageInfo) => {
    for (const f of info.fds) {
      assert.is(fileOf(f).type, 'regular');
      closeFd(f);
      fds++;
    }
    if (fds === total) resolve();
  })), 20000, 'every descriptor');
  b.resume();
  await all;
  a.close();
  b.close();
  await new Promise((r) => setTimeout(r, 50));
  await assertDescriptorsAsBefore(before, 'no descriptor leaked');
});

if (linux) {
  test('seqpacket end() should wait for written records, and the end inside a batch should come once, after them', async () => {
    const [a, b] = socketPair({ type: 'seqpacket' });
    b.pause();
    for (let i = 0; i < 100; i++) a.write(numbered(i));
    a.write('');
    a.end();
    const seen: string[] = [];
    let ends = 0;
    const ended = within(new Promise<void>((resolve) => {
      b.on('message', (d: Buffer) => seen.push(d.toString()));
      b.on('end', () => {
        ends++;
        resolve();
      });
    }), 10000, 'end');
    b.resume();
    await ended;
    await new Promise((r) => setTimeout(r, 50));
    assert.is(ends, 1);
    assert.equal(seen, [...Array.from({ length: 100 }, (_, i) => numbered(i).toString()), '']);
    a.close();
    b.close();
  });
}

test.after(() => tmp.remove());
test.run();
