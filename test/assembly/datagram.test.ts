// assembly/sockets/datagram.ts through the engine binding, against the real
// kernel: binding to nothing, a path, an abstract name or `unnamed`, the
// default peer, and connect errors. The bind lifecycle rules datagram
// sockets share with listeners (stale recovery with a datagram probe, live
// sockets kept, non-sockets never unlinked, mode, ownership-checked unlink,
// chdir): bound.test.ts.
import { existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KIND, type WitAddress } from '../../host/component/component.js';
import { native } from '../../host/native/native.js';
import { type BindOptions } from '../../host/component/sockets-binding.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { errnoOf, failure, ok, roundTrip, s, staleSocket, typeOf, withDatagram } from './_sockets.js';

const tmp = makeTempDir('us-d');
const at = (name: string): WitAddress => ({ kind: KIND.path, value: join(tmp.path, name) });
const OPTIONS: BindOptions = { mode: undefined, unlinkOnClose: true, recoverStale: true, workingDirectory: undefined };
const UNNAMED: WitAddress = { kind: KIND.unnamed, value: undefined };

const datagram = suite('engine datagram sockets');
datagram.after(() => tmp.remove());

datagram('should bind to a path, take a connected client, and refuse use after close', () => {
  const addr = at('a.sock');
  const d = ok(s.bindDatagram(addr, OPTIONS));
  const fd = s.datagramDescriptor(d);
  assert.ok(fd >= 0);
  assert.is(typeOf(fd), 'datagram');
  assert.ok(lstatSync(addr.value as string).isSocket());
  assert.equal(ok(s.datagramLocalAddress(d)), addr);
  assert.equal(failure(s.datagramRemoteAddress(d)), { kind: 'os', condition: 'invalid-state', errno: 'ENOTCONN', operation: 'getpeername' });
  withDatagram(undefined, OPTIONS, (client) => {
    ok(s.connectDatagram(client, addr));
    assert.equal(ok(s.datagramRemoteAddress(client)), addr);
    assert.equal(ok(s.datagramLocalAddress(client)), UNNAMED, 'a send-only client stays unnamed');
    roundTrip(client, d);
  });
  ok(s.closeDatagram(d));
  assert.not.ok(existsSync(addr.value as string), 'unlinked on close');
  assert.is(s.datagramDescriptor(d), -1);
  for (const out of [s.closeDatagram(d), s.connectDatagram(d, addr), s.datagramLocalAddress(d), s.datagramRemoteAddress(d)]) {
    assert.equal(failure(out), { kind: 'invalid-state' });
  }
  s.dropDatagram(d);
});

datagram('should leave none unbound, and autobind `unnamed`', () => {
  withDatagram(undefined, OPTIONS, (d) => {
    assert.ok(s.datagramDescriptor(d) >= 0);
    assert.is(typeOf(s.datagramDescriptor(d)), 'datagram');
    assert.equal(ok(s.datagramLocalAddress(d)), UNNAMED);
    withDatagram(UNNAMED, OPTIONS, (auto) => {
      const name = ok(s.datagramLocalAddress(auto));
      assert.is(name.kind, KIND.abstract);
      assert.match(Buffer.from(name.value as Uint8Array).toString('latin1'), /^[0-9a-f]{5}$/);
      // The autobound name is a real address: others can reach it.
      ok(s.connectDatagram(d, name));
      roundTrip(d, auto);
    });
  });
});

datagram('should bind path-bytes that are not UTF-8, and report them as bytes', () => {
  const raw = Buffer.concat([Buffer.from(`${tmp.path}/`), Buffer.from([0xff, 0xfe, 0x61])]);
  const addr = { kind: KIND.pathBytes, value: raw } as WitAddress;
  withDatagram(addr, OPTIONS, (d) => {
    assert.equal(ok(s.datagramLocalAddress(d)), addr);
    assert.is(native.pathIdentity(raw, new BigUint64Array(3)), 0);
  });
  assert.ok(native.pathIdentity(raw, new BigUint64Array(3)) < 0, 'unlinked on close');
});

datagram('should surface connect errors: ENOENT, ECONNREFUSED, EPROTOTYPE', () => {
  withDatagram(undefined, OPTIONS, (d) => {
    assert.equal(failure(s.connectDatagram(d, at('missing.sock'))), { kind: 'os', condition: 'no-such-path', errno: 'ENOENT', operation: 'connect' });
    const stale = at('refused.sock');
    staleSocket(stale.value as string, 'datagram');
    assert.equal(failure(s.connectDatagram(d, stale)), { kind: 'os', condition: 'connection-refused', errno: 'ECONNREFUSED', operation: 'connect' });
    const stream = at('stream.sock');
    const l = ok(s.listen(stream, { ...OPTIONS, socketType: 'stream', backlog: 4 }));
    assert.equal(failure(s.connectDatagram(d, stream)), { kind: 'os', condition: 'wrong-socket-type', errno: 'EPROTOTYPE', operation: 'connect' });
    ok(s.closeListener(l));
    s.dropListener(l);
    assert.equal(failure(s.datagramRemoteAddress(d)).kind, 'os', 'no peer was set');
  });
});

datagram('should surface EPROTOTYPE when a stream or seqpacket socket connects to it', () => {
  const addr = at('peer.sock');
  withDatagram(addr, OPTIONS, () => {
    const wrong = { kind: 'os', condition: 'wrong-socket-type', errno: 'EPROTOTYPE', operation: 'connect' };
    assert.equal(failure(s.connect(addr, 'stream')), wrong);
    assert.equal(failure(s.connect(addr, 'seqpacket')), wrong);
  });
});

datagram('should map bind errors on the directory: ENOENT', () => {
  assert.equal(failure(s.bindDatagram(at('no/such/dir.sock'), OPTIONS)), { kind: 'os', condition: 'no-such-path', errno: 'ENOENT', operation: 'bind' });
  assert.is(errnoOf(s.bindDatagram(at('no/such/dir.sock'), { ...OPTIONS, mode: 0o600 })), 'ENOENT');
});

datagram.run();
