// Raw descriptors in tests, through the addon (closeFd is the library's): Deno's node:fs refuses
// (EBADF) every descriptor Deno did not open itself, such as one received
// with SCM_RIGHTS, so tests close, inspect and read those this way on every
// runtime.
import { readFileSync } from 'node:fs';
import { FILE_TYPE, native } from '../../host/native.js';

/** The library's own: close(2) through the addon, a UnixsockError when it fails. */
export { closeFd } from '../../host/index.js';

/** fstat(2) of an open descriptor: device, inode and file type; throws with the errno when it fails. */
export function fileOf(fd: number): { dev: bigint; ino: bigint; type: keyof typeof FILE_TYPE } {
  const out = new BigUint64Array(3);
  const r = native.fileIdentity(fd, out);
  if (r < 0) throw new Error(`fstat(${fd}): errno ${-r}`);
  const type = (Object.keys(FILE_TYPE) as (keyof typeof FILE_TYPE)[]).find((k) => BigInt(FILE_TYPE[k]) === out[2])!;
  return { dev: out[0]!, ino: out[1]!, type };
}

/** Whether two descriptors refer to the same file. */
export function sameFile(a: number, b: number): boolean {
  const [x, y] = [fileOf(a), fileOf(b)];
  return x.dev === y.dev && x.ino === y.ino;
}

/** The content of the file open on `fd`, read through /proc/self/fd (Linux). */
export function readFd(fd: number): string {
  return readFileSync(`/proc/self/fd/${fd}`, 'utf8');
}
