// Handing a descriptor unixsock made over to node:net. Once the engine has
// made every control decision (validation, exact names, mode, stale
// recovery; the listener keeps its own descriptor for the ownership-checked
// unlink), a connection that carries no descriptors can run on libuv's own
// pipe handle: node:http then parses it through its native fast path, and
// libraries that insist on a net.Socket (http2, tls, ws) take it. The
// descriptor handed over is always a duplicate, so the engine closes its own
// exactly once and node:net closes its own.
//
// Runtimes differ (probed with Node 20-26, Bun 1.4.5, Deno 2.9.6): on Node
// and Deno both `new net.Socket({ fd })` and `server.listen({ fd })` work; on
// Bun a net.Socket({ fd }) never reads, and node:http's server.listen({ fd })
// ignores the descriptor and listens on a TCP port instead. So Bun never
// hands over (known, not probed: the probe would wait its full timeout
// there); on Node and Deno a probe decides, once: a net.Socket on one end of
// a socketpair must read a byte written at the other (it answers at once
// where it works).
import net from 'node:net';
import { peerCredentials, type PeerCredentials } from './credentials.js';
import { errnoError } from '../component/failures.js';
import { native } from './native.js';
import { RUNTIME } from './runtime.js';

/**
 * The probe decides node:net cannot take descriptors when its byte has not
 * come after PROBE_MS and PROBE_TURNS timer turns of the event loop. Time
 * alone is not enough: a loop blocked past PROBE_MS (synchronous work after
 * the first call, a process starved of CPU) runs the expired timer before
 * it polls for the byte, and a false verdict is kept for the process's life.
 */
const PROBE_MS = 1000;
const PROBE_TURNS = 10;

let probed: Promise<boolean> | undefined;
/** The verdict: known from the start on Bun, else the probe's once it has run. */
let known: boolean | undefined = RUNTIME.name === 'bun' ? false : undefined;
let forced: boolean | undefined;

/** @internal Force (true/false) or un-force (undefined) the outcome of netTakesDescriptors(), for tests of both paths. */
export function forceNetHandover(value: boolean | undefined): void {
  forced = value;
}

/** Whether this runtime's node:net runs a socket on a descriptor it is given; probed on first call. */
export function netTakesDescriptors(): Promise<boolean> {
  if (forced !== undefined) return Promise.resolve(forced);
  probed ??= known !== undefined ? Promise.resolve(known) : probe().then((ok) => (known = ok));
  return probed;
}

/** The probe's verdict if it has run (or is forced), else undefined. */
export function netHandoverKnown(): boolean | undefined {
  return forced ?? known;
}

async function probe(): Promise<boolean> {
  const fds = new Int32Array(2);
  if (native.socketPair(1, fds) < 0) return false;
  const [mine, theirs] = [fds[0]!, fds[1]!];
  let socket: net.Socket;
  try {
    socket = new net.Socket({ fd: theirs, readable: true, writable: true });
  } catch {
    native.close(mine);
    native.close(theirs);
    return false;
  }
  return new Promise<boolean>((resolve) => {
    let settled = false;
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      native.close(mine);
      resolve(ok);
    };
    // One short timer per turn: between two of them the loop polls for I/O.
    const started = performance.now();
    let turns = 0;
    const turn = (): void => {
      turns++;
      if (turns >= PROBE_TURNS && performance.now() - started >= PROBE_MS) finish(false);
      else timer = setTimeout(turn, PROBE_MS / PROBE_TURNS);
    };
    let timer = setTimeout(turn, PROBE_MS / PROBE_TURNS);
    socket.once('data', (d: Buffer) => finish(d.length === 1 && d[0] === 0x2a));
    socket.once('error', () => finish(false));
    if (native.send(mine, Buffer.from([0x2a]), 0, 1) !== 1) finish(false);
  });
}

/**
 * A net.Socket on a duplicate of the connected stream socket `fd` (the
 * caller still closes `fd`). Throws the dup error, or node:net's when it
 * refuses the descriptor; either way no descriptor is left open.
 */
export function netSocketOn(fd: number, allowHalfOpen: boolean): net.Socket {
  const dup = native.duplicate(fd);
  if (dup < 0) throw errnoError(dup, 'dup');
  try {
    return new net.Socket({ fd: dup, readable: true, writable: true, allowHalfOpen });
  } catch (err) {
    native.close(dup);
    throw err;
  }
}

/** The descriptor under a net.Socket's pipe handle (-1 when it has none, or once closed). */
function descriptorOf(socket: net.Socket): number {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  return typeof fd === 'number' ? fd : -1;
}

/** What serveHttp adds to each connection node:net accepted for it. */
export interface PeerCredentialed {
  /** The peer process's pid, uid and gid (SO_PEERCRED), as UnixSocket.peerCredentials(). */
  peerCredentials(): PeerCredentials;
}

/** Give a net.Socket on an AF_UNIX descriptor a peerCredentials() method. */
export function withPeerCredentials(socket: net.Socket): net.Socket & PeerCredentialed {
  const s = socket as net.Socket & PeerCredentialed;
  s.peerCredentials = () => peerCredentials(descriptorOf(s));
  return s;
}
