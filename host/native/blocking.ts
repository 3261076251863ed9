// Socket ends other programs can use. O_NONBLOCK lives on the open file
// description, which a child process handed a descriptor shares: a socket
// end unixsock had made non-blocking reaches a child that reads it the
// ordinary blocking way as a stream of EAGAIN. So the ends unixsock makes for
// handing on (socketPair(), and what fromFd() adopts) stay blocking until
// unixsock itself first reads, writes or polls through them; only then, and
// only on that descriptor, does O_NONBLOCK go on. (libuv's poll handle sets it
// too, so no poll handle is made before that first I/O either.)
import { native } from './native.js';

/** Descriptors left blocking, waiting for their first I/O through unixsock. */
const blocking = new Set<number>();

/** Clear O_NONBLOCK on `fd` (FD_CLOEXEC on) until beforeIo(fd): 0 | -errno (then nothing changed). */
export function blockingUntilIo(fd: number): number {
  const r = native.setDescriptorFlags(fd, false, true);
  if (r === 0) blocking.add(fd);
  return r;
}

/** Before unixsock's first I/O on `fd`: O_NONBLOCK back on if blockingUntilIo() took it off. */
export function beforeIo(fd: number): void {
  if (blocking.delete(fd)) native.setDescriptorFlags(fd, true, true);
}

/** `fd` is being closed: forget it (its number may be reused). */
export function forgetBlocking(fd: number): void {
  blocking.delete(fd);
}
