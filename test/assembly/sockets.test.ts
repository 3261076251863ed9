// assembly/sockets/ listeners and connections through the engine binding,
// against the real kernel: listen/connect/accept for stream and seqpacket,
// invalid addresses at every entry point, socket-type mismatches, and
// errno -> condition mapping. The bind lifecycle rules: bound.test.ts;
// datagram sockets: datagram.test.ts.
import { chmodSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KIND, type WitAddress } from '../../host/component/component.js';
import { type BindOptions, type WitListenOptions } from '../../host/component/sockets-binding.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { entries, errnoOf, failure, ok, s, staleSocket, typeOf } from './_sockets.js';

const tmp = makeTempDir('us-s');
const at = (name: string): WitAddress => ({ kind: KIND.path, value: join(tmp.path, name) });
const OPTIONS: WitListenOptions = {
  socketType: 'stream', backlog: 16, mode: undefined, unlinkOnClose: true, recoverStale: true, workingDirectory: undefined,
};
const SEQPACKET: WitListenOptions = { ...OPTIONS, socketType: 'seqpacket' };
const DATAGRAM: BindOptions = { mode: undefined, unlinkOnClose: true, recoverStale: true, workingDirectory: undefined };

const streams = suite('engine sockets: listen, connect, accept');

streams('should listen, connect, accept, report addresses and unlink on close, for stream and seqpacket', () => {
  for (const o of [OPTIONS, SEQPACKET]) {
    const addr = at(`a-${o.socketType}.sock`);
    const l = ok(s.listen(addr, o));
    assert.ok(s.listenerDescriptor(l) >= 0);
    assert.is(typeOf(s.listenerDescriptor(l)), o.socketType);
    assert.equal(ok(s.listenerAddress(l)), addr);
    assert.is(ok(s.accept(l)), 0, 'nothing pending');
    const c = ok(s.connect(addr, o.socketType));
    const a = ok(s.accept(l));
    assert.ok(a > 0);
    assert.is(typeOf(s.connectionDescriptor(c)), o.socketType);
    assert.is(typeOf(s.connectionDescriptor(a)), o.socketType);
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
  }
});

streams.run();

// ---

const errors = suite('engine sockets: errors');
errors.after(() => tmp.remove());

errors('should refuse invalid addresses at every entry point before any syscall, creating nothing', () => {
  const dir = Buffer.from(`${tmp.path}/`);
  const bytes = (...parts: (Buffer | number[])[]): WitAddress => ({ kind: KIND.pathBytes, value: Buffer.concat(parts.map((p) => Buffer.from(p))) });
  const cases: [WitAddress, string][] = [
    [at('x'.repeat(120)), 'path-too-long'],
    [bytes(dir, Buffer.alloc(120, 0xff)), 'path-too-long'],
    [at('a\0b'), 'contains-nul'],
    [bytes(dir, [0xff, 0, 0x62]), 'contains-nul'],
    [{ kind: KIND.path, value: '' }, 'empty-path'],
    [{ kind: KIND.pathBytes, value: new Uint8Array(0) }, 'empty-path'],
    [{ kind: KIND.abstract, value: Buffer.alloc(108, 0x61) }, 'abstract-too-long'],
  ];
  const unbound = ok(s.bindDatagram(undefined, DATAGRAM));
  const before = entries(tmp.path);
  for (const [addr, reason] of cases) {
    const calls = {
      listen: s.listen(addr, OPTIONS),
      'listen seqpacket': s.listen(addr, SEQPACKET),
      connect: s.connect(addr, 'stream'),
      'connect seqpacket': s.connect(addr, 'seqpacket'),
      'datagram bind': s.bindDatagram(addr, DATAGRAM),
      'datagram connect': s.connectDatagram(unbound, addr),
    };
    for (const [name, out] of Object.entries(calls)) {
      const f = failure(out);
      assert.is(f.kind, 'invalid-address', `${name} ${reason}`);
      assert.is((f as { problem: { reason: string } }).problem.reason, reason, `${name} ${reason}`);
    }
  }
  assert.equal(entries(tmp.path), before, 'nothing created on disk');
  assert.equal(ok(s.datagramLocalAddress(unbound)), { kind: KIND.unnamed, value: undefined }, 'still unbound');
  ok(s.closeDatagram(unbound));
  s.dropDatagram(unbound);
});

errors('should surface EPROTOTYPE when connecting to a listener of another type', () => {
  const stream = at('type-stream.sock');
  const seq = at('type-seq.sock');
  const ls = ok(s.listen(stream, OPTIONS));
  const lq = ok(s.listen(seq, SEQPACKET));
  const wrong = { kind: 'os', condition: 'wrong-socket-type', errno: 'EPROTOTYPE', operation: 'connect' };
  assert.equal(failure(s.connect(stream, 'seqpacket')), wrong);
  assert.equal(failure(s.connect(seq, 'stream')), wrong);
  assert.is(ok(s.accept(ls)), 0, 'nothing reached the stream listener');
  assert.is(ok(s.accept(lq)), 0, 'nothing reached the seqpacket listener');
  ok(s.closeListener(ls));
  ok(s.closeListener(lq));
});

errors('should refuse datagram listeners and connections before any system call', () => {
  const before = entries(tmp.path);
  const addr = at('dgram-listener.sock');
  assert.equal(
    failure(s.listen(addr, { ...OPTIONS, socketType: 'datagram' })),
    { kind: 'os', condition: 'not-supported', errno: 'EOPNOTSUPP', operation: 'listen' },
  );
  assert.equal(failure(s.connect(addr, 'datagram')), { kind: 'os', condition: 'not-supported', errno: 'EOPNOTSUPP', operation: 'connect' });
  assert.equal(entries(tmp.path), before, 'nothing created');
});

errors('should map connect errors: ENOENT, ECONNREFUSED for a file and a stale socket', () => {
  assert.equal(failure(s.connect(at('missing.sock'), 'stream')), { kind: 'os', condition: 'no-such-path', errno: 'ENOENT', operation: 'connect' });
  const file = at('file');
  writeFileSync(file.value as string, '');
  assert.equal(failure(s.connect(file, 'stream')), { kind: 'os', condition: 'connection-refused', errno: 'ECONNREFUSED', operation: 'connect' });
  const stale = at('stale3.sock');
  staleSocket(stale.value as string);
  assert.is(errnoOf(s.connect(stale, 'stream')), 'ECONNREFUSED');
});

errors('should map bind errors on the directory: ENOENT, EACCES', () => {
  assert.equal(failure(s.listen(at('no/such/dir.sock'), OPTIONS)), { kind: 'os', condition: 'no-such-path', errno: 'ENOENT', operation: 'bind' });
  if (process.getuid?.() !== 0) {
    const dir = join(tmp.path, 'ro');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    assert.is(errnoOf(s.listen(at('ro/x.sock'), OPTIONS)), 'EACCES');
  }
  const link = join(tmp.path, 'loop');
  symlinkSync(link, link);
  assert.is(errnoOf(s.listen({ kind: KIND.path, value: join(link, 'x.sock') }, OPTIONS)), 'ELOOP');
});

errors.run();
