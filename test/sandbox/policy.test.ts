// The sandbox policy, adversarially: every refusal is `policy-denied`
// (never the OS's EACCES), made before any system call, and leaves nothing
// on disk and no descriptor behind. Peers are real sockets of the
// unrestricted Node API in this process; the sandbox side never blocks
// (receive/accept are polled between event-loop turns).
import { existsSync, mkdirSync, openSync, closeSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatagramSocket, listen, UnixsockPolicyError } from '../../host/index.js';
import { applyPolicy } from '../../host/sandbox/policy.js';
import { createEngine, type SandboxEngine } from '../../host/sandbox/sandbox.js';
import type { PolicySpec } from '../../host/sandbox/policy.js';
import { assertDescriptorsAsBefore, closeFd, descriptorBaseline, tcpListenerFromPython } from '../_helpers/descriptors.js';
import { expectCode } from '../_helpers/expect.js';
import { skip } from '../_helpers/peers.js';
import { makeTempDir } from '../_helpers/tmpdir.js';

const tmp = makeTempDir('us-pol-');
const allowed = join(tmp.path, 'app');
const outside = join(tmp.path, 'out');
mkdirSync(allowed);
mkdirSync(outside);
symlinkSync(outside, join(allowed, 'link'));

/** Bind, listen and connect under `allowed` only. */
const PATHS: PolicySpec = { rules: [{ allow: ['bind', 'listen', 'connect', 'accept'], path: allowed }] };

function denied(fn: () => unknown, permission: string): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, UnixsockPolicyError, String(err));
    const e = err as UnixsockPolicyError;
    assert.is(e.code, 'ERR_POLICY_DENIED');
    assert.is(e.condition, 'policy-denied');
    assert.is(e.permission, permission);
    return;
  }
  assert.unreachable(`expected policy-denied ${permission}`);
}

