// Message I/O with ancillary data through the native shim, against the real
// kernel: sendMessage/receiveMessage with several buffers, descriptor passing
// (SCM_RIGHTS), datagram addresses, credentials (SCM_CREDENTIALS), truncation
// of data and control, peek, and descriptor hygiene.
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MESSAGE_FLAG, native, SOCKET_OPTION, SOCKET_TYPE } from '../../host/native/native.js';
import type { NativeBinding } from '../../host/native/native.js';
import { O_CLOEXEC, descriptorFlags, errno, openDescriptorCount, pathAddress, tempDir, throwsTypeError } from './_support.js';

/** The binding with its types erased, to pass deliberately wrong arguments. */
const loose = native as unknown as Record<keyof NativeBinding, (...args: unknown[]) => unknown>;

const linux = process.platform === 'linux';
if (!linux) {
  console.log(`message: skipping the Linux-only cases on ${process.platform} (/proc, SCM_CREDENTIALS, MSG_TRUNC lengths)`);
}

/** Message-preserving types this platform supports. */
const MESSAGE_TYPES = native.constants.seqpacket ? [SOCKET_TYPE.datagram, SOCKET_TYPE.seqpacket] : [SOCKET_TYPE.datagram];
const ALL_TYPES = [SOCKET_TYPE.stream, ...MESSAGE_TYPES];

/** A connected socketpair of the given type. */
function pair(type: number): [number, number] {
  const fds = new Int32Array(2);
  assert.is(native.socketPair(type, fds), 0);
  return [fds[0]!, fds[1]!];
}

function closeAll(...fds: number[]): void {
  for (const fd of fds) assert.is(native.close(fd), 0, `close(${fd})`);
}

/** [st_dev, st_ino] of a descriptor. */
function identity(fd: number): [bigint, bigint] {
  const out = new BigUint64Array(3);
  assert.is(native.fileIdentity(fd, out), 0, `fileIdentity(${fd})`);
  return [out[0]!, out[1]!];
}

/** One receiveMessage into fresh arrays. */
function receive(
  fd: number,
  options: { length?: number; fds?: number; address?: number; peek?: boolean } = {},
): { result: number; data: Buffer; info: Int32Array; fds: number[]; address: Uint8Array } {
  const length = options.length ?? 1024;
  const buf = Buffer.alloc(length);
  const fdsOut = new Int32Array(options.fds ?? 0).fill(-1);
  const addrOut = options.address === undefined ? null : new Uint8Array(options.address);
  const info = new Int32Array(8).fill(-7);
  const result = native.receiveMessage(fd, buf, 0, length, fdsOut, addrOut, info, options.peek ?? false);
  const copied = result >= 0 ? info[0]! : 0;
  return {
    result,
    data: buf.subarray(0, copied),
    info,
    fds: Array.from(fdsOut.subarray(0, result >= 0 ? info[2]! : 0)),
    address: addrOut ? addrOut.subarray(0, result >= 0 ? info[3]! : 0) : new Uint8Array(0),
  };
}

const Message = suite('message I/O with ancillary data');
const linuxOnly = linux ? Message : Message.skip;

Message('should round-trip data gathered from several buffers on every socket type', () => {
  for (const type of ALL_TYPES) {
    const [a, b] = pair(type);
    const parts = [Buffer.from('hello '), new Uint8Array(0), Buffer.from('message '), Buffer.from('world')];
    assert.is(native.sendMessage(a, parts, null, null, false), 19, `type ${type} gathered`);
    const got = receive(b);
    assert.is(got.result, 19, `type ${type}`);
    assert.is(got.data.toString(), 'hello message world');
    assert.equal(Array.from(got.info), [19, 0, 0, 0, 0, 0, 0, 0]);

    assert.is(native.sendMessage(a, Buffer.from('single'), new Int32Array(0), null, false), 6, `type ${type} single`);
    // offset/length address a window of buf.
    const buf = Buffer.alloc(16, 0x2e);
    const info = new Int32Array(8);
    assert.is(native.receiveMessage(b, buf, 4, 8, new Int32Array(0), null, info, false), 6);
    assert.is(buf.toString(), '....single......');
    assert.is(info[0], 6);
    closeAll(a, b);
  }
});

Message('should report end of stream as 0 and a vanished peer as -EPIPE without SIGPIPE', () => {
  const [a, b] = pair(SOCKET_TYPE.stream);
  assert.is(native.close(a), 0);
  assert.is(receive(b).result, 0);
  assert.is(native.sendMessage(b, Buffer.from('x'), null, null, false), errno('EPIPE'));
  closeAll(b);
});

