// host/messages/datagram.ts, seqpacket.ts, messages.ts, options.ts: datagram and
// seqpacket sockets as users call them, over real sockets; fd passing,
// credentials, truncation, back-pressure, options; python3 interop.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  connectSeqpacket, createDatagramSocket, type DatagramSocket, listenSeqpacket, type MessageInfo, socketPair,
} from '../../host/index.js';
import { assertDescriptorsAsBefore, closeFd, descriptorBaseline, readFd, sameFile } from '../_helpers/descriptors.js';
import { expectCode } from '../_helpers/expect.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { event, within } from '../_helpers/wait.js';

const tmp = makeTempDir('us-m');
const at = tmp.at;
const linux = process.platform === 'linux';

/** Too long, NUL inside, empty, wrong type, ill-formed UTF-16 (no UTF-8 form): each with its error code. */
const BAD_ADDRESSES: [unknown, string][] = [
  [at('x'.repeat(120)), 'ERR_INVALID_ARG_VALUE'],
  [at('nul\0inside'), 'ERR_INVALID_ARG_VALUE'],
  ['', 'ERR_INVALID_ARG_VALUE'],
  [42, 'ERR_INVALID_ARG_TYPE'],
  [at('lone-surrogate-\ud800'), 'ERR_INVALID_ARG_VALUE'],
];

function nextMessage(s: DatagramSocket | { once: DatagramSocket['once'] }, ms = 5000): Promise<[Buffer, MessageInfo]> {
  return within(new Promise((resolve) => (s as DatagramSocket).once('message', (d: Buffer, i: MessageInfo) => resolve([d, i]))), ms, 'message');
}

const dgram = suite('datagram sockets');

dgram('should exchange datagrams between two bound paths, reporting the sender and unlinking on close', async () => {
  const a = createDatagramSocket({ bind: at('a.sock') });
  const b = createDatagramSocket({ bind: at('b.sock') });
  assert.equal(a.address(), { path: at('a.sock') });
  const got = nextMessage(b);
  await a.sendTo('hello', at('b.sock'));
  const [data, info] = await got;
  assert.is(data.toString(), 'hello');
  assert.equal(info.address, { path: at('a.sock') });
  assert.equal(info.fds, []);
  assert.is(info.truncated, false);
  await a.close();
  await b.close();
  assert.not.ok(existsSync(at('a.sock')));
  assert.not.ok(existsSync(at('b.sock')));
});

dgram('should keep message boundaries, deliver an empty datagram, and send when connected', async () => {
  const server = createDatagramSocket({ bind: at('bounds.sock') });
  const client = createDatagramSocket({ connect: at('bounds.sock') });
  const received: string[] = [];
  const done = within(new Promise<void>((resolve) => server.on('message', (d: Buffer) => {
    received.push(d.toString());
    if (received.length === 4) resolve();
  })), 5000, 'four datagrams');
  for (const m of ['one', '', 'three', 'four']) await client.send(m);
  await done;
  assert.equal(received, ['one', '', 'three', 'four']);
  await client.close();
  await server.close();
});

if (linux) {
  dgram('should bind abstract names exactly and autobind unnamed sockets (Linux)', async () => {
    const name = `us-abs-${process.pid}\0inner`;
    const a = createDatagramSocket({ bind: { abstract: name } });
    assert.equal(a.address(), { abstract: Buffer.from(name) });
    const b = createDatagramSocket({ bind: { unnamed: true } });
    const autobound = b.address() as unknown as { abstract: Buffer };
    assert.ok('abstract' in autobound, 'autobind gives an abstract name');
    assert.is(autobound.abstract.length, 5, 'five hex digits');
    const got = nextMessage(a);
    await b.sendTo('x', { abstract: name });
    assert.equal((await got)[1].address, autobound);
    await a.close();
    await b.close();
  });
}

