// Raw descriptors in tests, through the addon (closeFd is the library's): Deno's node:fs refuses
// (EBADF) every descriptor Deno did not open itself, such as one received
// with SCM_RIGHTS, so tests close, inspect and read those this way on every
// runtime.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDatagramSocket, type MessageInfo } from '../../host/index.js';
import { FILE_TYPE, native } from '../../host/native/native.js';
import { within } from './wait.js';

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

/**
 * A listening TCP socket on 127.0.0.1 that a python3 child made and sent over
 * SCM_RIGHTS to a datagram socket bound in `dir`: no runtime API gives a TCP
 * socket's descriptor on all of Node, Bun and Deno (Deno's node:net has no
 * `_handle.fd`). Yours to close (closeFd); undefined when python3 is absent.
 */
export async function tcpListenerFromPython(dir: string): Promise<number | undefined> {
  if (spawnSync('python3', ['-c', 'import socket; socket.send_fds'], { stdio: 'ignore' }).status !== 0) return undefined;
  const path = join(dir, `tcp-from-python-${process.pid}.sock`);
  const receiver = createDatagramSocket({ bind: path });
  try {
    const got = within(once(receiver, 'message'), 10000, 'the TCP socket from python3');
    const send = `import socket, sys
tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.bind(('127.0.0.1', 0))
tcp.listen(1)
out = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
out.connect(sys.argv[1])
socket.send_fds(out, [b'tcp'], [tcp.fileno()])`;
    const r = spawnSync('python3', ['-c', send, path], { encoding: 'utf8', timeout: 10000 });
    if (r.status !== 0) throw new Error(`python3 could not send a TCP socket: ${r.stderr}`);
    const [, info] = (await got) as [Buffer, MessageInfo];
    if (info.fds.length !== 1) throw new Error(`expected one descriptor from python3, got ${info.fds.length}`);
    return info.fds[0];
  } finally {
    await receiver.close();
  }
}
