// assembly/sockets/ through the engine binding, against the real kernel:
// listen/connect/accept, the lifecycle rules (stale recovery, live servers
// kept, non-sockets never unlinked, mode, ownership-checked unlink, chdir),
// and errno -> condition mapping.
import { chmodSync, existsSync, lstatSync, mkdirSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, KIND, type WitAddress } from '../../host/component.js';
import { native, SOCKET_TYPE } from '../../host/native.js';
import { type ListenOptions, type SocketFailure, type SocketOutcome, SocketsBinding } from '../../host/sockets-binding.js';
import { makeTempDir } from '../_helpers/tmpdir.js';

const s = new SocketsBinding(engine());
const tmp = makeTempDir('us-s');
const home = process.cwd();
const at = (name: string): WitAddress => ({ kind: KIND.path, value: join(tmp.path, name) });
const OPTIONS: ListenOptions = { backlog: 16, mode: undefined, unlinkOnClose: true, recoverStale: true, workingDirectory: undefined };

function ok<T>(o: SocketOutcome<T>): T {
  if (!o.ok) throw new Error(`expected success, got ${JSON.stringify(o.failure)}`);
  return o.value;
}

function failure<T>(o: SocketOutcome<T>): SocketFailure {
  assert.is(o.ok, false, 'expected a failure');
  return (o as { failure: SocketFailure }).failure;
}

/** A socket file nobody listens on (bound, never listened, fd closed without unlink). */
function staleSocket(path: string): void {
  const fd = native.socket(SOCKET_TYPE.stream);
  const sa = Buffer.concat([Buffer.from([1, 0]), Buffer.from(path), Buffer.from([0])]);
  assert.is(native.bind(fd, sa), 0);
  native.close(fd);
}

const lifecycle = suite('engine sockets: lifecycle');
lifecycle.after(() => process.chdir(home));

lifecycle('should listen, connect, accept, report addresses and unlink on close', () => {
  const addr = at('a.sock');
  const l = ok(s.listen(addr, OPTIONS));
  assert.ok(s.listenerDescriptor(l) >= 0);
  assert.equal(ok(s.listenerAddress(l)), addr);
  assert.is(ok(s.accept(l)), 0, 'nothing pending');
  const c = ok(s.connect(addr));
  const a = ok(s.accept(l));
  assert.ok(a > 0);
  assert.equal(ok(s.remoteAddress(c)), addr);
  assert.equal(ok(s.localAddress(a)), addr);
  assert.equal(ok(s.localAddress(c)), { kind: KIND.unnamed, value: undefined });
  ok(s.shutdown(c, 1));
  ok(s.closeConnection(c));
  ok(s.closeConnection(a));
  assert.equal(failure(s.closeConnection(a)), { kind: 'invalid-state' });
  assert.ok(existsSync(addr.value as string));
  ok(s.closeListener(l));
  assert.not.ok(existsSync(addr.value as string), 'unlinked on close');
  assert.equal(failure(s.closeListener(l)), { kind: 'invalid-state' });
  s.dropListener(l);
  s.dropConnection(c);
  s.dropConnection(a);
});

lifecycle('should keep the file with unlinkOnClose: false', () => {
  const addr = at('keep.sock');
  const l = ok(s.listen(addr, { ...OPTIONS, unlinkOnClose: false }));
  ok(s.closeListener(l));
  s.dropListener(l);
  assert.ok(lstatSync(addr.value as string).isSocket());
  unlinkSync(addr.value as string);
});

lifecycle('should recover a stale socket file, and never displace a live server', () => {
  const addr = at('stale.sock');
  staleSocket(addr.value as string);
  const l = ok(s.listen(addr, OPTIONS));
  const f = failure(s.listen(addr, OPTIONS));
  assert.equal(f, { kind: 'os', condition: 'address-in-use', errno: 'EADDRINUSE', operation: 'bind' });
  const c = ok(s.connect(addr));
  assert.ok(ok(s.accept(l)) > 0, 'the live server still accepts');
  ok(s.closeConnection(c));
  ok(s.closeListener(l));
});

lifecycle('should not recover when asked not to, and never unlink a non-socket', () => {
  const addr = at('stale2.sock');
  staleSocket(addr.value as string);
  assert.is((failure(s.listen(addr, { ...OPTIONS, recoverStale: false })) as { errno: string }).errno, 'EADDRINUSE');
  const file = at('regular');
  writeFileSync(file.value as string, 'data');
  assert.is((failure(s.listen(file, OPTIONS)) as { errno: string }).errno, 'EADDRINUSE');
  assert.ok(lstatSync(file.value as string).isFile(), 'the regular file is untouched');
});