async function until<T>(f: () => T | null, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const test = suite('sandbox policy');
let engines: SandboxEngine[] = [];
const engine = (policy?: PolicySpec): SandboxEngine => {
  const e = createEngine(policy === undefined ? {} : { policy });
  engines.push(e);
  return e;
};
test.after.each(() => {
  for (const e of engines) e.close();
  engines = [];
});
test.after(() => tmp.remove());

test('an instance without a policy enforces nothing', () => {
  const e = engine();
  const l = e.listen(join(outside, 'free.sock'));
  assert.ok(existsSync(join(outside, 'free.sock')));
  l.close();
  assert.not.ok(existsSync(join(outside, 'free.sock')));
});

test('an empty policy denies everything, before any system call', async () => {
  const e = engine({});
  const before = await descriptorBaseline();
  denied(() => e.listen(join(allowed, 's.sock')), 'bind');
  denied(() => e.connect(join(allowed, 's.sock')), 'connect');
  denied(() => e.bindDatagram(), 'bind');
  denied(() => e.socketPair(), 'socket-pair');
  assert.equal(readdirSync(allowed), ['link']);
  await assertDescriptorsAsBefore(before);
  assert.is(e.refusals().denied, 4);
});

test('a path prefix allows its directory, component-wise', () => {
  const e = engine(PATHS);
  const l = e.listen(join(allowed, 'ok.sock'));
  assert.equal(l.address, { path: join(allowed, 'ok.sock') });
  l.close();
  mkdirSync(`${allowed}x`);
  denied(() => e.listen(`${allowed}x/s.sock`), 'bind');
  denied(() => e.listen(join(outside, 's.sock')), 'bind');
  assert.equal(readdirSync(`${allowed}x`), []);
  assert.equal(readdirSync(outside), []);
});

test('.. traversal, // and . tricks are judged after normalization', () => {
  const e = engine(PATHS);
  denied(() => e.listen(`${allowed}/../out/t.sock`), 'bind');
  denied(() => e.listen(`${allowed}/./../out/t.sock`), 'bind');
  denied(() => e.listen(`${allowed}//..//out/t.sock`), 'bind');
  assert.equal(readdirSync(outside), []);
  // A detour that stays inside is fine, and binds the normalized path.
  const l = e.listen(`${allowed}//sub/..//./in.sock`);
  assert.ok(existsSync(join(allowed, 'in.sock')));
  l.close();
});

test('relative paths resolve against the base directory and cannot escape it', () => {
  const e = engine({ baseDirectory: allowed, rules: [{ allow: ['bind', 'listen'], path: '.' }] });
  denied(() => e.listen('../escape.sock'), 'bind');
  denied(() => e.listen('a/../../escape.sock'), 'bind');
  assert.not.ok(existsSync(join(tmp.path, 'escape.sock')));
  const l = e.listen('rel.sock');
  assert.ok(existsSync(join(allowed, 'rel.sock')));
  l.close();
});

test('a symlinked parent directory cannot lead outside', () => {
  const e = engine(PATHS);
  denied(() => e.listen(join(allowed, 'link', 'via.sock')), 'bind');
  denied(() => e.connect(join(allowed, 'link', 'via.sock')), 'connect');
  assert.equal(readdirSync(outside), []);
});

test('a symlink as the final component is refused', async () => {
  const server = await listen(join(outside, 'target.sock'));
  symlinkSync(join(outside, 'target.sock'), join(allowed, 'final.sock'));
  const e = engine(PATHS);
  denied(() => e.connect(join(allowed, 'final.sock')), 'connect');
  await server.close();
});

test('abstract names are refused when only paths are allowed, and matched by prefix', () => {
  const e = engine(PATHS);
  denied(() => e.listen(`\0us-pol-${process.pid}`), 'bind');
  const a = engine({ rules: [{ allow: ['bind', 'listen'], abstract: `us-pol-${process.pid}-` }] });
  const l = a.listen(`\0us-pol-${process.pid}-ok`);
  assert.equal(l.address, { abstract: Buffer.from(`us-pol-${process.pid}-ok`) });
  denied(() => a.listen(`\0us-pol-${process.pid}`), 'bind');
  denied(() => a.listen(`\0other-${process.pid}`), 'bind');
});

test('autobind and unbound datagram sockets need the unnamed pattern', () => {
  const e = engine(PATHS);
  denied(() => e.bindDatagram(), 'bind');
  denied(() => e.bindDatagram({ unnamed: true }), 'bind');
  const u = engine({ rules: [{ allow: ['bind'], unnamed: true }] });
  const d = u.bindDatagram({ unnamed: true });
  assert.ok('abstract' in d.address, 'autobound');
  denied(() => u.bindDatagram(join(allowed, 'named.sock')), 'bind');
});

test('socket pairs need socket-pair; types narrow a rule', () => {
  denied(() => engine(PATHS).socketPair(), 'socket-pair');
  const e = engine({ rules: [{ allow: ['socket-pair'], unnamed: true, types: ['seqpacket'] }] });
  denied(() => e.socketPair('stream'), 'socket-pair');
  const [x, y] = e.socketPair('seqpacket');
  assert.is(x.send('hi'), 2);
  assert.is(y.receive()?.data.toString(), 'hi');
});

test('forbidden descriptors are not sent: a regular file, a TCP socket', async () => {
  const e = engine({ rules: [{ allow: ['socket-pair'], unnamed: true }] });
  const [x, y] = e.socketPair();
  const file = openSync(join(tmp.path, 'plain'), 'w');
  const tcpFd = await tcpListenerFromPython(tmp.path);
  const before = await descriptorBaseline();
  denied(() => x.send('f', { fds: [file] }), 'send-descriptors');
  if (tcpFd === undefined) skip('the TCP case needs python3');
  else denied(() => x.send('t', { fds: [tcpFd] }), 'send-descriptors');
  assert.is(y.receive(), null, 'nothing was sent');
  await assertDescriptorsAsBefore(before, 'no descriptor left behind');
  closeSync(file);
  if (tcpFd !== undefined) closeFd(tcpFd);
});

test('received descriptors the policy refuses are closed, not leaked', async () => {
  const before = await descriptorBaseline();
  const server = await listen(join(allowed, 'fds.sock'));
  const file = openSync(join(tmp.path, 'plain2'), 'w');
  const accepted: { destroy(): void }[] = [];
  server.on('connection', (s) => {
    accepted.push(s);
    s.send(Buffer.from('x'), { fds: [file, file] });
  });
  const e = engine(PATHS);
  const c = e.connect(join(allowed, 'fds.sock'));
  const m = await until(() => c.receive());
  assert.is(m.data.toString(), 'x');
  assert.equal(m.fds, []);
  assert.ok(m.fdsDropped);
  assert.is(e.refusals().closedDescriptors, 2);
  c.close();
  for (const s of accepted) s.destroy();
  await server.close();
  closeSync(file);
  await assertDescriptorsAsBefore(before);
});

test('the limits: sockets per instance, descriptors per message', () => {
  const e = engine({ rules: [{ allow: ['socket-pair'], unnamed: true }], maxOpenSockets: 3, maxDescriptorsPerMessage: 1 });
  const [x] = e.socketPair();
  denied(() => e.socketPair(), 'socket-limit');
  const file = openSync(join(tmp.path, 'plain3'), 'w');
  denied(() => x.send('2', { fds: [file, file] }), 'descriptor-limit');
  closeSync(file);
  // Closing frees a place.
  x.close();
  e.socketPair();
});

test('peer requirements: a failing listener is policy-denied; failing peers are dropped on accept', async () => {
  const server = await listen(join(allowed, 'peer.sock'));
  server.on('connection', (s) => s.destroy());
  const strict = engine({ rules: [{ allow: ['connect'], path: allowed, peer: { uids: [4242424] } }] });
  denied(() => strict.connect(join(allowed, 'peer.sock')), 'connect');
  const same = engine({ rules: [{ allow: ['connect'], path: allowed, peer: { sameUser: true } }] });
  same.connect(join(allowed, 'peer.sock')).close();
  await server.close();

  const e = engine({ rules: [
    { allow: ['bind', 'listen'], path: allowed },
    { allow: ['accept'], path: allowed, peer: { gids: [4242424] } },
  ] });
  const l = e.listen(join(allowed, 'acc.sock'));
  const { connect } = await import('../../host/index.js');
  const client = await connect(join(allowed, 'acc.sock'));
  await new Promise((r) => setTimeout(r, 20));
  assert.is(l.accept(), null, 'the peer was dropped');
  assert.is(e.refusals().droppedConnections, 1);
  client.destroy();
});

test('datagrams from senders without receive-from are dropped and counted', async () => {
  const e = engine({ rules: [
    { allow: ['bind', 'receive-from'], path: allowed },
  ] });
  const rx = e.bindDatagram(join(allowed, 'rx.sock'));
  const good = await createDatagramSocket({ bind: join(allowed, 'good.sock') });
  const bad = await createDatagramSocket({ bind: join(outside, 'bad.sock') });
  await bad.sendTo(Buffer.from('bad'), join(allowed, 'rx.sock'));
  await good.sendTo(Buffer.from('good'), join(allowed, 'rx.sock'));
  const m = await until(() => rx.receive());
  assert.is(m.data.toString(), 'good');
  assert.equal(m.sender, { path: join(allowed, 'good.sock') });
  assert.is(e.refusals().droppedDatagrams, 1);
  denied(() => rx.sendTo('x', join(allowed, 'good.sock')), 'send-to');
  await good.close();
  await bad.close();
});

test('a locked policy cannot change', () => {
  const e = engine(PATHS);
  assert.throws(() => applyPolicy(e.core, { rules: [{ allow: ['bind'], any: true }] }), /locked/);
  denied(() => e.listen(join(outside, 'after-lock.sock')), 'bind');
});

test('bad policies are TypeErrors and create nothing', async () => {
  await expectCode(() => createEngine({ policy: 'all' as never }), 'ERR_INVALID_ARG_TYPE');
  await expectCode(() => createEngine({ policy: { rules: [{ allow: ['everything' as never], any: true }] } }), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => createEngine({ policy: { rules: [{ allow: ['bind'] }] } }), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => createEngine({ policy: { rules: [{ allow: ['bind'], path: '/a', any: true }] } }), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => createEngine({ policy: { rules: [{ allow: ['bind'], path: 'a\0b' }] } }), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => createEngine({ policy: { rules: [{ allow: ['bind'], path: '' }] } }), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => createEngine({ policy: { baseDirectory: 'relative' } }), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => createEngine({ policy: { maxOpenSockets: -1 } }), 'ERR_OUT_OF_RANGE');
  await expectCode(() => createEngine({ policy: { rules: [{ allow: ['bind'], any: true, peer: { uids: ['0' as never] } }] } }), 'ERR_INVALID_ARG_TYPE');
  const e = engine(PATHS);
  await expectCode(() => e.listen(`${allowed}/${'x'.repeat(120)}`), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => e.listen(`${allowed}/a\0b`), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => e.listen(''), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => e.listen(42 as never), 'ERR_INVALID_ARG_TYPE');
  await expectCode(() => e.listen(Buffer.from([0x2f, 0xff, 0xfe])), 'ERR_POLICY_DENIED');
  assert.equal(readdirSync(allowed).filter((f) => !['link', 'ok.sock', 'in.sock', 'rel.sock', 'final.sock'].includes(f)).sort(), []);
});

test('every sandbox entry point rejects bad input with a typed error, leaving no file and no descriptor', async () => {
  const e = engine({ rules: [
    { allow: ['bind', 'listen', 'connect', 'accept', 'send-to', 'receive-from'], path: allowed },
    { allow: ['socket-pair', 'bind'], unnamed: true },
  ] });
  const [x] = e.socketPair();
  const d = e.bindDatagram();
  const l = e.listen(join(allowed, 'bad-input.sock'));
  const filesBefore = readdirSync(allowed).sort();
  const before = await descriptorBaseline();
  const long = `${allowed}/${'x'.repeat(120)}`;
  const nonUtf8 = Buffer.concat([Buffer.from(`${allowed}/`), Buffer.from([0xff, 0xfe])]);
  for (const bad of [long, `${allowed}/a\0b`, '', nonUtf8]) {
    await expectCode(() => e.connect(bad), bad === nonUtf8 ? 'ENOENT' : 'ERR_INVALID_ARG_VALUE');
    await expectCode(() => d.sendTo('x', bad), bad === nonUtf8 ? 'ENOENT' : 'ERR_INVALID_ARG_VALUE');
    await expectCode(() => d.connect(bad), bad === nonUtf8 ? 'ENOENT' : 'ERR_INVALID_ARG_VALUE');
  }
  await expectCode(() => e.bindDatagram(long), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => e.bindDatagram(`${allowed}/a\0b`), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => e.bindDatagram('\ud800'), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => e.connect(42 as never), 'ERR_INVALID_ARG_TYPE');
  await expectCode(() => e.connect(join(allowed, 'x'), 'stream' as never), 'ERR_INVALID_ARG_TYPE');
  await expectCode(() => e.connect(join(allowed, 'x'), { type: 'datagram' as never }), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => e.listen(join(allowed, 'y.sock'), { backlog: -1 }), 'ERR_OUT_OF_RANGE');
  await expectCode(() => e.listen(join(allowed, 'y.sock'), { mode: 0o1777 }), 'ERR_OUT_OF_RANGE');
  await expectCode(() => e.listen(join(allowed, 'y.sock'), { unlinkOnClose: 'yes' as never }), 'ERR_INVALID_ARG_TYPE');
  await expectCode(() => e.socketPair('datagram' as never), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => x.send(42 as never), 'ERR_INVALID_ARG_TYPE');
  await expectCode(() => x.send('x', { fds: ['3' as never] }), 'ERR_INVALID_ARG_TYPE');
  assert.throws(() => x.send('x', { fds: [0, undefined as never] }), /"options\.fds\[1\]" argument must be a descriptor number\. Received type undefined/, 'names the bad element');
  await expectCode(() => x.send('x', { fds: [987654] }), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => x.send('x', 'fds' as never), 'ERR_INVALID_ARG_TYPE');
  await expectCode(() => x.receive(-1), 'ERR_OUT_OF_RANGE');
  await expectCode(() => x.wait('soon' as never), 'ERR_INVALID_ARG_TYPE');
  await expectCode(() => x.wait(10, 'readable' as never), 'ERR_INVALID_ARG_TYPE');
  await expectCode(() => x.shutdown('sideways' as never), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => l.wait(-5), 'ERR_OUT_OF_RANGE');
  await expectCode(() => d.receive(1.5), 'ERR_OUT_OF_RANGE');
  await expectCode(() => createEngine('x' as never), 'ERR_INVALID_ARG_TYPE');
  await expectCode(() => createEngine({ lock: 'no' as never }), 'ERR_INVALID_ARG_TYPE');
  assert.equal(readdirSync(allowed).sort(), filesBefore);
  await assertDescriptorsAsBefore(before);
});

test.run();
