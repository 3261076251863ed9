// Smoke suite for a runtime other than Node: `npm run test:bun` runs this
// file (dist/test/bun/smoke.js) under the pinned Bun (build/test-bun.mjs).
// It also runs under Node, which is how it is checked itself.
//
// The same dist/unixsock.wasm and native addon as under Node, against the
// real kernel:
// - the address functions;
// - the engine's `sockets` exports, called synchronously;
// - stream echo over a path and an abstract name, datagrams with their sender, socketpair
//   and SCM_RIGHTS, through the calls that never wait (RawSocket, the addon);
// - the libuv readiness path (listen/connect/socketPair of the public API) in a child
//   process, because Bun aborts at an unsupported libuv function (see docs/embedding.md);
// - the engine's `policy` exports on fresh instances, and a plugin (probe.wasm) that blocks
//   in the `wait` import while another process connects: no libuv involved;
// - createEngine({ policy }), when it exists.
//
// Prints one line per case and a summary. Exits 1 on a failure, or when it
// runs past GLOBAL_MS. That timer only fires while the event loop turns; a
// hang in synchronous code (a plugin blocked in `wait`) is stopped by the
// runner's hard limit (build/test-bun.mjs, 90 s, SIGKILL).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from '../../host/index.js';
import { ComponentInstance, sharedInstance, componentModule } from '../../host/component/component.js';
import { native } from '../../host/native/native.js';
import { SocketsBinding } from '../../host/component/sockets-binding.js';
import { makeTempDir } from '../_helpers/tmpdir.js';

const GLOBAL_MS = 60_000;
const CASE_MS = 10_000;
const started = performance.now();
const runtime = process.versions['bun'] !== undefined ? `bun ${process.versions['bun']}` : `node ${process.versions.node}`;

const globalTimer = setTimeout(() => {
  console.log(`bun smoke: FAILED, still running after ${GLOBAL_MS / 1000} s (${runtime})`);
  process.exit(1);
}, GLOBAL_MS);

/** Thrown by a case that cannot run here; its message is the reason. */
class Skip extends Error {}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual, bytesAsHex);
  const e = JSON.stringify(expected, bytesAsHex);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

function bytesAsHex(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `<${Buffer.from(value).toString('hex')}>`;
  if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer') {
    return `<${Buffer.from((value as { data: number[] }).data).toString('hex')}>`;
  }
  return value;
}

const tmp = makeTempDir('us-bun-');
const cases: { name: string; run: () => unknown }[] = [];
const test = (name: string, run: () => unknown): void => {
  cases.push({ name, run });
};

// --- address

test('address: validate, encode, decode, parse, format', () => {
  same(api.validateAddress('/tmp/app.sock'), { ok: true, address: { path: '/tmp/app.sock' } }, 'validate');
  const long = api.validateAddress(`/tmp/${'x'.repeat(120)}`);
  check(!long.ok && long.reason === 'path-too-long', `a 125-byte path: ${JSON.stringify(long)}`);
  same(api.encodeSockaddr('\0my\0name'), Buffer.from([1, 0, 0, 0x6d, 0x79, 0, 0x6e, 0x61, 0x6d, 0x65]), 'encode abstract');
  same(api.encodeSockaddr('/tmp/s', { platform: 'macos' }), Buffer.from([9, 1, 0x2f, 0x74, 0x6d, 0x70, 0x2f, 0x73, 0]), 'encode macOS');
  same(api.decodeSockaddr(Buffer.from([1, 0, 0, 0x61, 0])), { abstract: Buffer.from([0x61, 0]) }, 'decode keeps the trailing NUL');
  same(api.parseAddress('@svc\\x00v2'), { abstract: Buffer.from('svc\0v2') }, 'parse');
  same(api.formatAddress({ path: Buffer.from([0x2f, 0xff]) }), 'unix:///%FF', 'format');
  check(api.isUnixSocketPath('rel.sock'), 'isUnixSocketPath(rel.sock)');
});

