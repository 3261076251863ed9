// HTTP over Unix sockets. unixsock makes every control decision (address
// validation, exact abstract names, mode from creation, stale recovery, the
// ownership-checked unlink on close); the bytes then run on libuv's own pipe
// handles wherever node:net takes a descriptor (net-handover.ts): serveHttp()
// hands node:http a duplicate of the listening descriptor
// (server.listen({ fd })), so node:http parses through its native fast path
// as on node:net; unixAgent() connects through the engine and wraps each
// connection in a net.Socket. Where node:net cannot (Bun), serveHttp() hands
// every accepted UnixSocket to the server as a 'connection' and undici reads
// the UnixSocket itself. Either way request handlers get
// req.socket.peerCredentials().
//
// What node:http wants of a socket beyond a Duplex, and UnixSocket lacks:
// setTimeout (server.timeout, keepAliveTimeout), setNoDelay and setKeepAlive
// (no-ops on AF_UNIX: no Nagle, no keep-alive probes) and destroySoon.
// netCompatible() adds them to each accepted socket of the Duplex path.
//
// undici takes longer to load than all of unixsock, so it is loaded on the
// first unixAgent()/unixFetch() call, not by `import 'unixsock'`.
import { createRequire } from 'node:module';
import type net from 'node:net';
import { dirname, join } from 'node:path';
import type * as Undici from 'undici';
import type { Agent, Dispatcher, RequestInit, Response } from 'undici';
import { formatAddress, type SocketAddress, validateAddress } from '../address.js';
import { parseUnixUrl } from '../dial.js';
import { legacyHandler } from './dispatch-handler.js';
import { durationArgument, invalidArgType, invalidArgValue, optionsArgument } from '../arguments.js';
import { UnixsockAddressError } from '../errors.js';
import type { ListenOptions, UnixServer } from '../server.js';
import type { UnixSocket } from '../socket.js';
import { native } from '../native/native.js';
import { RUNTIME } from '../native/runtime.js';
import { netTakesDescriptors, type PeerCredentialed, withPeerCredentials } from '../native/net-handover.js';
import { connect, listen } from '../streams.js';

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

let undici: typeof Undici | undefined;
let UnixAgentClass: typeof Agent | undefined;

/**
 * The undici package unixsock depends on, loaded by its file path: Bun
 * answers `require('undici')` with a built-in stand-in whose Agent has no
 * dispatch() or close() and whose fetch ignores `dispatcher`.
 */
function loadUndici(): typeof Undici {
  if (undici === undefined) {
    const require = createRequire(import.meta.url);
    const manifest = require.resolve('undici/package.json');
    const { main = 'index.js' } = require(manifest) as { main?: string };
    undici = require(join(dirname(manifest), main)) as typeof Undici;
  }
  return undici;
}

/**
 * undici's Agent, taking the dispatch handlers of every undici a caller may
 * bring: its own (legacy) ones and the controller-API ones of newer undici
 * majors, such as the global fetch of Node 26 (see dispatch-handler.ts).
 */
function agentClass(): typeof Agent {
  UnixAgentClass ??= class UnixAgent extends loadUndici().Agent {
    override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean {
      return super.dispatch(options, legacyHandler(handler) as Dispatcher.DispatchHandlers);
    }
  };
  return UnixAgentClass;
}

/** Options of unixAgent(): undici Agent options (keepAliveTimeout, pipelining, connections, …) except `connect`. */
export interface UnixAgentOptions extends Omit<Agent.Options, 'connect'> {
  /** Give up connecting after this many ms while the listener's backlog stays full (default 10000). */
  connectTimeout?: number;
}

/** Throws the typed error for an address no client can connect to. */
function connectableAddress(addr: unknown): SocketAddress {
  const verdict = validateAddress(addr as Parameters<typeof validateAddress>[0]);
  if (!verdict.ok) {
    const { ok: _ok, message: _message, ...problem } = verdict;
    throw new UnixsockAddressError(problem);
  }
  if ('unnamed' in verdict.address) throw invalidArgValue('address', 'is unnamed: nothing can be connected to it');
  return verdict.address;
}

/**
 * An undici Agent that connects every request, whatever its URL's host, to
 * one Unix socket. Use it as `fetch(url, { dispatcher })` (undici's fetch,
 * or Node's global fetch) or `undici.request(url, { dispatcher })`, e.g.
 * `fetch('http://localhost/v1.43/info', { dispatcher: unixAgent('/var/run/docker.sock') })`.
 * Plain HTTP only: an `https:` URL fails rather than going out unencrypted.
 * Idle connections do not keep the process alive.
 * @param addr any address input form (not unnamed)
 *
 * # Errors
 * Thrown at once, creating nothing: `ERR_INVALID_ARG_TYPE`,
 * `ERR_OUT_OF_RANGE` (a negative `connectTimeout`), `UnixsockAddressError` (empty, NUL, too long, lone surrogate). Per request:
 * the connect errors (`ENOENT`, `ECONNREFUSED`, `ETIMEDOUT`).
 */
export function unixAgent(addr: unknown, options: UnixAgentOptions = {}): Agent {
  optionsArgument(options);
  const address = connectableAddress(addr);
  const { connectTimeout = 10000, ...agentOptions } = options;
  durationArgument(connectTimeout, 'options.connectTimeout');
  const connector = (opts: { protocol: string }, callback: (...args: [null, net.Socket] | [Error, null]) => void): void => {
    if (opts.protocol !== 'http:') {
      callback(invalidArgValue('url', `uses ${opts.protocol}; unixAgent speaks plain HTTP only`), null);
      return;
    }
    Promise.all([connect(address, { timeout: connectTimeout }), netTakesDescriptors()]).then(
      ([socket, onDescriptor]) => {
        let connection: net.Socket;
        try {
          connection = onDescriptor ? socket.toNetSocket() : socket as unknown as net.Socket;
        } catch (err) {
          socket.destroy();
          callback(err as Error, null);
          return;
        }
        callback(null, connection);
      },
      (err: Error) => callback(err, null),
    );
  };
  return new (agentClass())({ ...agentOptions, connect: connector });
}

/** Agents of unixFetch(), by socket; the oldest is closed beyond this many. */
const MAX_AGENTS = 16;
const agents = new Map<string, Agent>();

function agentFor(address: SocketAddress): Agent {
  const key = formatAddress(address);
  let agent = agents.get(key);
  if (agent === undefined) {
    agent = unixAgent(address);
    agents.set(key, agent);
    if (agents.size > MAX_AGENTS) {
      const [oldest, old] = agents.entries().next().value as [string, Agent];
      agents.delete(oldest);
      void old.close().catch(() => {});
    }
  }
  return agent;
}

/**
 * fetch() for `http+unix://` URLs: `unixFetch('http+unix://%2Fvar%2Frun%2Fdocker.sock/v1.43/info')`.
 * The host part is the socket (see parseUnixUrl); one keep-alive agent per
 * socket is reused across calls. `init` is fetch's (a `dispatcher` in it wins).
 *
 * # Errors
 * Rejects with `UnixsockAddressError` for a malformed URL or an invalid
 * socket address (nothing is connected), or with fetch's `TypeError` whose
 * `cause` is the connect error (`ENOENT`, `ECONNREFUSED`).
 */
export async function unixFetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
  const { address, url: plain } = parseUnixUrl(url);
  connectableAddress(address);
  const dispatcher: Dispatcher = init.dispatcher ?? agentFor(address);
  return loadUndici().fetch(plain, { ...init, dispatcher });
}