linuxOnly('should pass a regular file and a socket as new close-on-exec descriptors', () => {
  const dir = tempDir();
  try {
    const file = join(dir.path, 'passed');
    writeFileSync(file, 'contents');
    const fileFd = openSync(file, 'r');
    const [other0, other1] = pair(SOCKET_TYPE.stream);
    for (const type of ALL_TYPES) {
      const [a, b] = pair(type);
      assert.is(native.sendMessage(a, Buffer.from('F'), Int32Array.of(fileFd, other1), null, false), 1, `type ${type}`);
      const got = receive(b, { fds: 4 });
      assert.is(got.result, 1);
      assert.is(got.data.toString(), 'F');
      assert.is(got.info[1], 0, 'no truncation');
      assert.is(got.info[2], 2, 'two descriptors');
      assert.is(got.fds.length, 2);
      const [newFile, newSocket] = got.fds as [number, number];
      for (const fd of got.fds) {
        assert.ok(fd !== fileFd && fd !== other1, `fd ${fd} is a new descriptor`);
        assert.is(descriptorFlags(fd) & O_CLOEXEC, O_CLOEXEC, `fd ${fd} is close-on-exec`);
      }
      assert.equal(identity(newFile), identity(fileFd), 'same file');
      assert.equal(identity(newSocket), identity(other1), 'same socket');
      // The passed socket is usable: it talks to other0.
      assert.is(native.send(newSocket, Buffer.from('via passed'), 0, 10), 10);
      const echo = Buffer.alloc(16);
      assert.is(native.recv(other0, echo, 0, 16), 10);
      assert.is(echo.subarray(0, 10).toString(), 'via passed');
      closeAll(newFile, newSocket, a, b);
    }
    closeSync(fileFd);
    closeAll(other0, other1);
  } finally {
    dir.remove();
  }
});

linuxOnly('should report a datagram longer than length as truncated with its real length', () => {
  for (const type of MESSAGE_TYPES) {
    const [a, b] = pair(type);
    const payload = Buffer.alloc(100, 0x61);
    assert.is(native.sendMessage(a, payload, null, null, false), 100);
    // A zero-length peek measures the next datagram without consuming it.
    const measured = receive(b, { length: 0, peek: true });
    assert.is(measured.result, 100, `type ${type} measured`);
    assert.is(measured.info[0], 0);
    assert.is(measured.info[1], MESSAGE_FLAG.truncated);
    const got = receive(b, { length: 10 });
    assert.is(got.result, 100, `type ${type} real length`);
    assert.is(got.info[0], 10, 'bytes copied');
    assert.is(got.info[1]! & MESSAGE_FLAG.truncated, MESSAGE_FLAG.truncated);
    assert.is(got.data.toString(), 'a'.repeat(10));
    // The rest of the datagram is gone.
    assert.is(receive(b).result, errno('EAGAIN'), `type ${type} rest discarded`);
    closeAll(a, b);
  }
});

linuxOnly('should flag descriptors that do not fit fdsOut as control-truncated and close them', () => {
  const [spare0, spare1] = pair(SOCKET_TYPE.stream);
  for (const passCredentials of [false, true]) {
    for (const type of ALL_TYPES) {
      for (const capacity of [0, 1]) {
        const [a, b] = pair(type);
        if (passCredentials) assert.is(native.setSocketOption(b, SOCKET_OPTION.SO_PASSCRED, 1), 0);
        const before = openDescriptorCount();
        assert.is(native.sendMessage(a, Buffer.from('T'), Int32Array.of(spare0, spare1, spare0), null, false), 1);
        const got = receive(b, { fds: capacity });
        const label = `type ${type}, capacity ${capacity}, passcred ${passCredentials}`;
        assert.is(got.result, 1, label);
        assert.is(got.info[1]! & MESSAGE_FLAG.controlTruncated, MESSAGE_FLAG.controlTruncated, label);
        assert.is(got.info[2], capacity, label);
        assert.is(openDescriptorCount(), before + capacity, `${label}: only the reported fds are open`);
        closeAll(...got.fds);
        assert.is(openDescriptorCount(), before, label);
        closeAll(a, b);
      }
    }
  }
  closeAll(spare0, spare1);
});

