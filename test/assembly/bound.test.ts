// assembly/sockets/bound.ts through every socket that binds a name: stream
// and seqpacket listeners and datagram sockets keep the same lifecycle rules
// (listed in bound.ts), against the real kernel: stale recovery with a probe
// of the socket's own type, live sockets of any type kept, non-sockets never
// unlinked, mode with no permissive window, ownership-checked unlink on
// close, unlink after chdir, abstract names and autobind.
import { existsSync, lstatSync, mkdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KIND, type WitAddress } from '../../host/component/component.js';
import { type BindOptions, type SocketOutcome, type WitSocketType } from '../../host/component/sockets-binding.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { errnoOf, failure, ok, roundTrip, s, staleSocket, using, withDatagram } from './_sockets.js';

const tmp = makeTempDir('us-b');
const home = process.cwd();
const at = (name: string): WitAddress => ({ kind: KIND.path, value: join(tmp.path, name) });
const OPTIONS: BindOptions = { mode: undefined, unlinkOnClose: true, recoverStale: true, workingDirectory: undefined };

/** A socket type that binds names, driven through the engine. */
interface Binder {
  type: WitSocketType;
  bind(addr: WitAddress, o: BindOptions): SocketOutcome<number>;
  address(handle: number): SocketOutcome<WitAddress>;
  close(handle: number): SocketOutcome<undefined>;
  drop(handle: number): void;
  /** Prove that `handle`, bound at `addr`, is live: a peer of its type reaches it. */
  reach(handle: number, addr: WitAddress): void;
}

function listenerBinder(type: WitSocketType): Binder {
  return {
    type,
    bind: (addr, o) => s.listen(addr, { ...o, socketType: type, backlog: 16 }),
    address: (l) => s.listenerAddress(l),
    close: (l) => s.closeListener(l),
    drop: (l) => s.dropListener(l),
    reach: (l, addr) => {
      const c = ok(s.connect(addr, type));
      const a = ok(s.accept(l));
      assert.ok(a > 0, `the ${type} listener accepts`);
      for (const h of [c, a]) s.dropConnection(h);
    },
  };
}

const BINDERS: Binder[] = [
  listenerBinder('stream'),
  listenerBinder('seqpacket'),
  {
    type: 'datagram',
    bind: (addr, o) => s.bindDatagram(addr, o),
    address: (d) => s.datagramLocalAddress(d),
    close: (d) => s.closeDatagram(d),
    drop: (d) => s.dropDatagram(d),
    reach: (d, addr) => withDatagram(undefined, OPTIONS, (client) => {
      ok(s.connectDatagram(client, addr));
      roundTrip(client, d);
    }),
  },
];

/** Bind with `b` and run `body` with the handle (see `using`). */
function bound(b: Binder, addr: WitAddress, o: BindOptions, body: (handle: number) => void = () => {}): void {
  using(ok(b.bind(addr, o)), b.drop, body);
}

const lifecycle = suite('engine bound sockets: lifecycle, for every socket type');
lifecycle.after(() => tmp.remove());

lifecycle('should report the address, unlink on close, and refuse a second close', () => {
  for (const b of BINDERS) {
    const addr = at(`a-${b.type}.sock`);
    const h = ok(b.bind(addr, OPTIONS));
    assert.ok(lstatSync(addr.value as string).isSocket());
    assert.equal(ok(b.address(h)), addr);
    b.reach(h, addr);
    ok(b.close(h));
    assert.not.ok(existsSync(addr.value as string), `${b.type}: unlinked on close`);
    assert.equal(failure(b.close(h)), { kind: 'invalid-state' });
    b.drop(h);
  }
});

lifecycle('should keep the file with unlinkOnClose: false', () => {
  for (const b of BINDERS) {
    const addr = at(`keep-${b.type}.sock`);
    bound(b, addr, { ...OPTIONS, unlinkOnClose: false });
    assert.ok(lstatSync(addr.value as string).isSocket(), b.type);
    unlinkSync(addr.value as string);
  }
});

lifecycle('should close and unlink when an open socket is dropped', () => {
  for (const b of BINDERS) {
    const addr = at(`dropped-${b.type}.sock`);
    b.drop(ok(b.bind(addr, OPTIONS)));
    assert.not.ok(existsSync(addr.value as string), b.type);
  }
});

