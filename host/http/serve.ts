// HTTP over Unix sockets, the server side. unixsock makes every control
// decision (address validation, exact abstract names, mode from creation,
// stale recovery, the ownership-checked unlink on close); the bytes then run
// on libuv's own pipe handles wherever node:net takes a descriptor
// (native/net-handover.ts): serveHttp() hands node:http a duplicate of the
// listening descriptor (server.listen({ fd })), so node:http parses through
// its native fast path as on node:net. Where node:net cannot (Bun),
// serveHttp() hands every accepted UnixSocket to the server as a
// 'connection'. Either way request handlers get
// req.socket.peerCredentials(). The client side is agent.ts.
//
// What node:http wants of a socket beyond a Duplex, and UnixSocket lacks:
// setTimeout (server.timeout, keepAliveTimeout), setNoDelay and setKeepAlive
// (no-ops on AF_UNIX: no Nagle, no keep-alive probes) and destroySoon.
// netCompatible() adds them to each accepted socket of the Duplex path.
import type net from 'node:net';
import { durationArgument, invalidArgType, optionsArgument } from '../arguments.js';
import { UnixsockAddressError } from '../errors.js';
import type { ListenOptions, UnixServer } from '../server.js';
import type { UnixSocket } from '../socket.js';
import { native } from '../native/native.js';
import { RUNTIME } from '../native/runtime.js';
import { netTakesDescriptors, withPeerCredentials } from '../native/net-handover.js';
import { listen } from '../streams.js';

/** Options of serveHttp(): those of listen(), except allowHalfOpen (always on: node:http manages half-close itself). */
export type ServeHttpOptions = Omit<ListenOptions, 'allowHalfOpen'>;

/** The net.Socket methods node:http calls, as added to each accepted UnixSocket. */
export interface NetCompatible {
  /** Emit 'timeout' after `ms` without bytes read or written (0 disables); checked every ms/4. */
  setTimeout(ms: number, callback?: () => void): this;
  /** No-op: AF_UNIX has no Nagle algorithm. */
  setNoDelay(noDelay?: boolean): this;
  /** No-op: AF_UNIX has no keep-alive probes. */
  setKeepAlive(enable?: boolean, initialDelay?: number): this;
  /** end(), then destroy once the written data is flushed. */
  destroySoon(): void;
}

/** Add the net.Socket methods node:http uses to an accepted socket. */
function netCompatible(socket: UnixSocket): UnixSocket & NetCompatible {
  const s = socket as UnixSocket & NetCompatible;
  let timer: NodeJS.Timeout | undefined;
  let idleMs = 0;
  let seen = 0;
  let lastActive = 0;
  const activity = (): number => s.bytesRead + s.bytesWritten;
  const tick = (): void => {
    timer = undefined;
    if (s.destroyed || idleMs === 0) return;
    const now = Date.now();
    const bytes = activity();
    if (bytes !== seen) [seen, lastActive] = [bytes, now];
    if (now - lastActive >= idleMs) {
      s.emit('timeout');
      return;
    }
    timer = setTimeout(tick, Math.max(1, idleMs / 4)).unref();
  };
  s.once('close', () => clearTimeout(timer));
  s.setTimeout = function setTimeout(ms: number, callback?: () => void) {
    durationArgument(ms, 'msecs');
    clearTimeout(timer);
    timer = undefined;
    idleMs = ms;
    if (callback !== undefined) {
      if (ms === 0) this.removeListener('timeout', callback);
      else this.once('timeout', callback);
    }
    if (ms > 0 && !this.destroyed) {
      [seen, lastActive] = [activity(), Date.now()];
      timer = globalThis.setTimeout(tick, Math.max(1, ms / 4)).unref();
    }
    return this;
  };
  s.setNoDelay = function setNoDelay() {
    return this;
  };
  s.setKeepAlive = function setKeepAlive() {
    return this;
  };
  s.destroySoon = function destroySoon() {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  };
  return s;
}

/** The methods of a server serveHttp() calls. */
const SERVER_METHODS = ['listen', 'close', 'emit', 'once', 'prependListener', 'removeListener', 'listenerCount'] as const;

/**
 * Whether `server` has what serveHttp() calls: duck-typed, since a runtime's
 * own http.Server need not be a net.Server (Bun's is an EventEmitter).
 */
function isServer(server: unknown): server is net.Server {
  if (server === null || typeof server !== 'object') return false;
  const s = server as Record<string, unknown>;
  return SERVER_METHODS.every((m) => typeof s[m] === 'function');
}

/**
 * Serve a node:http server (or https/http2: any net.Server) on a Unix
 * socket: a path, an abstract name, or `{ unnamed: true }`.
 * @param server e.g. `http.createServer(handler)`; it need not (and should not) listen itself
 * @param addr any address input form (use parseAddress/parseDial for text)
 * @param options listen() options: mode, backlog, recoverStale, unlinkOnClose, signal
 * @returns the listening UnixServer. Closing it also runs `server.close()`
 *   (idle keep-alive connections close, active requests finish); closing
 *   `server` closes it too. `server` gets 'listening' and, when it has a
 *   listener, accept errors as 'error'; `server.address()` stays null.
 *   Connections reach `server` (its 'connection' event, `req.socket`), not
 *   the returned listener; each has `peerCredentials()`. Where node:net takes
 *   descriptors (Node, Deno) they are net.Sockets accepted by libuv on a
 *   duplicate of the listening descriptor, so node:http runs at node:net's
 *   speed; elsewhere (Bun) they are UnixSockets.
 *
 * # Errors
 * `ERR_INVALID_ARG_TYPE` when `server` has not the methods of a server
 * (listen, close and EventEmitter's); the errors of
 * listen(): `UnixsockAddressError` before any system call (nothing is
 * created), `EADDRINUSE`, `ENOENT`, `EACCES`.
 */