linuxOnly('should send to a datagram address and report the sender address', () => {
  const dir = tempDir();
  try {
    const receiverAddress = pathAddress(join(dir.path, 'r'));
    const senderAddress = pathAddress(join(dir.path, 's'));
    const receiver = native.socket(SOCKET_TYPE.datagram);
    const sender = native.socket(SOCKET_TYPE.datagram);
    assert.is(native.bind(receiver, receiverAddress), 0);
    assert.is(native.bind(sender, senderAddress), 0);
    assert.is(native.sendMessage(sender, [Buffer.from('to '), Buffer.from('r')], null, receiverAddress, false), 4);
    const got = receive(receiver, { address: 110 });
    assert.is(got.result, 4);
    assert.is(got.data.toString(), 'to r');
    assert.is(got.info[3], senderAddress.length);
    assert.equal(got.address, senderAddress);

    // addrOut shorter than the address: clamped.
    assert.is(native.sendMessage(sender, Buffer.from('x'), null, receiverAddress, false), 1);
    const short = receive(receiver, { address: 5 });
    assert.is(short.info[3], 5);
    assert.equal(short.address, senderAddress.subarray(0, 5));

    // An unbound sender has no address: length 0.
    const anonymous = native.socket(SOCKET_TYPE.datagram);
    assert.is(native.sendMessage(anonymous, Buffer.from('y'), null, receiverAddress, false), 1);
    const unnamed = receive(receiver, { address: 110 });
    assert.is(unnamed.result, 1);
    assert.is(unnamed.info[3], 0);

    // Errors come back as -errno.
    assert.is(native.sendMessage(sender, Buffer.from('z'), null, pathAddress(join(dir.path, 'none')), false), errno('ENOENT'));
    assert.is(native.sendMessage(sender, Buffer.from('z'), null, new Uint8Array(1024), false), errno('EINVAL'));
    closeAll(receiver, sender, anonymous);
  } finally {
    dir.remove();
  }
});

linuxOnly('should carry this process credentials with SO_PASSCRED', () => {
  for (const type of ALL_TYPES) {
    const [a, b] = pair(type);
    assert.is(native.sendMessage(a, Buffer.from('c'), null, null, true), 1, `type ${type} without SO_PASSCRED`);
    const plain = receive(b);
    assert.is(plain.result, 1);
    assert.is(plain.info[4], 0, 'no credentials without SO_PASSCRED');

    assert.is(native.setSocketOption(b, SOCKET_OPTION.SO_PASSCRED, 1), 0);
    assert.is(native.sendMessage(a, Buffer.from('c'), null, null, true), 1, `type ${type} with SO_PASSCRED`);
    const got = receive(b, { fds: 1 });
    assert.is(got.result, 1);
    assert.is(got.info[4], 1, 'credentials present');
    assert.is(got.info[5], process.pid);
    assert.is(got.info[6], process.geteuid!());
    assert.is(got.info[7], process.getegid!());
    assert.is(got.info[1], 0, 'nothing truncated');
    closeAll(a, b);
  }
});

linuxOnly('should leave a peeked message queued, descriptors included', () => {
  for (const type of ALL_TYPES) {
    const [a, b] = pair(type);
    const [x0, x1] = pair(SOCKET_TYPE.stream);
    const before = openDescriptorCount();
    assert.is(native.sendMessage(a, Buffer.from('peekaboo'), Int32Array.of(x1), null, false), 8);
    const peeked = receive(b, { fds: 2, peek: true });
    assert.is(peeked.result, 8, `type ${type} peek`);
    assert.is(peeked.data.toString(), 'peekaboo');
    assert.is(peeked.fds.length, 1, 'a peek installs the descriptor too');
    const got = receive(b, { fds: 2 });
    assert.is(got.result, 8, `type ${type} receive`);
    assert.is(got.data.toString(), 'peekaboo');
    assert.is(got.fds.length, 1);
    assert.equal(identity(got.fds[0]!), identity(x1));
    closeAll(...peeked.fds, ...got.fds);
    assert.is(openDescriptorCount(), before);
    assert.is(receive(b).result, errno('EAGAIN'));
    closeAll(a, b, x0, x1);
  }
});

Message('should return -EAGAIN with a zeroed info when nothing is queued', () => {
  for (const type of ALL_TYPES) {
    const [a, b] = pair(type);
    const got = receive(b, { fds: 2, address: 16 });
    assert.is(got.result, errno('EAGAIN'), `type ${type}`);
    assert.equal(Array.from(got.info), [0, 0, 0, 0, 0, 0, 0, 0]);
    closeAll(a, b);
  }
  assert.is(native.receiveMessage(-1, Buffer.alloc(1), 0, 1, new Int32Array(0), null, new Int32Array(8), false), errno('EBADF'));
  assert.is(native.sendMessage(-1, Buffer.alloc(1), null, null, false), errno('EBADF'));
});

Message('should return -EMSGSIZE for an over-large datagram', () => {
  const [a, b] = pair(SOCKET_TYPE.datagram);
  assert.is(native.sendMessage(a, Buffer.alloc(300 * 1024), null, null, false), errno('EMSGSIZE'));
  assert.is(native.sendMessage(a, [Buffer.alloc(150 * 1024), Buffer.alloc(150 * 1024)], null, null, false), errno('EMSGSIZE'));
  closeAll(a, b);
});

linuxOnly('should leave the kernel to reject too many descriptors for one message', () => {
  const [a, b] = pair(SOCKET_TYPE.datagram);
  const fds = new Int32Array(native.constants.maxDescriptorsPerMessage + 1).fill(a);
  assert.is(native.sendMessage(a, Buffer.from('m'), fds, null, false), errno('EINVAL'));
  assert.is(native.sendMessage(a, Buffer.from('m'), Int32Array.of(-1), null, false), errno('EBADF'));
  assert.is(receive(b).result, errno('EAGAIN'));
  closeAll(a, b);
});

