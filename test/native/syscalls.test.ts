// Socket lifecycle and data transfer through the native shim, against the real
// kernel: socketpair, bind/listen/connect/accept on paths and abstract names,
// send/recv/writev, shutdown, close, peer credentials.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { native, SHUTDOWN, SOCKET_TYPE } from '../../host/native/native.js';
import {
  abstractAddress,
  abstractName,
  descriptorFlags,
  errno,
  O_CLOEXEC,
  O_NONBLOCK,
  pathAddress,
  tempDir,
} from './_support.js';
import { RUNTIME } from '../../host/native/runtime.js';
import { moduleArgv } from '../_helpers/runtime.js';

/** A connected socketpair of the given type. */
function pair(type: number = SOCKET_TYPE.stream): [number, number] {
  const fds = new Int32Array(2);
  assert.is(native.socketPair(type, fds), 0);
  return [fds[0]!, fds[1]!];
}

function closeAll(...fds: number[]): void {
  for (const fd of fds) assert.is(native.close(fd), 0, `close(${fd})`);
}

function assertNonBlockingCloexec(fd: number): void {
  const flags = descriptorFlags(fd);
  assert.ok(flags & O_NONBLOCK, `fd ${fd} is O_NONBLOCK (flags ${flags.toString(8)})`);
  assert.ok(flags & O_CLOEXEC, `fd ${fd} is O_CLOEXEC (flags ${flags.toString(8)})`);
}

/** A listening stream socket bound to `address`. */
function listener(address: Uint8Array): number {
  const fd = native.socket(SOCKET_TYPE.stream);
  assert.ok(fd >= 0, `socket() = ${fd}`);
  assert.is(native.bind(fd, address), 0);
  assert.is(native.listen(fd, 16), 0);
  return fd;
}

/** Connects a new stream socket to `address` and accepts it on `server`. */
function connectAndAccept(server: number, address: Uint8Array): [number, number] {
  const client = native.socket(SOCKET_TYPE.stream);
  assert.ok(client >= 0);
  assert.is(native.connect(client, address), 0);
  const accepted = native.accept(server);
  assert.ok(accepted >= 0, `accept() = ${accepted}`);
  return [client, accepted];
}

// ---------------------------------------------------------------------------

const SocketPair = suite('socketPair');

SocketPair('should round-trip bytes between the two ends', () => {
  const [a, b] = pair();
  const message = Buffer.from('hello, unix');
  assert.is(native.send(a, message, 0, message.length), message.length);
  const into = new Uint8Array(64);
  const n = native.recv(b, into, 4, 60);
  assert.is(n, message.length);
  assert.equal(Buffer.from(into.subarray(4, 4 + n)).toString(), 'hello, unix');
  closeAll(a, b);
});

SocketPair('should send only the requested slice of the buffer', () => {
  const [a, b] = pair();
  assert.is(native.send(a, Buffer.from('0123456789'), 3, 4), 4);
  const into = new Uint8Array(16);
  assert.is(native.recv(b, into, 0, 16), 4);
  assert.equal(Buffer.from(into.subarray(0, 4)).toString(), '3456');
  closeAll(a, b);
});

SocketPair('should return -EAGAIN from recv on an empty socket instead of blocking', () => {
  const [a, b] = pair();
  assert.is(native.recv(a, new Uint8Array(8), 0, 8), errno('EAGAIN'));
  closeAll(a, b);
});

SocketPair('should return 0 from a zero-length recv without consuming data', () => {
  const [a, b] = pair();
  assert.is(native.recv(a, new Uint8Array(8), 0, 0), 0);
  assert.is(native.send(b, Buffer.from('x'), 0, 1), 1);
  assert.is(native.recv(a, new Uint8Array(8), 8, 0), 0);
  assert.is(native.recv(a, new Uint8Array(8), 0, 8), 1);
  closeAll(a, b);
});

SocketPair('should report EOF as 0 after the peer closed', () => {
  const [a, b] = pair();
  closeAll(b);
  assert.is(native.recv(a, new Uint8Array(8), 0, 8), 0);
  closeAll(a);
});

