// The send side of a MessageChannel: a message waiting for room, and one
// sendmmsg/sendmsg for the head of the queue (a run of plain messages to
// the same address goes out in one call).
import { native } from '../native/native.js';

/** Hears how a send ended: null once the kernel took the message whole, else the error. */
export type Settle = (err: Error | null) => void;

/** A message waiting for room: bufs is one buffer or several (one message either way). */
export interface Pending {
  bufs: Uint8Array | Uint8Array[];
  fds: Int32Array | null;
  sockaddr: Uint8Array | null;
  credentials: boolean;
  /** fds are our duplicates, closed once the message is settled. */
  held: boolean;
  /** Settles the message: no error once the kernel took it whole. */
  settle: Settle | undefined;
}

/** Most messages per sendmmsg. */
export const SEND_BATCH = 64;
const SEND_RUN: Uint8Array[] = [];

/**
 * Send from `queue[head]` on: a run of up to SEND_BATCH single-buffer
 * messages to the same address in one sendmmsg, else the one message by
 * sendmsg. How many the kernel took whole (>= 0), or -errno.
 */
export function sendHead(fd: number, queue: readonly Pending[], head: number): number {
  const p = queue[head]!;
  if (p.fds !== null || p.credentials || Array.isArray(p.bufs)) {
    const r = native.sendMessage(fd, p.bufs, p.fds, p.sockaddr, p.credentials);
    return r >= 0 ? 1 : r;
  }
  let end = head;
  while (end < queue.length && end - head < SEND_BATCH) {
    const q = queue[end]!;
    if (q.fds !== null || q.credentials || Array.isArray(q.bufs) || q.sockaddr !== p.sockaddr) break;
    SEND_RUN[end - head] = q.bufs;
    end++;
  }
  const r = native.sendMessages(fd, SEND_RUN, end - head, p.sockaddr);
  SEND_RUN.length = 0;
  return r;
}
