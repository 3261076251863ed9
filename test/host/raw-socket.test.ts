// host/raw-socket.ts: the system calls one by one, against the kernel —
// every type, waiting calls as promises, flags, decoded names, no unlink,
// close and abort while waiting, and bad input that creates nothing.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RawSocket } from '../../host/index.js';
import { assertDescriptorsAsBefore, descriptorBaseline } from '../_helpers/descriptors.js';
import { expectCode as rejects } from '../_helpers/expect.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { within } from '../_helpers/wait.js';
import { descriptorFlags, O_CLOEXEC, O_NONBLOCK } from '../native/_support.js';

const tmp = makeTempDir('us-r');
const at = tmp.at;
const linux = process.platform === 'linux';

const raw = suite('RawSocket');

raw('should bind, listen, accept, connect, send and recv a stream with peek, waitall and half-close', async () => {
  const server = RawSocket.create('stream');
  server.bind(at('s.sock'));
  server.listen(4);
  assert.equal(server.getsockname(), { path: at('s.sock') });
  const accepting = server.accept();
  const client = RawSocket.create();
  await client.connect(at('s.sock'));
  const peer = await within(accepting, 5000, 'accept');
  assert.equal(peer.getsockname(), { path: at('s.sock') });
  assert.equal(client.getpeername(), { path: at('s.sock') });
  assert.equal(client.getsockname(), { unnamed: true });

  const waiting = peer.recv(5, { waitall: true });
  assert.is(await client.send('he'), 2);
  await new Promise((r) => setTimeout(r, 10));
  assert.is(await client.send(['l', 'lo!']), 4);
  assert.is((await within(waiting, 5000, 'waitall')).toString(), 'hello');
  assert.is((await peer.recv(10, { peek: true })).toString(), '!');
  assert.is((await peer.recv(10)).toString(), '!');
  await rejects(peer.recv(10, { dontwait: true }), 'EAGAIN');
  client.shutdown('write');
  assert.is((await peer.recv(10)).length, 0, 'the end of the stream');
  for (const s of [client, peer, server]) s.close();
  server.close();
  assert.ok(existsSync(at('s.sock')), 'a raw socket never unlinks');
});

raw('should exchange datagrams with sendTo/recvFrom, abstract and unnamed senders, and flag truncation', async () => {
  const a = RawSocket.create('datagram');
  const b = RawSocket.create('datagram');
  const name = linux ? { abstract: Buffer.from(`us-raw-${process.pid}\0x`) } : at('b.sock');
  b.bind(name);
  assert.equal(b.getsockname(), name);
  const got = b.recvFrom(100);
  assert.is(await a.sendTo('first', name), 5);
  const first = await within(got, 5000, 'recvFrom');
  assert.is(first.data.toString(), 'first');
  assert.equal(first.address, { unnamed: true });
  a.bind(at('a.sock'));
  await a.sendTo('0123456789', name);
  const cut = await b.recvFrom(4);
  assert.is(cut.data.toString(), '0123');
  assert.is(cut.truncated, true);
  assert.equal(cut.address, { path: at('a.sock') });
  a.close();
  b.close();
});

raw('should accept with the flags asked for and report a peer of another type as EPROTOTYPE', async () => {
  const server = RawSocket.create('seqpacket');
  server.bind(at('q.sock'));
  server.listen();
  const client = RawSocket.create('seqpacket');
  await client.connect(at('q.sock'));
  const blocking = await server.accept({ nonblocking: false, cloexec: false });
  assert.is(descriptorFlags(blocking.fd) & (O_NONBLOCK | O_CLOEXEC), 0);
  const other = RawSocket.create('seqpacket');
  await other.connect(at('q.sock'));
  const plain = await server.accept();
  assert.is(descriptorFlags(plain.fd) & (O_NONBLOCK | O_CLOEXEC), O_NONBLOCK | O_CLOEXEC);
  await client.send('record');
  assert.is((await blocking.recv(100)).toString(), 'record', 'never blocks: MSG_DONTWAIT and readiness');
  const stream = RawSocket.create('stream');
  await rejects(stream.connect(at('q.sock')), 'EPROTOTYPE');
  for (const s of [server, client, blocking, other, plain, stream]) s.close();
});

raw('should reject a waiting call on close and on abort, and set typed options', async () => {
  const [a] = [RawSocket.create('datagram')];
  a.bind(at('w.sock'));
  const waiting = a.recv();
  a.close();
  await rejects(waiting, 'ERR_SOCKET_CLOSED');
  await rejects(a.recv(), 'ERR_SOCKET_CLOSED');
  a.close();
  const b = RawSocket.create('datagram');
  b.bind(at('x.sock'));
  const controller = new AbortController();
  const aborted = b.recv(10, { signal: controller.signal });
  controller.abort();
  await rejects(aborted, 'ABORT_ERR');
  b.setOption('SO_RCVTIMEO', 1500);
  assert.is(b.getOption('SO_RCVTIMEO'), 1500);
  assert.is(b.getOption('SO_TYPE'), 'datagram');
  b.close();
});

raw('should refuse bad input with typed errors, creating no file and leaking no descriptor', async () => {
  const before = await descriptorBaseline();
  const files = readdirSync(tmp.path).length;
  await rejects(() => RawSocket.create('raw' as never), 'ERR_INVALID_ARG_VALUE');
  await rejects(() => RawSocket.create(1 as never), 'ERR_INVALID_ARG_VALUE');
  const s = RawSocket.create('datagram');
  const bad: [unknown, string][] = [
    [at('x'.repeat(120)), 'ERR_INVALID_ARG_VALUE'], [at('nul\0inside'), 'ERR_INVALID_ARG_VALUE'], ['', 'ERR_INVALID_ARG_VALUE'],
    [42, 'ERR_INVALID_ARG_TYPE'], [at('lone-\ud800'), 'ERR_INVALID_ARG_VALUE'],
  ];
  for (const [addr, code] of bad) {
    await rejects(() => s.bind(addr), code);
    await rejects(s.connect(addr), code);
    await rejects(s.sendTo('x', addr), code);
  }
  await rejects(s.recv(-1), 'ERR_OUT_OF_RANGE');
  await rejects(s.recv('1' as never), 'ERR_INVALID_ARG_TYPE');
  await rejects(s.recv(10, { peek: 'yes' } as never), 'ERR_INVALID_ARG_TYPE');
  await rejects(s.send('x', 5 as never), 'ERR_INVALID_ARG_TYPE');
  await rejects(s.send(42), 'ERR_INVALID_ARG_TYPE');
  await rejects(() => s.shutdown('sideways' as never), 'ERR_INVALID_ARG_VALUE');
  await rejects(() => s.listen(-1), 'ERR_OUT_OF_RANGE');
  await rejects(s.accept('x' as never), 'ERR_INVALID_ARG_TYPE');
  await rejects(s.accept({ cloexec: 1 } as never), 'ERR_INVALID_ARG_TYPE');
  await rejects(s.connect(at('c.sock'), 7 as never), 'ERR_INVALID_ARG_TYPE');
  await rejects(s.sendTo('x', at('c.sock'), { fds: ['3'] } as never), 'ERR_INVALID_ARG_TYPE');
  await rejects(() => s.listen(), 'EOPNOTSUPP');
  s.close();
  assert.is(readdirSync(tmp.path).length, files, 'no file created');
  await assertDescriptorsAsBefore(before);
});

raw.after(() => tmp.remove());
raw.run();