lifecycle('should not unlink on close a file that replaced ours', () => {
  const addr = at('replaced.sock');
  const l = ok(s.listen(addr, OPTIONS));
  unlinkSync(addr.value as string);
  staleSocket(addr.value as string); // someone else's socket file now
  const ino = lstatSync(addr.value as string).ino;
  ok(s.closeListener(l));
  assert.is(lstatSync(addr.value as string).ino, ino, 'the other file survives');
});

lifecycle('should create the socket file with exactly the requested mode', () => {
  const before = process.umask();
  for (const mode of [0o600, 0o660, 0o777]) {
    const addr = at(`mode${mode.toString(8)}.sock`);
    const l = ok(s.listen(addr, { ...OPTIONS, mode }));
    assert.is(statSync(addr.value as string).mode & 0o777, mode);
    ok(s.closeListener(l));
  }
  assert.is(process.umask(), before, 'umask restored');
});

lifecycle('should unlink a relatively bound socket after chdir', () => {
  const dir = join(tmp.path, 'rel');
  mkdirSync(dir);
  process.chdir(dir);
  const l = ok(s.listen({ kind: KIND.path, value: 'r.sock' }, { ...OPTIONS, workingDirectory: process.cwd() }));
  process.chdir(tmp.path);
  ok(s.closeListener(l));
  assert.not.ok(existsSync(join(dir, 'r.sock')));
  process.chdir(home);
});

lifecycle('should listen on abstract names exactly, and autobind', () => {
  const name = Buffer.from(`us-${process.pid}\0x`);
  const l = ok(s.listen({ kind: KIND.abstract, value: name }, OPTIONS));
  assert.equal(ok(s.listenerAddress(l)), { kind: KIND.abstract, value: name });
  const c = ok(s.connect({ kind: KIND.abstract, value: name }));
  assert.ok(ok(s.accept(l)) > 0);
  ok(s.closeConnection(c));
  ok(s.closeListener(l));
  const auto = ok(s.listen({ kind: KIND.unnamed, value: undefined }, OPTIONS));
  const bound = ok(s.listenerAddress(auto));
  assert.is(bound.kind, KIND.abstract);
  assert.match(Buffer.from(bound.value as Uint8Array).toString('latin1'), /^[0-9a-f]{5}$/);
  ok(s.closeListener(auto));
});

lifecycle.run();

// ---

const errors = suite('engine sockets: errors');
errors.after(() => {
  process.chdir(home);
  tmp.remove();
});

errors('should refuse invalid addresses before any syscall, creating nothing', () => {
  const long = { kind: KIND.path, value: join(tmp.path, 'x'.repeat(120)) } as WitAddress;
  const f = failure(s.listen(long, OPTIONS));
  assert.is(f.kind, 'invalid-address');
  assert.is((f as { problem: { reason: string } }).problem.reason, 'path-too-long');
  assert.is(failure(s.connect({ kind: KIND.path, value: '/a\0b' })).kind, 'invalid-address');
  assert.is(failure(s.listen({ kind: KIND.path, value: '' }, OPTIONS)).kind, 'invalid-address');
});

errors('should map connect errors: ENOENT, ECONNREFUSED for a file and a stale socket', () => {
  assert.equal(failure(s.connect(at('missing.sock'))), { kind: 'os', condition: 'no-such-path', errno: 'ENOENT', operation: 'connect' });
  const file = at('file');
  writeFileSync(file.value as string, '');
  assert.equal(failure(s.connect(file)), { kind: 'os', condition: 'connection-refused', errno: 'ECONNREFUSED', operation: 'connect' });
  const stale = at('stale3.sock');
  staleSocket(stale.value as string);
  assert.is((failure(s.connect(stale)) as { errno: string }).errno, 'ECONNREFUSED');
});

errors('should map bind errors on the directory: ENOENT, EACCES', () => {
  assert.equal(failure(s.listen(at('no/such/dir.sock'), OPTIONS)), { kind: 'os', condition: 'no-such-path', errno: 'ENOENT', operation: 'bind' });
  if (process.getuid?.() !== 0) {
    const dir = join(tmp.path, 'ro');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    assert.is((failure(s.listen(at('ro/x.sock'), OPTIONS)) as { errno: string }).errno, 'EACCES');
  }
  const link = join(tmp.path, 'loop');
  symlinkSync(link, link);
  assert.is((failure(s.listen({ kind: KIND.path, value: join(link, 'x.sock') }, OPTIONS)) as { errno: string }).errno, 'ELOOP');
});

errors.run();
