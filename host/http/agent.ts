// HTTP over Unix sockets, the client side: unixAgent() connects through the
// engine and wraps each connection in a net.Socket where node:net takes a
// descriptor (native/net-handover.ts); where it cannot (Bun), undici reads
// the UnixSocket itself. unixFetch() keeps one agent per socket.
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
import { durationArgument, invalidArgValue, optionsArgument } from '../arguments.js';
import { UnixsockAddressError } from '../errors.js';
import type { UnixSocket } from '../socket.js';
import { native } from '../native/native.js';
import { netTakesDescriptors } from '../native/net-handover.js';
import { connect } from '../streams.js';

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
