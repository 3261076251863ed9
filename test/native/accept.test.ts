// acceptBatch against the real kernel: several pending connections in one call,
// 0 when none is pending, -errno for the first failure (EMFILE under a lowered
// RLIMIT_NOFILE, with the connection still pending afterwards).
import { spawnSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { native, SOCKET_TYPE } from '../../host/native/native.js';
import { abstractAddress, abstractName, descriptorFlags, errno, O_CLOEXEC, O_NONBLOCK, openDescriptorCount } from './_support.js';
import { moduleArgv } from '../_helpers/runtime.js';

/** A listening stream socket on a fresh abstract address. */
function listener(tag: string, backlog = 16): { fd: number; address: Uint8Array } {
  const address = abstractAddress(abstractName(tag));
  const fd = native.socket(SOCKET_TYPE.stream);
  assert.ok(fd >= 0, `socket() = ${fd}`);
  assert.is(native.bind(fd, address), 0);
  assert.is(native.listen(fd, backlog), 0);
  return { fd, address };
}

/** `count` clients connected to `address` (pending until accepted). */
function connectMany(address: Uint8Array, count: number): number[] {
  const clients: number[] = [];
  for (let i = 0; i < count; i++) {
    const fd = native.socket(SOCKET_TYPE.stream);
    assert.ok(fd >= 0);
    assert.is(native.connect(fd, address), 0);
    clients.push(fd);
  }
  return clients;
}

function closeAll(fds: Iterable<number>): void {
  for (const fd of fds) native.close(fd);
}

const Batch = suite('acceptBatch');

Batch('should accept every pending connection in one call', () => {
  const server = listener('batch');
  const clients = connectMany(server.address, 5);
  const out = new Int32Array(8).fill(-1);
  try {
    assert.is(native.acceptBatch(server.fd, out), 5);
    const accepted = [...out.subarray(0, 5)];
    assert.is(new Set(accepted).size, 5);
    for (const fd of accepted) {
      assert.ok(fd >= 0);
      assert.is(descriptorFlags(fd) & (O_NONBLOCK | O_CLOEXEC), O_NONBLOCK | O_CLOEXEC, `fd ${fd}`);
    }
    assert.equal([...out.subarray(5)], [-1, -1, -1], 'slots past n untouched');
    // Each accepted fd is connected to one of the clients.
    const probe = Buffer.from('?');
    const into = new Uint8Array(1);
    for (let i = 0; i < clients.length; i++) {
      assert.is(native.send(clients[i]!, probe, 0, 1), 1);
      const answered = accepted.filter((fd) => native.recv(fd, into, 0, 1) === 1);
      assert.is(answered.length, 1, `client ${i} reaches exactly one accepted fd`);
    }
    closeAll(accepted);
    assert.is(native.acceptBatch(server.fd, out), 0, 'nothing left');
  } finally {
    closeAll([server.fd, ...clients]);
  }
});

Batch('should return 0 when nothing is pending', () => {
  const server = listener('empty');
  try {
    assert.is(native.acceptBatch(server.fd, new Int32Array(4)), 0);
    assert.is(native.acceptBatch(server.fd, new Int32Array(0)), 0);
  } finally {
    native.close(server.fd);
  }
});

Batch('should accept at most out.length per call', () => {
  const server = listener('limit');
  const clients = connectMany(server.address, 5);
  const out = new Int32Array(2);
  const accepted: number[] = [];
  try {
    assert.is(native.acceptBatch(server.fd, new Int32Array(0)), 0, 'an empty out accepts nothing');
    for (const expected of [2, 2, 1, 0]) {
      const n = native.acceptBatch(server.fd, out);
      assert.is(n, expected);
      accepted.push(...out.subarray(0, n));
    }
    assert.is(accepted.length, 5);
  } finally {
    closeAll([server.fd, ...clients, ...accepted]);
  }
});

Batch('should return -errno for an unusable descriptor, not throw', () => {
  assert.is(native.acceptBatch(-1, new Int32Array(2)), errno('EBADF'));
  const fd = native.socket(SOCKET_TYPE.stream);
  try {
    assert.is(native.acceptBatch(fd, new Int32Array(2)), errno('EINVAL'), 'not listening');
  } finally {
    native.close(fd);
  }
  const closed = native.socket(SOCKET_TYPE.stream);
  native.close(closed);
  assert.is(native.acceptBatch(closed, new Int32Array(2)), errno('EBADF'));
});

Batch('should throw TypeError for bad arguments', () => {
  assert.throws(() => native.acceptBatch(3, [1, 2] as unknown as Int32Array), TypeError);
  assert.throws(() => native.acceptBatch('3' as unknown as number, new Int32Array(1)), TypeError);
});

Batch('should leave the descriptor count unchanged after many batches', () => {
  const server = listener('count', 64);
  const before = openDescriptorCount();
  const out = new Int32Array(16);
  try {
    for (let round = 0; round < 50; round++) {
      const clients = connectMany(server.address, 10);
      const n = native.acceptBatch(server.fd, out);
      assert.is(n, 10);
      closeAll(out.subarray(0, n));
      closeAll(clients);
    }
    assert.is(openDescriptorCount(), before);
  } finally {
    native.close(server.fd);
  }
});

Batch('should return -EMFILE at the descriptor limit and accept once a descriptor is free', () => {
  // Only the child lowers RLIMIT_NOFILE. Everything is loaded before the
  // table is filled, so the child itself needs no descriptor afterwards.
  const module = new URL('../../host/native/native.js', import.meta.url).href;
  const script = `
    const { native } = await import(${JSON.stringify(module)});
    const { openSync, closeSync } = await import('node:fs');
    const address = new Uint8Array(2 + 1 + 24);
    address[0] = 1;
    address.set(Buffer.from('unixsock-emfile-' + process.pid).subarray(0, 24), 3);
    const server = native.socket(1);
    if (native.bind(server, address) !== 0 || native.listen(server, 8) !== 0) throw new Error('listen');
    const clients = [native.socket(1), native.socket(1)];
    for (const c of clients) if (native.connect(c, address) !== 0) throw new Error('connect');
    const out = new Int32Array(4);
    const fillers = [];
    for (;;) {
      try { fillers.push(openSync('/dev/null', 'r')); } catch (error) {
        if (error.code !== 'EMFILE') throw error;
        break;
      }
    }
    const full = native.acceptBatch(server, out);
    const fullAgain = native.acceptBatch(server, out);
    closeSync(fillers.pop());
    const one = native.acceptBatch(server, out);
    const first = out[0];
    closeSync(fillers.pop());
    const two = native.acceptBatch(server, out);
    // Linux allocates the descriptor before looking for a connection: with
    // the table full again even an empty backlog reports EMFILE.
    const fullEmpty = native.acceptBatch(server, out);
    closeSync(fillers.pop());
    const none = native.acceptBatch(server, out);
    console.log(JSON.stringify({ fillers: fillers.length, full, fullAgain, one, firstOk: first >= 0, two, fullEmpty, none }));
  `;
  const result = spawnSync('sh', ['-c', 'ulimit -n 64 && exec "$0" "$@"', ...moduleArgv(script)], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  assert.is(result.signal, null, result.stderr);
  assert.is(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.ok(report.fillers > 0, 'the child filled its descriptor table');
  assert.is(report.full, errno('EMFILE'));
  assert.is(report.fullAgain, errno('EMFILE'), 'the connection stays pending');
  assert.is(report.one, 1, 'accepted once a descriptor was free');
  assert.ok(report.firstOk);
  assert.is(report.two, 1);
  assert.is(report.fullEmpty, errno('EMFILE'));
  assert.is(report.none, 0);
});

Batch.run();