SocketPair('should keep datagram and seqpacket message boundaries', () => {
  for (const type of [SOCKET_TYPE.datagram, SOCKET_TYPE.seqpacket]) {
    const [a, b] = pair(type);
    assert.is(native.send(a, Buffer.from('one'), 0, 3), 3);
    assert.is(native.send(a, Buffer.from('two!'), 0, 4), 4);
    const into = new Uint8Array(16);
    assert.is(native.recv(b, into, 0, 16), 3, `type ${type} first message`);
    assert.is(native.recv(b, into, 0, 16), 4, `type ${type} second message`);
    closeAll(a, b);
  }
});

SocketPair('should create non-blocking close-on-exec descriptors', () => {
  const [a, b] = pair();
  assertNonBlockingCloexec(a);
  assertNonBlockingCloexec(b);
  closeAll(a, b);
});

SocketPair('should return -EINVAL for an unknown socket type', () => {
  const out = new Int32Array([-7, -7]);
  assert.is(native.socketPair(9, out), errno('EINVAL'));
  assert.equal([...out], [-7, -7]);
  assert.is(native.socket(0), errno('EINVAL'));
});

SocketPair.run();

// ---------------------------------------------------------------------------

const PathSockets = suite('path sockets');
let dir = { path: '', remove: () => {} };

PathSockets.before(() => {
  dir = tempDir();
});

PathSockets.after(() => {
  dir.remove();
});

PathSockets('should bind, listen, connect and accept on a filesystem path', () => {
  const path = join(dir.path, 'a.sock');
  const address = pathAddress(path);
  const server = listener(address);
  const [client, accepted] = connectAndAccept(server, address);

  const name = new Uint8Array(native.constants.sockaddrSize);
  const length = native.getSockName(server, name);
  assert.is(length, address.length);
  assert.equal([...name.subarray(0, length)], [...address]);

  const peer = new Uint8Array(native.constants.sockaddrSize);
  assert.is(native.getPeerName(client, peer), address.length);
  assert.equal([...peer.subarray(0, address.length)], [...address]);
  // The accepted end's peer (the client) is unnamed: family only.
  assert.is(native.getPeerName(accepted, peer), 2);

  assert.is(native.send(client, Buffer.from('ping'), 0, 4), 4);
  const into = new Uint8Array(8);
  assert.is(native.recv(accepted, into, 0, 8), 4);
  for (const fd of [server, client, accepted]) assertNonBlockingCloexec(fd);
  closeAll(server, client, accepted);
  assert.is(native.unlink(Buffer.from(path)), 0);
});

PathSockets('should clamp getSockName to the output length', () => {
  const address = pathAddress(join(dir.path, 'clamp.sock'));
  const server = listener(address);
  const out = new Uint8Array(5);
  assert.is(native.getSockName(server, out), 5);
  assert.equal([...out], [...address.subarray(0, 5)]);
  closeAll(server);
});

PathSockets('should return -ENOENT when connecting to a missing path', () => {
  const fd = native.socket(SOCKET_TYPE.stream);
  assert.is(native.connect(fd, pathAddress(join(dir.path, 'missing.sock'))), errno('ENOENT'));
  closeAll(fd);
});

PathSockets('should return -ECONNREFUSED when connecting to a regular file', () => {
  const path = join(dir.path, 'regular');
  writeFileSync(path, 'not a socket');
  const fd = native.socket(SOCKET_TYPE.stream);
  assert.is(native.connect(fd, pathAddress(path)), errno('ECONNREFUSED'));
  closeAll(fd);
});

PathSockets('should return -EADDRINUSE when binding an existing path', () => {
  const address = pathAddress(join(dir.path, 'busy.sock'));
  const first = listener(address);
  const second = native.socket(SOCKET_TYPE.stream);
  assert.is(native.bind(second, address), errno('EADDRINUSE'));
  closeAll(first, second);
});

PathSockets('should return -EINVAL for a sockaddr longer than sockaddr_storage', () => {
  const fd = native.socket(SOCKET_TYPE.stream);
  const tooLong = new Uint8Array(129 + 1024);
  tooLong[0] = 1;
  tooLong.fill(97, 2);
  assert.is(native.bind(fd, tooLong), errno('EINVAL'));
  assert.is(native.connect(fd, tooLong), errno('EINVAL'));
  closeAll(fd);
});

PathSockets('should exchange datagrams between bound datagram sockets', () => {
  const address = pathAddress(join(dir.path, 'dgram.sock'));
  const receiver = native.socket(SOCKET_TYPE.datagram);
  assert.is(native.bind(receiver, address), 0);
  const sender = native.socket(SOCKET_TYPE.datagram);
  assert.is(native.connect(sender, address), 0);
  assert.is(native.send(sender, Buffer.from('datagram'), 0, 8), 8);
  assert.is(native.recv(receiver, new Uint8Array(32), 0, 32), 8);
  closeAll(receiver, sender);
});