lifecycle('should recover a stale socket file of its own type, and never displace a live socket of any type', () => {
  for (const b of BINDERS) {
    const addr = at(`stale-${b.type}.sock`);
    staleSocket(addr.value as string, b.type);
    bound(b, addr, OPTIONS, (h) => {
      b.reach(h, addr);
      const ino = lstatSync(addr.value as string).ino;
      for (const other of BINDERS) {
        const f = failure(other.bind(addr, OPTIONS));
        assert.equal(f, { kind: 'os', condition: 'address-in-use', errno: 'EADDRINUSE', operation: 'bind' }, `${other.type} over a live ${b.type}`);
      }
      assert.is(lstatSync(addr.value as string).ino, ino, 'the live socket file is untouched');
      b.reach(h, addr);
    });
  }
});

lifecycle('should not recover when asked not to, and never unlink a non-socket', () => {
  const file = at('regular');
  writeFileSync(file.value as string, 'data');
  const dir = at('directory');
  mkdirSync(dir.value as string);
  for (const b of BINDERS) {
    const addr = at(`stale2-${b.type}.sock`);
    staleSocket(addr.value as string, b.type);
    assert.is(errnoOf(b.bind(addr, { ...OPTIONS, recoverStale: false })), 'EADDRINUSE');
    assert.ok(lstatSync(addr.value as string).isSocket(), `${b.type}: the stale file is left`);
    assert.is(errnoOf(b.bind(file, OPTIONS)), 'EADDRINUSE');
    assert.is(errnoOf(b.bind(dir, OPTIONS)), 'EADDRINUSE');
  }
  assert.ok(lstatSync(file.value as string).isFile(), 'the regular file is untouched');
  assert.ok(lstatSync(dir.value as string).isDirectory(), 'the directory is untouched');
});

lifecycle('should not unlink on close a file that replaced ours', () => {
  for (const b of BINDERS) {
    const addr = at(`replaced-${b.type}.sock`);
    bound(b, addr, OPTIONS, () => {
      unlinkSync(addr.value as string);
      staleSocket(addr.value as string, b.type); // someone else's socket file now
    });
    assert.ok(lstatSync(addr.value as string).isSocket(), `${b.type}: the other file survives`);
  }
});

lifecycle('should create the socket file with exactly the requested mode', () => {
  const before = process.umask();
  for (const b of BINDERS) {
    for (const mode of [0o600, 0o640, 0o777]) {
      const addr = at(`mode${mode.toString(8)}-${b.type}.sock`);
      bound(b, addr, { ...OPTIONS, mode }, () => {
        assert.is(statSync(addr.value as string).mode & 0o777, mode, b.type);
      });
    }
  }
  assert.is(process.umask(), before, 'umask restored');
});

lifecycle('should unlink a relatively bound socket after chdir', () => {
  const dir = join(tmp.path, 'rel');
  mkdirSync(dir);
  try {
    for (const b of BINDERS) {
      process.chdir(dir);
      const name = `r-${b.type}.sock`;
      const h = ok(b.bind({ kind: KIND.path, value: name }, { ...OPTIONS, workingDirectory: dir }));
      process.chdir(tmp.path);
      ok(b.close(h));
      b.drop(h);
      assert.not.ok(existsSync(join(dir, name)), b.type);
    }
  } finally {
    process.chdir(home);
  }
});

lifecycle('should bind abstract names exactly, and autobind `unnamed`', () => {
  for (const b of BINDERS) {
    const name = { kind: KIND.abstract, value: Buffer.from(`us-${process.pid}-${b.type}\0x`) } as WitAddress;
    bound(b, name, OPTIONS, (h) => {
      assert.equal(ok(b.address(h)), name);
      assert.is(errnoOf(b.bind(name, OPTIONS)), 'EADDRINUSE');
      b.reach(h, name);
    });
    bound(b, { kind: KIND.unnamed, value: undefined }, OPTIONS, (h) => {
      const auto = ok(b.address(h));
      assert.is(auto.kind, KIND.abstract);
      assert.match(Buffer.from(auto.value as Uint8Array).toString('latin1'), /^[0-9a-f]{5}$/);
      b.reach(h, auto);
    });
  }
});

lifecycle.run();