// --- the engine's sockets exports, synchronously (component + syscalls imports)

test('engine sockets exports: listen, connect, accept, addresses, close', () => {
  const b = new SocketsBinding(sharedInstance());
  const path = join(tmp.path, 'engine.sock');
  const options = { socketType: 'stream' as const, backlog: 8, mode: 0o600, unlinkOnClose: true, recoverStale: true, workingDirectory: undefined };
  const l = b.listen({ kind: 0, value: path }, options);
  check(l.ok, `listen: ${JSON.stringify(l)}`);
  const c = b.connect({ kind: 0, value: path }, 'stream');
  check(c.ok, `connect: ${JSON.stringify(c)}`);
  const a = b.accept(l.value);
  check(a.ok && a.value !== 0, `accept: ${JSON.stringify(a)}`);
  same(b.remoteAddress(c.value), { ok: true, value: { kind: 0, value: path } }, 'remote address');
  const missing = b.connect({ kind: 0, value: join(tmp.path, 'missing.sock') }, 'stream');
  check(!missing.ok && missing.failure.kind === 'os' && missing.failure.errno === 'ENOENT', `connect to nothing: ${JSON.stringify(missing)}`);
  for (const [close, drop, h] of [[b.closeConnection, b.dropConnection, a.value], [b.closeConnection, b.dropConnection, c.value], [b.closeListener, b.dropListener, l.value]] as const) {
    const r = close.call(b, h);
    check(r.ok, `close: ${JSON.stringify(r)}`);
    drop.call(b, h);
  }
  check(!existsSync(path), 'the listener unlinked its socket file on close');
});

// --- stream echo through calls that never wait

async function echo(addr: string): Promise<void> {
  const server = api.RawSocket.create('stream');
  const client = api.RawSocket.create('stream');
  try {
    server.bind(addr);
    server.listen(8);
    await client.connect(addr); // AF_UNIX connects at once while the backlog has room
    const peer = await server.accept(); // pending already: no wait
    try {
      // The kernel queues AF_UNIX bytes before send returns, so dontwait never sees EAGAIN.
      await client.send('ping', { dontwait: true });
      const got = await peer.recv(64, { dontwait: true });
      same(got.toString(), 'ping', 'server received');
      await peer.send(Buffer.concat([got, Buffer.from('/pong')]), { dontwait: true });
      same((await client.recv(64, { dontwait: true })).toString(), 'ping/pong', 'client received');
      same(client.getpeername(), api.decodeSockaddr(api.encodeSockaddr(addr)), 'peer name');
    } finally {
      peer.close();
    }
  } finally {
    client.close();
    server.close();
  }
}

test('stream echo over a path', () => echo(join(tmp.path, 'echo.sock')));

test('stream echo over an abstract name', () => {
  if (!api.capabilities().abstractNamespace) throw new Skip('no abstract namespace on this platform');
  return echo(`\0unixsock-bun-${process.pid}`);
});

// --- datagrams

test('datagram send/receive with the sender address (autobind)', async () => {
  const path = join(tmp.path, 'dgram.sock');
  const server = api.RawSocket.create('datagram');
  const client = api.RawSocket.create('datagram');
  try {
    server.bind(path);
    client.bind({ unnamed: true });
    const sent = await client.sendTo('datagram', path, { dontwait: true });
    same(sent, 8, 'bytes sent');
    const got = await server.recvFrom(64, { dontwait: true });
    same(got.data.toString(), 'datagram', 'data');
    same(got.address, client.getsockname(), 'sender = the client autobound name');
    const cut = await client.sendTo('0123456789', path, { dontwait: true });
    same(cut, 10, 'bytes sent');
    const short = await server.recvFrom(4, { dontwait: true });
    check(short.truncated && short.data.toString() === '0123', `truncated datagram: ${JSON.stringify(short)}`);
  } finally {
    client.close();
    server.close();
  }
});