PathSockets.run();

// ---------------------------------------------------------------------------

const Abstract = suite('abstract sockets');

Abstract('should bind, connect and accept on an abstract name with an inner NUL', () => {
  const name = abstractName('abstract');
  const address = abstractAddress(name);
  const server = listener(address);

  const out = new Uint8Array(native.constants.sockaddrSize);
  const length = native.getSockName(server, out);
  assert.is(length, 2 + 1 + name.length);
  assert.equal([...out.subarray(0, length)], [...address]);

  const [client, accepted] = connectAndAccept(server, address);
  assert.is(native.getPeerName(client, out), address.length);
  assert.equal([...out.subarray(0, address.length)], [...address]);
  closeAll(server, client, accepted);
});

Abstract('should treat a name and its prefix before the inner NUL as different', () => {
  const name = abstractName('prefix');
  const server = listener(abstractAddress(name));
  const prefix = name.subarray(0, name.indexOf(0));
  const fd = native.socket(SOCKET_TYPE.stream);
  assert.is(native.connect(fd, abstractAddress(prefix)), errno('ECONNREFUSED'));
  closeAll(server, fd);
});

Abstract('should return -EADDRINUSE for an abstract name already bound', () => {
  const address = abstractAddress(abstractName('busy'));
  const first = listener(address);
  const second = native.socket(SOCKET_TYPE.stream);
  assert.is(native.bind(second, address), errno('EADDRINUSE'));
  closeAll(first, second);
});

Abstract('should return -EAGAIN from accept when nobody is connecting', () => {
  const server = listener(abstractAddress(abstractName('idle')));
  assert.is(native.accept(server), errno('EAGAIN'));
  closeAll(server);
});

Abstract.run();

// ---------------------------------------------------------------------------

const Writes = suite('writev, shutdown and close');

Writes('should gather several buffers into one sendmsg', () => {
  const [a, b] = pair();
  const parts = [Buffer.from('alpha-'), new Uint8Array(0), Buffer.from('beta-'), new Uint8Array([103, 97, 109, 109, 97])];
  assert.is(native.writev(a, parts), 16);
  const into = new Uint8Array(32);
  assert.is(native.recv(b, into, 0, 32), 16);
  assert.equal(Buffer.from(into.subarray(0, 16)).toString(), 'alpha-beta-gamma');
  assert.is(native.writev(a, []), 0);
  closeAll(a, b);
});

Writes('should send at most IOV_MAX buffers per writev', () => {
  const [a, b] = pair();
  const bufs = Array.from({ length: 1024 + 10 }, () => new Uint8Array([120]));
  assert.is(native.writev(a, bufs), 1024);
  closeAll(a, b);
});

Writes('should honour a Uint8Array view offset in writev and send', () => {
  const [a, b] = pair();
  const backing = Buffer.from('xxxxPAYLOADyyyy');
  const view = new Uint8Array(backing.buffer, backing.byteOffset + 4, 7);
  assert.is(native.writev(a, [view]), 7);
  assert.is(native.send(a, view, 1, 2), 2);
  const into = new Uint8Array(16);
  assert.is(native.recv(b, into, 0, 16), 9);
  assert.equal(Buffer.from(into.subarray(0, 9)).toString(), 'PAYLOADAY');
  closeAll(a, b);
});

Writes('should send one datagram per writev on a datagram socket', () => {
  const [a, b] = pair(SOCKET_TYPE.datagram);
  assert.is(native.writev(a, [Buffer.from('ab'), Buffer.from('cd')]), 4);
  assert.is(native.recv(b, new Uint8Array(16), 0, 16), 4);
  assert.is(native.recv(b, new Uint8Array(16), 0, 16), errno('EAGAIN'));
  closeAll(a, b);
});

Writes('should return -EPIPE (and raise no SIGPIPE) when sending after the peer closed', () => {
  const [a, b] = pair();
  closeAll(b);
  assert.is(native.send(a, Buffer.from('x'), 0, 1), errno('EPIPE'));
  assert.is(native.writev(a, [Buffer.from('y')]), errno('EPIPE'));
  closeAll(a);
});

