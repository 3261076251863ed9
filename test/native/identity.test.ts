// fileIdentity (fstat), pathIdentity (lstat), unlink and setUmask.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FILE_TYPE, native, SOCKET_TYPE } from '../../host/native/native.js';
import { errno, pathAddress, tempDir } from './_support.js';

const Identity = suite('file identity');
let dir = { path: '', remove: () => {} };

Identity.before(() => {
  dir = tempDir();
});

Identity.after(() => {
  dir.remove();
});

function pathIdentity(path: string): bigint[] | number {
  const out = new BigUint64Array(3);
  const r = native.pathIdentity(Buffer.from(path), out);
  return r === 0 ? [...out] : r;
}

Identity('should identify a bound socket path as a socket and keep the identity stable', () => {
  const path = join(dir.path, 'id.sock');
  const fd = native.socket(SOCKET_TYPE.stream);
  assert.is(native.bind(fd, pathAddress(path)), 0);
  const byPath = pathIdentity(path);
  assert.ok(Array.isArray(byPath));
  assert.is(byPath[2], BigInt(FILE_TYPE.socket));
  assert.equal(pathIdentity(path), byPath);

  // fstat on the socket descriptor describes the socket's sockfs inode, not
  // the inode bind() created on the filesystem: the two never agree on Linux.
  const byFd = new BigUint64Array(3);
  assert.is(native.fileIdentity(fd, byFd), 0);
  assert.is(byFd[2], BigInt(FILE_TYPE.socket));
  assert.is.not(byFd[0], byPath[0]);
  native.close(fd);
});

Identity('should agree between fstat and lstat for a regular file', () => {
  const path = join(dir.path, 'plain');
  writeFileSync(path, 'x');
  const fd = openSync(path, 'r');
  const byFd = new BigUint64Array(3);
  assert.is(native.fileIdentity(fd, byFd), 0);
  closeSync(fd);
  assert.equal([...byFd], pathIdentity(path));
  assert.is(byFd[2], BigInt(FILE_TYPE.regular));
});

Identity('should classify directories, symlinks, fifos and character devices', () => {
  assert.is((pathIdentity(dir.path) as bigint[])[2], BigInt(FILE_TYPE.directory));
  const link = join(dir.path, 'link');
  symlinkSync(join(dir.path, 'nowhere'), link);
  assert.is((pathIdentity(link) as bigint[])[2], BigInt(FILE_TYPE.symlink));
  assert.is((pathIdentity('/dev/null') as bigint[])[2], BigInt(FILE_TYPE.characterDevice));
  const fifo = join(dir.path, 'fifo');
  execFileSync('mkfifo', [fifo], { timeout: 5000 });
  assert.is((pathIdentity(fifo) as bigint[])[2], BigInt(FILE_TYPE.fifo));
});

Identity('should return -ENOENT for a missing path', () => {
  assert.is(pathIdentity(join(dir.path, 'missing')), errno('ENOENT'));
});

Identity('should return -EINVAL for a path with a NUL byte', () => {
  assert.is(native.pathIdentity(Buffer.from('/tmp\0/x'), new BigUint64Array(3)), errno('EINVAL'));
  assert.is(native.unlink(Buffer.from(`${dir.path}/a\0b`)), errno('EINVAL'));
});

Identity('should return -ENAMETOOLONG for a path of PATH_MAX bytes or more', () => {
  const long = Buffer.alloc(4096, 'a');
  assert.is(native.pathIdentity(long, new BigUint64Array(3)), errno('ENAMETOOLONG'));
  assert.is(native.unlink(long), errno('ENAMETOOLONG'));
});

Identity('should return -EBADF from fileIdentity of a closed descriptor', () => {
  const fd = native.socket(SOCKET_TYPE.stream);
  native.close(fd);
  assert.is(native.fileIdentity(fd, new BigUint64Array(3)), errno('EBADF'));
});

Identity.run();

// ---------------------------------------------------------------------------

const Unlink = suite('unlink and setUmask');
let unlinkDir = { path: '', remove: () => {} };

Unlink.before(() => {
  unlinkDir = tempDir();
});

Unlink.after(() => {
  unlinkDir.remove();
});

Unlink('should remove a socket file so the path can be bound again', () => {
  const path = join(unlinkDir.path, 'again.sock');
  const first = native.socket(SOCKET_TYPE.stream);
  assert.is(native.bind(first, pathAddress(path)), 0);
  native.close(first);
  assert.is(native.unlink(Buffer.from(path)), 0);
  assert.is(native.pathIdentity(Buffer.from(path), new BigUint64Array(3)), errno('ENOENT'));
  const second = native.socket(SOCKET_TYPE.stream);
  assert.is(native.bind(second, pathAddress(path)), 0);
  native.close(second);
});

Unlink('should return -ENOENT for a missing path and -EISDIR for a directory', () => {
  assert.is(native.unlink(Buffer.from(join(unlinkDir.path, 'missing'))), errno('ENOENT'));
  assert.is(native.unlink(Buffer.from(unlinkDir.path)), errno('EISDIR'));
});

Unlink('should return the previous mask from setUmask', () => {
  const original = native.setUmask(0o077);
  try {
    assert.is(native.setUmask(0o022), 0o077);
    assert.is(native.setUmask(0o1777), 0o022);
    assert.is(native.setUmask(original), 0o777);
  } finally {
    native.setUmask(original);
  }
});

Unlink('should create socket files through the umask', () => {
  const path = join(unlinkDir.path, 'mode.sock');
  const original = native.setUmask(0o077);
  try {
    const fd = native.socket(SOCKET_TYPE.stream);
    assert.is(native.bind(fd, pathAddress(path)), 0);
    native.close(fd);
  } finally {
    native.setUmask(original);
  }
  assert.is(statSync(path).mode & 0o777, 0o700);
});

Unlink.run();
