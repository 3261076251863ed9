// Descriptors crossing into the addon: what a caller may pass as one, the
// pooled Int32Arrays the native side reads them from, and our own
// duplicates of a message's descriptors while it waits to be sent.
import { descriptorArgument, invalidArgType, invalidArgValue } from '../arguments.js';
import { errnoError } from '../component/failures.js';
import { native } from './native.js';

const MAX_FDS = native.constants.maxDescriptorsPerMessage;

/** Something that is or has a descriptor: a number, a FileHandle, a unixsock socket. */
export type DescriptorLike = number | { readonly fd: number };

/** Int32s of the current descriptor pool (see descriptorArray). */
const FD_POOL_LENGTH = 2048;
let fdPool = new Int32Array(0);
let fdPoolUsed = 0;

/**
 * A fresh Int32Array of `n` descriptors, carved from a shared pool as
 * Buffer.allocUnsafe carves Buffers. A small typed array of its own lives
 * on V8's heap, and the first native look at its data moves it out (an
 * allocation per send); pool views are off the heap from the start.
 */
export function descriptorArray(n: number): Int32Array {
  if (fdPoolUsed + n > fdPool.length) {
    fdPool = new Int32Array(Math.max(FD_POOL_LENGTH, n));
    fdPoolUsed = 0;
  }
  const out = fdPool.subarray(fdPoolUsed, fdPoolUsed + n);
  fdPoolUsed += n;
  return out;
}

/** Descriptor numbers from `fds`, or a thrown TypeError; null for none. */
export function descriptorsOf(fds: readonly DescriptorLike[] | undefined): Int32Array | null {
  if (fds === undefined) return null;
  if (!Array.isArray(fds)) throw invalidArgType('options.fds', 'an array of descriptors', fds);
  if (fds.length > MAX_FDS) throw invalidArgValue('options.fds', `holds ${fds.length} descriptors; at most ${MAX_FDS} fit in one message`);
  if (fds.length === 0) return null;
  const out = descriptorArray(fds.length);
  fds.forEach((d, i) => {
    if (typeof d === 'number') out[i] = descriptorArgument(`options.fds[${i}]`, d);
    else if (typeof d === 'object' && d !== null && typeof d.fd === 'number') out[i] = descriptorArgument(`options.fds[${i}].fd`, d.fd);
    else throw invalidArgType(`options.fds[${i}]`, 'a descriptor number, a FileHandle or a socket', d);
  });
  return out;
}

/** Our own duplicates of `fds` (close-on-exec), or a thrown errno error. */
export function duplicates(fds: Int32Array): Int32Array {
  const held = descriptorArray(fds.length);
  for (let i = 0; i < fds.length; i++) {
    const r = native.duplicate(fds[i]!);
    if (r < 0) {
      for (const fd of held.subarray(0, i)) native.close(fd);
      throw errnoError(r, 'sendmsg');
    }
    held[i] = r;
  }
  return held;
}