Writes('should not raise SIGPIPE even where a plain write(2) would', () => {
  // Node ignores SIGPIPE by default, so a listener is needed to observe it: a
  // child process counts SIGPIPEs from native send/writev, then from a plain
  // write(2) (fs.writeSync) as a control that the signal is observable. On
  // Deno, whose node:fs refuses a descriptor it did not open, the control is
  // a SIGPIPE the child sends itself.
  const module = new URL('../../host/native/native.js', import.meta.url).href;
  const script = `
    import { writeSync } from 'node:fs';
    const { native } = await import(${JSON.stringify(module)});
    let signals = 0;
    process.on('SIGPIPE', () => { signals += 1; });
    const fds = new Int32Array(2);
    native.socketPair(1, fds);
    native.close(fds[1]);
    const send = native.send(fds[0], new Uint8Array(1), 0, 1);
    const writev = native.writev(fds[0], [new Uint8Array(1)]);
    await new Promise((r) => setTimeout(r, 50));
    const before = signals;
    let plain = '';
    if (${JSON.stringify(RUNTIME.name)} === 'deno') { process.kill(process.pid, 'SIGPIPE'); plain = 'kill'; }
    else try { writeSync(fds[0], 'x'); } catch (error) { plain = error.code; }
    await new Promise((r) => setTimeout(r, 50));
    console.log(JSON.stringify({ send, writev, before, after: signals, plain }));
    process.exit(0);
  `;
  const [cmd, ...args] = moduleArgv(script);
  const child = spawnSync(cmd!, args, { encoding: 'utf8', timeout: 10_000 });
  assert.is(child.signal, null, child.stderr);
  assert.is(child.status, 0, child.stderr);
  const result = JSON.parse(child.stdout) as Record<string, unknown>;
  assert.equal(result, { send: errno('EPIPE'), writev: errno('EPIPE'), before: 0, after: 1, plain: RUNTIME.name === 'deno' ? 'kill' : 'EPIPE' });
});

Writes('should shut down the write side so the peer reads EOF', () => {
  const [a, b] = pair();
  assert.is(native.shutdown(a, SHUTDOWN.write), 0);
  assert.is(native.recv(b, new Uint8Array(4), 0, 4), 0);
  assert.is(native.send(a, Buffer.from('x'), 0, 1), errno('EPIPE'));
  assert.is(native.shutdown(a, 7), errno('EINVAL'));
  closeAll(a, b);
});

Writes('should pass shutdown on an unconnected socket to the kernel, which accepts it', () => {
  // Unlike TCP, Linux AF_UNIX shutdown(2) does not check for a peer: 0, not -ENOTCONN.
  const fd = native.socket(SOCKET_TYPE.stream);
  assert.is(native.shutdown(fd, SHUTDOWN.both), 0);
  closeAll(fd);
  assert.is(native.shutdown(fd, SHUTDOWN.both), errno('EBADF'));
});

Writes('should return -EBADF when closing a descriptor twice', () => {
  const fd = native.socket(SOCKET_TYPE.stream);
  assert.is(native.close(fd), 0);
  assert.is(native.close(fd), errno('EBADF'));
  assert.is(native.send(fd, new Uint8Array(1), 0, 1), errno('EBADF'));
});

Writes.run();

// ---------------------------------------------------------------------------

const Credentials = suite('peerCredentials');

Credentials('should report this process as the peer of a socketpair', () => {
  const [a, b] = pair();
  const out = new Int32Array(3);
  assert.is(native.peerCredentials(a, out), 0);
  assert.equal([...out], [process.pid, process.getuid!(), process.getgid!()]);
  closeAll(a, b);
});

Credentials('should report this process as the peer of an accepted connection', () => {
  const address = abstractAddress(abstractName('creds'));
  const server = listener(address);
  const [client, accepted] = connectAndAccept(server, address);
  const out = new Int32Array(3);
  assert.is(native.peerCredentials(accepted, out), 0);
  assert.is(out[0], process.pid);
  assert.is(native.peerCredentials(client, out), 0);
  assert.is(out[0], process.pid);
  closeAll(server, client, accepted);
});

Credentials('should return -EBADF for a closed descriptor', () => {
  const fd = native.socket(SOCKET_TYPE.stream);
  closeAll(fd);
  assert.is(native.peerCredentials(fd, new Int32Array(3)), errno('EBADF'));
});

Credentials.run();