// --- socketpair and SCM_RIGHTS through the addon (one system call each)

const INFO = new Int32Array(8);

test('socketpair (stream and seqpacket), bytes both ways', () => {
  for (const type of [1, 3]) {
    const fds = new Int32Array(2);
    same(native.socketPair(type, fds), 0, `socketPair(${type})`);
    try {
      same(native.sendMessage(fds[0]!, Buffer.from('there'), null, null, false), 5, 'sent');
      const buf = Buffer.alloc(16);
      same(native.receiveMessage(fds[1]!, buf, 0, 16, new Int32Array(0), null, INFO, false), 5, 'received');
      same(buf.subarray(0, 5).toString(), 'there', 'bytes');
      same(native.receiveMessage(fds[1]!, buf, 0, 16, new Int32Array(0), null, INFO, false) < 0, true, 'nothing more queued (EAGAIN)');
    } finally {
      native.close(fds[0]!);
      native.close(fds[1]!);
    }
  }
});

test('fd passing: SCM_RIGHTS from RawSocket.sendTo, received as the same open file', async () => {
  const path = join(tmp.path, 'fds.sock');
  const receiver = api.RawSocket.create('datagram');
  const sender = api.RawSocket.create('datagram');
  const file = openSync(fileURLToPath(import.meta.url), 'r');
  const fdsOut = new Int32Array(4);
  try {
    receiver.bind(path);
    await sender.sendTo('F', path, { dontwait: true, fds: [file] });
    const buf = Buffer.alloc(8);
    same(native.receiveMessage(receiver.fd, buf, 0, 8, fdsOut, null, INFO, false), 1, 'received one byte');
    same(INFO[2], 1, 'descriptor count');
    const mine = new BigUint64Array(3);
    const theirs = new BigUint64Array(3);
    same(native.fileIdentity(file, mine), 0, 'fstat sent');
    same(native.fileIdentity(fdsOut[0]!, theirs), 0, 'fstat received');
    same([theirs[0]!.toString(), theirs[1]!.toString()], [mine[0]!.toString(), mine[1]!.toString()], 'same device and inode');
    check(fdsOut[0] !== file, 'a new descriptor');
  } finally {
    if (INFO[2]! > 0) native.close(fdsOut[0]!);
    closeSync(file);
    sender.close();
    receiver.close();
  }
});

// --- readiness (the reactor on Bun), in a child process