export async function serveHttp(server: net.Server, addr: unknown, options: ServeHttpOptions = {}): Promise<UnixServer> {
  if (!isServer(server)) throw invalidArgType('server', 'an http.Server (or another net.Server)', server);
  optionsArgument(options);
  const onDescriptor = await netTakesDescriptors();
  const listener = await listen(addr, { ...options, allowHalfOpen: true });
  if (onDescriptor) {
    try {
      await serveOnDescriptor(server, listener, options.backlog);
    } catch (err) {
      listener.close();
      throw err;
    }
  } else {
    // Bun's node:http leaves to the socket what Node's does itself (see bunServer()).
    const live = RUNTIME.name === 'bun' ? bunServer(server) : undefined;
    listener.on('connection', (socket: UnixSocket) => {
      live?.add(socket);
      server.emit('connection', netCompatible(socket));
    });
    listener.on('error', (err: Error) => {
      if (server.listenerCount('error') > 0) server.emit('error', err);
    });
  }
  let closed = false;
  listener.once('close', () => {
    if (closed) return;
    closed = true;
    server.close();
  });
  server.once('close', () => {
    if (closed) return;
    closed = true;
    listener.close();
  });
  // node:http starts tracking connections (closeIdleConnections, headersTimeout, requestTimeout) on 'listening'.
  if (!onDescriptor) server.emit('listening');
  return listener;
}

/** The http.Server settings Node's node:http applies to each connection. */
interface HttpTimeouts {
  timeout?: number;
  keepAliveTimeout?: number;
}

/**
 * What Bun's node:http (1.4.5) does not do for a connection it is handed
 * with 'connection', done here as Node's does it:
 * - timeouts: it never calls socket.setTimeout, so `server.timeout` and
 *   `keepAliveTimeout` were ignored and an idle keep-alive connection stayed
 *   open for good. Each connection gets `server.timeout` while a request is
 *   in flight (or none has come yet) and `keepAliveTimeout` between requests;
 *   on expiry it is destroyed (or handed to the server's 'timeout' listeners
 *   for `server.timeout`, as on Node). An upgraded connection is the
 *   handler's: no timeout.
 * - close(): on a server that never listened it emits no 'close' and closes
 *   no connection. It now closes the idle connections and emits 'close' once
 *   every connection has closed, as Node's does.
 * Returns the set every accepted connection goes into (it leaves on close).
 */
function bunServer(server: net.Server): Set<UnixSocket> {
  const live = new Set<UnixSocket>();
  const settings = server as net.Server & HttpTimeouts;
  const inFlight = new WeakMap<object, number>();
  const upgraded = new WeakSet<object>();
  const limit = (value: unknown, fallback: number): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback);
  const arm = (socket: UnixSocket & NetCompatible): void => {
    if (socket.destroyed || upgraded.has(socket)) return;
    const between = (inFlight.get(socket) ?? 0) === 0 && inFlight.has(socket);
    socket.setTimeout(between ? limit(settings.keepAliveTimeout, 0) : limit(settings.timeout, 0));
  };
  server.on('connection', (socket: UnixSocket & NetCompatible) => {
    if (!live.has(socket)) return;
    socket.once('close', () => live.delete(socket));
    socket.on('timeout', () => {
      const between = (inFlight.get(socket) ?? 0) === 0 && inFlight.has(socket);
      if (!between && server.listenerCount('timeout') > 0) server.emit('timeout', socket);
      else socket.destroy();
    });
    arm(socket);
  });
  server.on('request', (req: { socket: unknown }, res: NodeJS.EventEmitter) => {
    const socket = req.socket as UnixSocket & NetCompatible;
    if (!live.has(socket)) return;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    arm(socket);
    res.once('close', () => {
      inFlight.set(socket, (inFlight.get(socket) ?? 1) - 1);
      arm(socket);
    });
  });
  server.on('upgrade', (req: { socket: unknown }) => {
    const socket = req.socket as UnixSocket & NetCompatible;
    if (!live.has(socket)) return;
    upgraded.add(socket);
    socket.setTimeout(0);
  });
  const own = server.close;
  let closing = false;
  server.close = function close(this: net.Server & { closeIdleConnections?: () => void }, callback?: (err?: Error) => void) {
    if (typeof callback === 'function') this.once('close', () => callback());
    if (closing) return this;
    closing = true;
    own.call(this, () => {});
    this.closeIdleConnections?.();
    let emitted = false;
    const done = (): void => {
      if (emitted || live.size > 0) return;
      emitted = true;
      this.emit('close');
    };
    for (const socket of live) socket.once('close', () => process.nextTick(done));
    if (live.size === 0) process.nextTick(done);
    return this;
  } as typeof server.close;
  return live;
}

/**
 * node:net takes a duplicate of the listening descriptor and accepts on it
 * with libuv (`server.listen({ fd })`, which emits 'listening'); every
 * connection is a net.Socket with peerCredentials(). The engine keeps its own
 * descriptor for the ownership-checked unlink on close.
 */
async function serveOnDescriptor(server: net.Server, listener: UnixServer, backlog: number | undefined): Promise<void> {
  const fd = listener.handOver();
  server.prependListener('connection', (socket: net.Socket) => {
    withPeerCredentials(socket);
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      server.removeListener('listening', onListening);
      native.close(fd);
      reject(err);
    };
    const onListening = (): void => {
      server.removeListener('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    // exclusive: a cluster worker listens on this descriptor itself, not through the primary.
    server.listen({ fd, backlog: backlog ?? 511, exclusive: true });
  });
}
