// getSocketOption / setSocketOption through our option numbering.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { native, SOCKET_OPTION, SOCKET_TYPE } from '../../host/native/native.js';
import { abstractAddress, abstractName, errno } from './_support.js';

function get(fd: number, option: number): number[] {
  const out = new Int32Array(2);
  assert.is(native.getSocketOption(fd, option, out), 0, `getSocketOption(${option})`);
  return [...out];
}

const Options = suite('socket options');

Options('should read SO_TYPE back in our socket type numbering', () => {
  for (const type of [SOCKET_TYPE.stream, SOCKET_TYPE.datagram, SOCKET_TYPE.seqpacket]) {
    const fd = native.socket(type);
    assert.ok(fd >= 0);
    assert.is(get(fd, SOCKET_OPTION.SO_TYPE)[0], type);
    native.close(fd);
  }
});

Options('should set and get SO_RCVBUF and SO_SNDBUF', () => {
  const fd = native.socket(SOCKET_TYPE.stream);
  assert.is(native.setSocketOption(fd, SOCKET_OPTION.SO_RCVBUF, 65536), 0);
  assert.is(native.setSocketOption(fd, SOCKET_OPTION.SO_SNDBUF, 32768), 0);
  // Linux doubles the requested size to account for bookkeeping overhead.
  assert.is(get(fd, SOCKET_OPTION.SO_RCVBUF)[0], 2 * 65536);
  assert.is(get(fd, SOCKET_OPTION.SO_SNDBUF)[0], 2 * 32768);
  native.close(fd);
});

Options('should report no pending error through SO_ERROR', () => {
  const fd = native.socket(SOCKET_TYPE.stream);
  assert.is(get(fd, SOCKET_OPTION.SO_ERROR)[0], 0);
  native.close(fd);
});

Options('should report SO_ACCEPTCONN after listen', () => {
  const fd = native.socket(SOCKET_TYPE.stream);
  assert.is(get(fd, SOCKET_OPTION.SO_ACCEPTCONN)[0], 0);
  assert.is(native.bind(fd, abstractAddress(abstractName('acceptconn'))), 0);
  assert.is(native.listen(fd, 1), 0);
  assert.is(get(fd, SOCKET_OPTION.SO_ACCEPTCONN)[0], 1);
  native.close(fd);
});

Options('should set and get SO_PASSCRED', () => {
  assert.ok(native.constants.passCredentials);
  const fd = native.socket(SOCKET_TYPE.datagram);
  assert.is(get(fd, SOCKET_OPTION.SO_PASSCRED)[0], 0);
  assert.is(native.setSocketOption(fd, SOCKET_OPTION.SO_PASSCRED, 1), 0);
  assert.is(get(fd, SOCKET_OPTION.SO_PASSCRED)[0], 1);
  native.close(fd);
});

Options('should set and get SO_LINGER as [onoff, seconds]', () => {
  const fd = native.socket(SOCKET_TYPE.stream);
  assert.equal(get(fd, SOCKET_OPTION.SO_LINGER), [0, 0]);
  assert.is(native.setSocketOption(fd, SOCKET_OPTION.SO_LINGER, 1, 7), 0);
  assert.equal(get(fd, SOCKET_OPTION.SO_LINGER), [1, 7]);
  native.close(fd);
});

Options('should set and get SO_RCVTIMEO and SO_SNDTIMEO in milliseconds', () => {
  const fd = native.socket(SOCKET_TYPE.stream);
  assert.is(get(fd, SOCKET_OPTION.SO_RCVTIMEO)[0], 0);
  assert.is(native.setSocketOption(fd, SOCKET_OPTION.SO_RCVTIMEO, 1500), 0);
  assert.is(native.setSocketOption(fd, SOCKET_OPTION.SO_SNDTIMEO, 2000), 0);
  assert.is(get(fd, SOCKET_OPTION.SO_RCVTIMEO)[0], 1500);
  assert.is(get(fd, SOCKET_OPTION.SO_SNDTIMEO)[0], 2000);
  assert.is(native.setSocketOption(fd, SOCKET_OPTION.SO_SNDTIMEO, -1), errno('EINVAL'));
  native.close(fd);
});

Options('should return -EINVAL for an unknown option number', () => {
  const fd = native.socket(SOCKET_TYPE.stream);
  const out = new Int32Array([42, 42]);
  assert.is(native.getSocketOption(fd, 99, out), errno('EINVAL'));
  assert.is(native.getSocketOption(fd, -1, out), errno('EINVAL'));
  assert.equal([...out], [42, 42]);
  assert.is(native.setSocketOption(fd, 99, 1), errno('EINVAL'));
  native.close(fd);
});

Options('should let the kernel reject read-only options', () => {
  const fd = native.socket(SOCKET_TYPE.stream);
  assert.is(native.setSocketOption(fd, SOCKET_OPTION.SO_TYPE, 2), errno('ENOPROTOOPT'));
  native.close(fd);
});

Options('should return -EBADF for a closed descriptor', () => {
  const fd = native.socket(SOCKET_TYPE.stream);
  native.close(fd);
  assert.is(native.getSocketOption(fd, SOCKET_OPTION.SO_TYPE, new Int32Array(1)), errno('EBADF'));
  assert.is(native.setSocketOption(fd, SOCKET_OPTION.SO_RCVBUF, 4096), errno('EBADF'));
});

Options.run();