dgram('should flag a datagram longer than the receive size instead of cutting it silently', async () => {
  const server = createDatagramSocket({ bind: at('trunc.sock'), receiveSize: 16 });
  const client = createDatagramSocket({ connect: at('trunc.sock') });
  const got = nextMessage(server);
  await client.send(Buffer.alloc(100, 7));
  const [data, info] = await got;
  assert.is(data.length, 16);
  assert.is(info.truncated, true);
  if (linux) assert.is(info.length, 100);
  await client.close();
  await server.close();
});

dgram('should reject an oversized datagram with EMSGSIZE and a missing peer with ENOENT', async () => {
  const server = createDatagramSocket({ bind: at('big.sock') });
  const client = createDatagramSocket({});
  await expectCode(client.sendTo(Buffer.alloc(4 << 20), at('big.sock')), 'EMSGSIZE');
  await expectCode(client.sendTo('x', at('missing.sock')), 'ENOENT');
  await client.close();
  await server.close();
});

dgram('should apply back-pressure: sends wait for room and none is lost', async () => {
  const server = createDatagramSocket({ bind: at('bp.sock') });
  server.pause();
  const client = createDatagramSocket({ connect: at('bp.sock') });
  const total = 2000;
  const sends: Promise<void>[] = [];
  for (let i = 0; i < total; i++) sends.push(client.send(Buffer.from(String(i).padStart(512, '.'))));
  // The receiver is paused, so the kernel queue fills and sends wait.
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(client.queuedSends > 0, 'some sends are waiting');
  const seen: number[] = [];
  const all = within(new Promise<void>((resolve) => server.on('message', (d: Buffer) => {
    seen.push(Number(d.toString().replace(/^\.+/, '')));
    if (seen.length === total) resolve();
  })), 20000, 'all datagrams');
  server.resume();
  await Promise.all(sends);
  await all;
  assert.equal(seen, Array.from({ length: total }, (_, i) => i), 'every datagram, in order');
  await client.close();
  await server.close();
});

dgram('should pass descriptors with a datagram and receive them close-on-exec', async () => {
  const file = at('passed.txt');
  writeFileSync(file, 'content of the passed file');
  const [a, b] = socketPair({ type: 'datagram' });
  const fd = openSync(file, 'r');
  const got = nextMessage(b);
  await a.send('here', { fds: [fd] });
  const [data, info] = await got;
  assert.is(data.toString(), 'here');
  assert.is(info.fds.length, 1);
  const received = info.fds[0]!;
  assert.is.not(received, fd);
  assert.ok(sameFile(received, fd), 'the same open file');
  assert.is(readFd(received), 'content of the passed file');
  if (linux) {
    const flags = parseInt(/flags:\s*(\d+)/.exec(spawnSync('cat', [`/proc/${process.pid}/fdinfo/${received}`], { encoding: 'utf8' }).stdout)![1]!, 8);
    assert.ok(flags & 0o2000000, 'O_CLOEXEC');
  }
  closeFd(received);
  closeSync(fd);
  await a.close();
  await b.close();
});

dgram('should report descriptors beyond maxDescriptors as truncated and leak none', async () => {
  const before = await descriptorBaseline();
  const [a, b] = socketPair({ type: 'datagram', maxDescriptors: 1 });
  const fds = [0, 1, 2].map(() => openSync(at('passed.txt'), 'r'));
  const got = nextMessage(b);
  await a.send('three', { fds });
  const [, info] = await got;
  assert.is(info.fds.length, 1);
  assert.is(info.descriptorsTruncated, true);
  for (const fd of info.fds) closeFd(fd);
  for (const fd of fds) closeSync(fd);
  await a.close();
  await b.close();
  await assertDescriptorsAsBefore(before);
});