Message('should throw TypeError for wrong argument types and out-of-range values', () => {
  const [a, b] = pair(SOCKET_TYPE.datagram);
  const one = Buffer.from('x');
  throwsTypeError(() => loose.sendMessage('1', one, null, null, false), 'sendMessage(string fd)');
  throwsTypeError(() => loose.sendMessage(a, 'text', null, null, false), 'sendMessage(fd, string)');
  throwsTypeError(() => loose.sendMessage(a, [one, 'text'], null, null, false), 'sendMessage(fd, [buf, string])');
  throwsTypeError(() => loose.sendMessage(a, [new Uint16Array(2)], null, null, false), 'sendMessage(fd, [Uint16Array])');
  throwsTypeError(() => loose.sendMessage(a, new Array(2000).fill(one), null, null, false), 'sendMessage(fd, 2000 bufs)');
  throwsTypeError(() => loose.sendMessage(a, one, [a], null, false), 'sendMessage(fd, buf, array fds)');
  throwsTypeError(() => loose.sendMessage(a, one, new Uint32Array(1), null, false), 'sendMessage(fd, buf, Uint32Array)');
  throwsTypeError(() => loose.sendMessage(a, one, new Int32Array(1013), null, false), 'sendMessage(fd, buf, 1013 fds)');
  throwsTypeError(() => loose.sendMessage(a, one, null, 'path', false), 'sendMessage(fd, buf, null, string)');
  throwsTypeError(() => loose.sendMessage(a, one, null, null, 1), 'sendMessage(credentials 1)');
  throwsTypeError(() => loose.sendMessage(a, one, null, null), 'sendMessage(credentials missing)');
  const throwingGetter = [one];
  Object.defineProperty(throwingGetter, 1, {
    get() {
      throw new RangeError('from a getter');
    },
  });
  try {
    loose.sendMessage(a, throwingGetter, null, null, false);
    assert.unreachable('a throwing element getter propagates');
  } catch (error) {
    assert.instance(error, RangeError);
  }

  const buf = Buffer.alloc(8);
  const fdsOut = new Int32Array(1);
  const info = new Int32Array(8);
  throwsTypeError(() => loose.receiveMessage(a, 'buf', 0, 8, fdsOut, null, info, false), 'receiveMessage(string buf)');
  throwsTypeError(() => loose.receiveMessage(a, buf, 4, 8, fdsOut, null, info, false), 'receiveMessage(offset + length > size)');
  throwsTypeError(() => loose.receiveMessage(a, buf, -1, 1, fdsOut, null, info, false), 'receiveMessage(negative offset)');
  throwsTypeError(() => loose.receiveMessage(a, buf, 0, 8, null, null, info, false), 'receiveMessage(null fdsOut)');
  throwsTypeError(() => loose.receiveMessage(a, buf, 0, 8, new Uint32Array(1), null, info, false), 'receiveMessage(Uint32Array fdsOut)');
  throwsTypeError(() => loose.receiveMessage(a, buf, 0, 8, fdsOut, new Int8Array(8), info, false), 'receiveMessage(Int8Array addrOut)');
  throwsTypeError(() => loose.receiveMessage(a, buf, 0, 8, fdsOut, null, new Int32Array(7), false), 'receiveMessage(info of 7)');
  throwsTypeError(() => loose.receiveMessage(a, buf, 0, 8, fdsOut, null, info, 'yes'), 'receiveMessage(peek "yes")');

  // Nothing reached the kernel.
  assert.is(receive(b).result, errno('EAGAIN'));
  closeAll(a, b);
});

linuxOnly('should leave the descriptor count unchanged after 10,000 round trips with 2 descriptors each', () => {
  const [a, b] = pair(SOCKET_TYPE.seqpacket);
  const [x0, x1] = pair(SOCKET_TYPE.stream);
  const passed = Int32Array.of(x0, x1);
  const data = Buffer.from('fd');
  const buf = Buffer.alloc(16);
  const fdsOut = new Int32Array(4);
  const info = new Int32Array(8);
  const before = openDescriptorCount();
  for (let i = 0; i < 10_000; i++) {
    assert.is(native.sendMessage(a, data, passed, null, false), 2);
    assert.is(native.receiveMessage(b, buf, 0, 16, fdsOut, null, info, false), 2);
    assert.is(info[2], 2);
    assert.is(native.close(fdsOut[0]!), 0);
    assert.is(native.close(fdsOut[1]!), 0);
  }
  assert.is(openDescriptorCount(), before);
  closeAll(a, b, x0, x1);
});

Message.run();
