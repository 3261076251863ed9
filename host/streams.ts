// Entry points for stream sockets: promise style (listen, connect) and
// node:net style (createServer, createConnection), plus socketPair.
import { constants } from 'node:os';
import { DatagramSocket, type DatagramSocketOptions } from './messages/datagram.js';
import { abortError, UnixsockAddressError } from './errors.js';
import { invalidArgValue } from './arguments.js';
import { SeqpacketSocket, type SeqpacketSocketOptions } from './messages/seqpacket.js';
import { errnoError, failureError, sockets } from './component/failures.js';
import { blockingUntilIo, forgetBlocking } from './native/blocking.js';
import { native, SOCKET_TYPE } from './native/native.js';
import { addressForMessage, witAddress } from './address.js';
import { type ListenOptions, UnixServer } from './server.js';
import { UnixSocket, type UnixSocketOptions } from './socket.js';

const EAGAIN = 'EAGAIN';

/**
 * Listen on an address (path, abstract name, or `{ unnamed: true }` for autobind).
 * @returns the listening server
 *
 * # Errors
 * `UnixsockAddressError` (`ERR_INVALID_ARG_VALUE`) before any syscall;
 * `EADDRINUSE` when a live server (or a non-socket file) holds the path;
 * `ENOENT`/`EACCES` for the directory.
 */
export async function listen(addr: unknown, options: ListenOptions = {}): Promise<UnixServer> {
  const server = new UnixServer(options);
  server.bind(addr);
  process.nextTick(() => server.emit('listening'));
  return server;
}

/** Options of connect(). */
export interface ConnectOptions extends UnixSocketOptions {
  /** Abort a connect that is waiting for room in the listener's backlog. */
  signal?: AbortSignal;
  /** Give up (ETIMEDOUT) after this many ms while the backlog stays full (default 10000). */
  timeout?: number;
}

function connectOnce(addr: unknown, options: UnixSocketOptions): UnixSocket | Error {
  const out = sockets().connect(witAddress(addr), 'stream');
  if (out.ok) return new UnixSocket({ handle: out.value }, sockets().connectionDescriptor(out.value), options);
  return failureError(out.failure, addressForMessage(addr));
}

/**
 * Connect to a listening stream socket. AF_UNIX connects complete at once;
 * when the listener's backlog is full (EAGAIN) this retries with back-off
 * until `timeout`.
 *
 * # Errors
 * `ENOENT` (nothing there), `ECONNREFUSED` (not a listening socket, or a
 * stale socket file), `EACCES`, `ETIMEDOUT`, `AbortError`.
 */
export async function connect(addr: unknown, options: ConnectOptions = {}): Promise<UnixSocket> {
  const timeout = options.timeout ?? 10000;
  const deadline = Date.now() + timeout;
  let delay = 1;
  for (;;) {
    if (options.signal?.aborted) {
      throw abortError(options.signal);
    }
    const r = connectOnce(addr, options);
    if (r instanceof UnixSocket) return r;
    if ((r as { code?: string }).code !== EAGAIN) throw r;
    if (Date.now() >= deadline) throw errnoError(-constants.errno.ETIMEDOUT, 'connect', addressForMessage(addr));
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 50);
  }
}

/** node:net style: a server not yet listening; call `.listen(addr, cb)`. */
export function createServer(
  options?: ListenOptions | ((socket: UnixSocket) => void),
  onConnection?: (socket: UnixSocket) => void,
): UnixServer {
  if (typeof options === 'function') return new UnixServer({}, options);
  return new UnixServer(options ?? {}, onConnection);
}

/**
 * node:net style: returns the socket at once; 'connect' follows on the next
 * tick, or 'error' (for instance EAGAIN when the backlog is full, as node:net).
 * An invalid address throws at once (`ERR_INVALID_ARG_VALUE` / `_TYPE`).
 */
export function createConnection(addr: unknown, onConnect?: () => void): UnixSocket {
  const r = connectOnce(addr, {});
  if (r instanceof UnixSocket) {
    if (onConnect !== undefined) r.once('connect', onConnect);
    process.nextTick(() => r.emit('connect'));
    return r;
  }
  // A bad argument is the caller's bug: thrown now. OS refusals arrive as 'error', as in node:net.
  if (r instanceof UnixsockAddressError) throw r;
  const failed = new UnixSocket(undefined, -1);
  process.nextTick(() => failed.destroy(r));
  return failed;
}

/** Options of socketPair(). */
export type SocketPairOptions =
  | (UnixSocketOptions & { type?: 'stream' })
  | (DatagramSocketOptions & { type: 'datagram' })
  | (SeqpacketSocketOptions & { type: 'seqpacket' });

const PAIR_TYPES = SOCKET_TYPE;

/**
 * A connected pair of sockets (socketpair(2)): stream by default, or
 * `{ type: 'datagram' }` / `{ type: 'seqpacket' }`. To hand one end to a child
 * process, pass its `fd` in `spawn`'s `stdio` array, e.g.
 * `spawn(cmd, args, { stdio: ['inherit', 'inherit', 'inherit', child.fd] })`
 * (the child sees it as fd 3), then close that end in the parent
 * (`destroy()`). The child gets an ordinary blocking descriptor: both ends
 * stay blocking until unixsock first reads, writes or waits for data through
 * that end (O_NONBLOCK belongs to the open file description a child shares).
 */
export function socketPair(options?: UnixSocketOptions & { type?: 'stream' }): [UnixSocket, UnixSocket];
export function socketPair(options: DatagramSocketOptions & { type: 'datagram' }): [DatagramSocket, DatagramSocket];
export function socketPair(options: SeqpacketSocketOptions & { type: 'seqpacket' }): [SeqpacketSocket, SeqpacketSocket];
export function socketPair(options: SocketPairOptions = {}): [UnixSocket, UnixSocket] | [DatagramSocket, DatagramSocket] | [SeqpacketSocket, SeqpacketSocket] {
  const type = options.type ?? 'stream';
  if (!Object.hasOwn(PAIR_TYPES, type)) throw invalidArgValue('options.type', `must be 'stream', 'datagram' or 'seqpacket'. Received ${String(type)}`);
  const fds = new Int32Array(2);
  const r = native.socketPair(PAIR_TYPES[type], fds);
  if (r < 0) throw errnoError(r, 'socketpair');
  const [a, b] = [fds[0]!, fds[1]!];
  // Blocking until unixsock's own first I/O on each: either end may go to a child (blocking.ts).
  const flagged = blockingUntilIo(a) || blockingUntilIo(b);
  if (flagged < 0) {
    for (const fd of [a, b]) {
      forgetBlocking(fd);
      native.close(fd);
    }
    throw errnoError(flagged, 'fcntl');
  }
  if (options.type === 'datagram') return [new DatagramSocket({ fd: a }, a, options), new DatagramSocket({ fd: b }, b, options)];
  if (options.type === 'seqpacket') return [new SeqpacketSocket({ fd: a }, a, options), new SeqpacketSocket({ fd: b }, b, options)];
  return [new UnixSocket({ fd: a }, a, options), new UnixSocket({ fd: b }, b, options)];
}