if (linux) {
  dgram('should deliver the sender credentials with passCredentials (Linux)', async () => {
    const server = createDatagramSocket({ bind: at('cred.sock'), passCredentials: true });
    const client = createDatagramSocket({ connect: at('cred.sock') });
    const got = nextMessage(server);
    await client.send('who', { credentials: true });
    const [, info] = await got;
    assert.equal(info.credentials, { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
    assert.is(server.getOption('SO_PASSCRED'), true);
    await client.close();
    await server.close();
  });
}

dgram('should recover a stale datagram socket file and never displace a live one', async () => {
  const path = at('stale.sock');
  const live = createDatagramSocket({ bind: path, unlinkOnClose: false });
  await expectCode(() => createDatagramSocket({ bind: path }), 'EADDRINUSE');
  await live.close();
  assert.ok(existsSync(path), 'unlinkOnClose: false leaves the file');
  const again = createDatagramSocket({ bind: path });
  assert.equal(again.address(), { path });
  await again.close();
  writeFileSync(at('regular'), 'not a socket');
  await expectCode(() => createDatagramSocket({ bind: at('regular') }), 'EADDRINUSE');
  assert.ok(existsSync(at('regular')), 'a non-socket is never unlinked');
});

dgram('should refuse bad input with typed errors, creating nothing and leaking nothing', async () => {
  const before = await descriptorBaseline();
  const entries = readdirSync(tmp.path).length;
  const bad = BAD_ADDRESSES;
  for (const [addr, code] of bad) {
    await expectCode(() => createDatagramSocket({ bind: addr }), code);
    await expectCode(() => createDatagramSocket({ connect: addr }), code);
  }
  const ok = createDatagramSocket({});
  for (const [addr, code] of bad) await expectCode(ok.sendTo('x', addr), code === 'ERR_INVALID_ARG_TYPE' ? code : 'ERR_INVALID_ARG_VALUE');
  await expectCode(ok.send(12 as unknown as string), 'ERR_INVALID_ARG_TYPE');
  await expectCode(ok.send('x', { fds: [-1] }), 'ERR_OUT_OF_RANGE');
  await expectCode(ok.send('x', { fds: Array(300).fill(0) }), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => createDatagramSocket({ bind: at('opt.sock'), receiveSize: 0 }), 'ERR_OUT_OF_RANGE');
  await ok.close();
  await expectCode(ok.send('x'), 'ERR_SOCKET_CLOSED');
  assert.is(readdirSync(tmp.path).length, entries, 'nothing created');
  await assertDescriptorsAsBefore(before, 'no descriptor leaked');
});

dgram('should read and set typed socket options and refuse unknown names and bad values', async () => {
  const s = createDatagramSocket({});
  assert.is(s.getOption('SO_TYPE'), 'datagram');
  assert.is(s.getOption('SO_ACCEPTCONN'), false);
  assert.is(s.getOption('SO_ERROR'), null);
  s.setOption('SO_SNDBUF', 65536);
  assert.ok(s.getOption('SO_SNDBUF') >= 65536);
  s.setOption('SO_LINGER', { enabled: true, seconds: 3 });
  assert.equal(s.getOption('SO_LINGER'), { enabled: true, seconds: 3 });
  s.setOption('SO_RCVTIMEO', 1500);
  assert.is(s.getOption('SO_RCVTIMEO'), 1500);
  await expectCode(() => s.getOption('SO_BOGUS' as 'SO_TYPE'), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => s.setOption('SO_TYPE', 'stream'), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => s.setOption('SO_SNDBUF', -1), 'ERR_OUT_OF_RANGE');
  await expectCode(() => s.setOption('SO_PASSCRED', 1 as unknown as boolean), 'ERR_INVALID_ARG_TYPE');
  await expectCode(() => s.setOption('SO_LINGER', { enabled: 'yes' } as unknown as { enabled: boolean; seconds: number }), 'ERR_INVALID_ARG_TYPE');
  await s.close();
});

dgram('should interoperate with python3 datagrams and SCM_RIGHTS both ways', async () => {
  if (spawnSync('python3', ['-c', 'import socket; socket.send_fds'], { stdio: 'ignore' }).status !== 0) {
    console.log('    (skipped: python3 with socket.send_fds is not installed)');
    return;
  }
  const mine = createDatagramSocket({ bind: at('py-me.sock') });
  const script = `
import socket, os, sys
me, peer, passed = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(me)
fd = os.open(passed, os.O_RDONLY)
s.sendmsg([b'from python'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, bytes(memoryview(__import__('array').array('i', [fd]))))], 0, peer)
msg, fds, flags, addr = socket.recv_fds(s, 1024, 4)
print(msg.decode(), os.read(fds[0], 100).decode(), addr)
`;
  const child = spawn('python3', ['-c', script, at('py-peer.sock'), at('py-me.sock'), at('passed.txt')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = event(child, 'exit', 20000);
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d; });
  try {
  const [data, info] = await nextMessage(mine, 10000);
  assert.is(data.toString(), 'from python');
  assert.is(info.fds.length, 1);
  assert.equal(info.address, { path: at('py-peer.sock') });
  const fd = openSync(at('passed.txt'), 'r');
  await mine.sendTo('from node', at('py-peer.sock'), { fds: [fd] });
  closeSync(fd);
  closeFd(info.fds[0]!);
  await exited;
  assert.is(out.trim(), `from node content of the passed file ${at('py-me.sock')}`);
  } finally {
    child.kill();
    await mine.close();
  }
});

dgram.run();

const seq = suite('seqpacket sockets');

if (!linux) {
  seq('should report seqpacket as unsupported off Linux', () => {
    console.log('    (seqpacket tests run on Linux only)');
  });
} else {
  seq('should keep record boundaries, carry descriptors, and tell an empty record from the end', async () => {
    const path = at('seq.sock');
    const server = await listenSeqpacket(path);
    const accepted = server.accept();
    const client = await connectSeqpacket(path);
    const peer = await accepted;
    const records: string[] = [];
    let fdCount = 0;
    const ended = within(new Promise<void>((resolve) => {
      peer.on('message', (d: Buffer, info: MessageInfo) => {
        records.push(d.toString());
        fdCount += info.fds.length;
        for (const fd of info.fds) closeFd(fd);
      });
      peer.on('end', () => resolve());
    }), 5000, 'end');
    const fd = openSync(at('passed.txt'), 'r');
    await client.send('first');
    await client.send('');
    await client.send('third', { fds: [fd] });
    closeSync(fd);
    client.end();
    await ended;
    assert.equal(records, ['first', '', 'third']);
    assert.is(fdCount, 1);
    assert.equal(peer.peerCredentials().pid, process.pid);
    client.close();
    peer.close();
    await server.close();
    assert.not.ok(existsSync(path));
  });

  seq('should refuse a stream client on a seqpacket server with EPROTOTYPE', async () => {
    const path = at('proto.sock');
    const server = await listenSeqpacket(path);
    const { connect } = await import('../../host/index.js');
    await expectCode(connect(path), 'EPROTOTYPE');
    await server.close();
  });

  seq('should pair seqpacket sockets and refuse bad input', async () => {
    const [a, b] = socketPair({ type: 'seqpacket' });
    const got = nextMessage(b as unknown as DatagramSocket);
    await a.send(['two ', 'parts']);
    assert.is((await got)[0].toString(), 'two parts');
    a.close();
    b.close();
    await expectCode(() => socketPair({ type: 'raw' as 'stream' }), 'ERR_INVALID_ARG_VALUE');
    await expectCode(connectSeqpacket(''), 'ERR_INVALID_ARG_VALUE');
    await expectCode(connectSeqpacket(at('none.sock')), 'ENOENT');
  });

  seq('should refuse bad input at listenSeqpacket and connectSeqpacket, creating nothing and leaking nothing', async () => {
    const before = await descriptorBaseline();
    const entries = readdirSync(tmp.path).length;
    for (const [addr, code] of BAD_ADDRESSES) {
      await expectCode(listenSeqpacket(addr), code);
      await expectCode(connectSeqpacket(addr), code);
    }
    await expectCode(listenSeqpacket(at('opt.sock'), { receiveSize: 0 }), 'ERR_OUT_OF_RANGE');
    await expectCode(connectSeqpacket(at('opt.sock'), { maxDescriptors: 'many' as unknown as number }), 'ERR_INVALID_ARG_TYPE');
    assert.is(readdirSync(tmp.path).length, entries, 'nothing created');
    await assertDescriptorsAsBefore(before, 'no descriptor leaked');
  });
}

seq.after(() => tmp.remove());
seq.run();