test('readiness: listen, connect, echo, socketPair of the public API (child process)', () => {
  const dir = join(tmp.path, 'child');
  mkdirSync(dir);
  const script = fileURLToPath(new URL('readiness.js', import.meta.url));
  const child = spawnSync(process.execPath, [script, dir], { encoding: 'utf8', timeout: CASE_MS - 1000, env: { ...process.env, NO_COLOR: '1' } });
  const stderr = child.stderr.replace(/\u001b\[[0-9;]*m/g, '');
  // A runtime without a faithful uv_poll must never reach it (Bun aborts at
  // uv_poll_init): host/native/runtime.ts picks the reactor there.
  if (child.status === 0 && child.stdout.includes('readiness: ok')) return;
  throw new Error(`child exited ${child.status ?? child.signal}${child.error ? ` (${child.error.message})` : ''}\n${child.stdout}${stderr}`);
});

// --- policy and plugins (issue 5), once they exist

const POLICY = 'cm32p2|unixsock:ipc/policy@0.1|';
/** WIT `policy.permissions` bits. */
const PERMIT_CONNECT = 1 << 2;

/** A fresh engine instance (its own memory and policy), or a Skip when this build has no `policy` exports. */
function freshEngine(): ComponentInstance {
  const e = new ComponentInstance(componentModule());
  if (typeof e.exports[`${POLICY}lock`] !== 'function') throw new Skip('dist/unixsock.wasm exports no `policy` interface yet');
  return e;
}

/** policy.allow(connect, path-prefix(prefix), all socket types, no peer requirement), through the core ABI. */
function allowConnectUnder(e: ComponentInstance, prefix: string): void {
  e.memory.lowerString(prefix);
  const ret = (e.exports[`${POLICY}allow`] as (...a: number[]) => number)(PERMIT_CONNECT, 0, e.memory.ptr, e.memory.len, 0, 0, 0, 0, 0, 0, 0);
  e.memory.fresh();
  same(e.memory.bytes[ret], 0, 'allow returned ok');
  (e.exports[`${POLICY}allow_post`] as ((p: number) => void) | undefined)?.(ret);
}

/** policy.refusals().denied. */
function denied(e: ComponentInstance): bigint {
  const ret = (e.exports[`${POLICY}refusals`] as () => number)();
  e.memory.fresh();
  return e.memory.view.getBigUint64(ret, true);
}

test('engine policy: lock() denies before any system call; a path-prefix rule admits only its directory', () => {
  const inside = join(tmp.path, 'allowed');
  const outside = join(tmp.path, 'other');
  mkdirSync(inside);
  mkdirSync(outside);
  const servers = [join(inside, 's.sock'), join(outside, 's.sock')].map((path) => {
    const s = api.RawSocket.create('stream');
    s.bind(path);
    s.listen(8);
    return s;
  });
  try {
    const unrestricted = new SocketsBinding(freshEngine());
    const plain = unrestricted.connect({ kind: 0, value: join(outside, 's.sock') }, 'stream');
    check(plain.ok, `an engine without policy calls enforces nothing: ${JSON.stringify(plain)}`);
    unrestricted.dropConnection(plain.value);

    const locked = freshEngine();
    (locked.exports[`${POLICY}lock`] as () => void)();
    const refused = new SocketsBinding(locked).connect({ kind: 0, value: join(inside, 's.sock') }, 'stream');
    check(!refused.ok && JSON.stringify(refused.failure).includes('policy-denied'), `lock() alone: ${JSON.stringify(refused)}`);
    same(denied(locked), 1n, 'refusals.denied');

    const ruled = freshEngine();
    allowConnectUnder(ruled, inside);
    (ruled.exports[`${POLICY}lock`] as () => void)();
    const b = new SocketsBinding(ruled);
    const allowed = b.connect({ kind: 0, value: join(inside, 's.sock') }, 'stream');
    check(allowed.ok, `connect inside the prefix: ${JSON.stringify(allowed)}`);
    b.dropConnection(allowed.value);
    const other = b.connect({ kind: 0, value: join(outside, 's.sock') }, 'stream');
    check(!other.ok && JSON.stringify(other.failure).includes('policy-denied'), `connect outside the prefix: ${JSON.stringify(other)}`);
    const sneaky = b.connect({ kind: 0, value: `${inside}/../other/s.sock` }, 'stream');
    check(!sneaky.ok && JSON.stringify(sneaky.failure).includes('policy-denied'), `.. out of the prefix: ${JSON.stringify(sneaky)}`);
  } finally {
    for (const s of servers) s.close();
  }
});

const exported = api as unknown as Record<string, unknown>;

test('createEngine({ policy }): denied and allowed through the public API', () => {
  const dir = join(tmp.path, 'sandbox');
  mkdirSync(dir);
  const e = api.createEngine({ policy: { rules: [
    { allow: ['bind', 'listen', 'connect', 'accept'], path: dir },
    { allow: ['socket-pair'], unnamed: true },
  ] } });
  try {
    let refused: unknown;
    try {
      e.listen(join(tmp.path, 'outside.sock'));
    } catch (err) {
      refused = err;
    }
    check(refused instanceof api.UnixsockPolicyError && refused.permission === 'bind', `outside the prefix: ${String(refused)}`);
    check(!existsSync(join(tmp.path, 'outside.sock')), 'nothing bound outside');
    const listener = e.listen(join(dir, 's.sock'));
    const client = e.connect(join(dir, 's.sock'));
    check(listener.wait(1000), 'a connection is pending');
    const server = listener.accept();
    check(server !== null, 'accepted');
    same(client.send('ping'), 4, 'send');
    check(server.wait(1000).readable, 'readable');
    same(server.receive()?.data.toString(), 'ping', 'receive');
    const [x, y] = e.socketPair('seqpacket');
    x.send('record');
    same(y.receive()?.data.toString(), 'record', 'seqpacket pair');
    same(e.refusals().denied, 1, 'refusals');
  } finally {
    e.close();
  }
  check(!existsSync(join(dir, 's.sock')), 'the socket file was unlinked on close');
});

/** loadPlugin from the public API, or from host/sandbox/plugin.ts before index.ts exports it. */
async function pluginLoader(): Promise<(wasm: Uint8Array, options?: { policy?: api.PolicySpec }) => { run(args: string[]): string; close(): void }> {
  if (typeof exported['loadPlugin'] === 'function') return exported['loadPlugin'] as never;
  const internal = './../../host/sandbox/linker.js';
  const mod = await (import(internal) as Promise<Record<string, unknown>>).catch(() => undefined);
  if (typeof mod?.['loadPlugin'] !== 'function') throw new Skip('loadPlugin does not exist yet (host/sandbox/linker.ts)');
  return mod['loadPlugin'] as never;
}

test('loadPlugin runs dist/plugins/probe.wasm: pair, ENOENT, and a blocking accept from another process', async () => {
  const loadPlugin = await pluginLoader();
  const probe = new URL('../../plugins/probe.wasm', import.meta.url);
  if (!existsSync(probe)) throw new Skip(`${fileURLToPath(probe)} is not built yet`);
  const plugin = loadPlugin(readFileSync(probe), { policy: { rules: [
    { allow: ['bind', 'listen', 'accept', 'connect'], path: tmp.path },
    { allow: ['socket-pair'], unnamed: true },
  ] } });
  try {
    same(plugin.run(['pair']), 'ok', 'pair');
    same(plugin.run(['connect', '/run/elsewhere.sock']), 'error policy-denied connect', 'connect outside the policy');
    same(plugin.run(['connect', join(tmp.path, 'nobody.sock')]), 'error os no-such-path ENOENT connect', 'connect to nothing');
    // The guest listens, then blocks in `wait` (poll(2)) until the child connects.
    const path = join(tmp.path, 'plugin-accept.sock');
    const connector = spawn(process.execPath, [fileURLToPath(new URL('connector.js', import.meta.url)), path], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => connector.on('exit', (code) => resolve(code)));
    try {
      const t0 = performance.now();
      same(plugin.run(['accept', path, '5000']), `ok uid ${process.getuid?.() ?? 0}`, 'accept with wait');
      check(performance.now() - t0 < 5000, 'accepted before the timeout');
    } finally {
      const code = await within(exited, 6000);
      same(code, 0, 'connector exit code');
    }
  } finally {
    plugin.close();
  }
});

// --- runner

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const c of cases) {
  const t0 = performance.now();
  try {
    await within(Promise.resolve().then(c.run), CASE_MS);
    passed++;
    console.log(`ok    ${c.name} (${(performance.now() - t0).toFixed(1)} ms)`);
  } catch (err) {
    if (err instanceof Skip) {
      skipped++;
      console.log(`skip  ${c.name}: ${err.message}`);
    } else {
      failed++;
      console.log(`FAIL  ${c.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
}
tmp.remove();
clearTimeout(globalTimer);
console.log(`bun smoke: ${passed} passed, ${failed} failed, ${skipped} skipped in ${(performance.now() - started).toFixed(0)} ms (${runtime})`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
