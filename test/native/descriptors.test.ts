// Descriptor hygiene: everything the shim creates is non-blocking and
// close-on-exec, and nothing leaks across many create/close cycles.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { native, SOCKET_TYPE } from '../../host/native/native.js';
import { abstractAddress, abstractName, descriptorFlags, errno, O_CLOEXEC, O_NONBLOCK, openDescriptorCount } from './_support.js';

const Descriptors = suite('descriptor hygiene');

Descriptors('should create every socket type non-blocking and close-on-exec', () => {
  for (const type of [SOCKET_TYPE.stream, SOCKET_TYPE.datagram, SOCKET_TYPE.seqpacket]) {
    const fd = native.socket(type);
    assert.ok(fd >= 0, `socket(${type}) = ${fd}`);
    const flags = descriptorFlags(fd);
    assert.is(flags & O_NONBLOCK, O_NONBLOCK, `socket(${type}) O_NONBLOCK`);
    assert.is(flags & O_CLOEXEC, O_CLOEXEC, `socket(${type}) O_CLOEXEC`);
    native.close(fd);
  }
});

Descriptors('should accept non-blocking close-on-exec descriptors', () => {
  for (const type of [SOCKET_TYPE.stream, SOCKET_TYPE.seqpacket]) {
    const address = abstractAddress(abstractName(`accept-${type}`));
    const server = native.socket(type);
    assert.is(native.bind(server, address), 0);
    assert.is(native.listen(server, 4), 0);
    const client = native.socket(type);
    assert.is(native.connect(client, address), 0);
    const accepted = native.accept(server);
    assert.ok(accepted >= 0);
    const flags = descriptorFlags(accepted);
    assert.is(flags & (O_NONBLOCK | O_CLOEXEC), O_NONBLOCK | O_CLOEXEC, `accepted type ${type}`);
    for (const fd of [server, client, accepted]) native.close(fd);
  }
});

Descriptors('should leave the descriptor count unchanged after 10,000 socketPair+close cycles', () => {
  const before = openDescriptorCount();
  const fds = new Int32Array(2);
  for (let i = 0; i < 10_000; i++) {
    assert.is(native.socketPair(SOCKET_TYPE.stream, fds), 0);
    assert.is(native.close(fds[0]!), 0);
    assert.is(native.close(fds[1]!), 0);
  }
  assert.is(openDescriptorCount(), before);
});

Descriptors('should leave the descriptor count unchanged after failing calls', () => {
  const before = openDescriptorCount();
  for (let i = 0; i < 1000; i++) {
    assert.is(native.socket(42), errno('EINVAL'));
    assert.is(native.accept(-1), errno('EBADF'));
  }
  assert.is(openDescriptorCount(), before);
});

Descriptors('should expose the platform constants', () => {
  assert.equal(
    { ...native.constants },
    {
      platform: 'linux',
      abstractNamespace: true,
      seqpacket: true,
      peerCredentials: true,
      passCredentials: true,
      acceptFlags: true,
      sockaddrSize: 110,
      maxDescriptorsPerMessage: 253,
    },
  );
  assert.ok(Object.isFrozen(native.constants));
});

Descriptors.run();
