// Peer credentials (SO_PEERCRED; getpeereid where that is all there is).
import { errnoError, failureError } from '../component/failures.js';
import { native } from './native.js';

/** Peer process identity. `pid` is -1 where the platform does not report it. */
export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

const OUT = new Int32Array(3);

/** The credentials of the process at the other end of the connected socket `fd` (-1: closed). */
export function peerCredentials(fd: number): PeerCredentials {
  if (fd < 0) throw failureError({ kind: 'invalid-state' });
  const r = native.peerCredentials(fd, OUT);
  if (r < 0) throw errnoError(r, 'getsockopt');
  return credentialsAt(OUT, 0);
}

/** Credentials from three Int32 slots [pid, uid, gid] at `offset`: uid_t and gid_t are unsigned 32-bit, the slots hold their bits. */
export function credentialsAt(slots: Int32Array, offset: number): PeerCredentials {
  return { pid: slots[offset]!, uid: slots[offset + 1]! >>> 0, gid: slots[offset + 2]! >>> 0 };
}
