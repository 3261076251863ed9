// Dial strings and `http+unix://` URLs: the text a user types (a CLI
// argument, an environment variable such as DOCKER_HOST, a config file) to
// name a socket and its type. docs/dial.md has the grammar with examples.
//
//   dial      = [ type-prefix ] address
//   type      = "unixgram:"              datagram (Go's network name)
//             | "unixpacket:"            seqpacket (Go's network name)
//                                        none: stream, or options.type
//   address   = the text grammar of parseAddress():
//               "@" name                 abstract; "\xNN" any byte, "\\" a backslash
//             | "unix-abstract:" pct     abstract (gRPC naming); "%NN" escapes
//             | "unix:///" pct           absolute path (Docker, gRPC); "%NN" escapes
//             | "unix:" pct              path, may be relative; "%NN" escapes
//             | other                    a path, literally
//   After a type prefix, "//…" reads as "unix://…": "unixgram:///run/x.sock" is /run/x.sock.
//
//   unix-url  = "http+unix://" socket [ "/" path ] [ "?" query ] [ "#" fragment ]
//   socket    = "@" pct                  abstract name
//             | pct                      path ("%2F" for each "/"); "%00" first means abstract
//
// The prefix is read only by parseDial()/dial() and the CLI: parseAddress()
// still reads "unixgram:x" as the relative path it is. To dial such a path,
// write "unix:unixgram:x" or "./unixgram:x". Schemes are lower case.
import { formatAddress, fromWitAddress, loneSurrogate, parseAddress, type SocketAddress, witAddress } from './address.js';
import { createDatagramSocket, type DatagramSocket } from './messages/datagram.js';
import { invalidArgType, invalidArgValue, optionsArgument } from './arguments.js';
import { UnixsockAddressError } from './errors.js';
import { connectSeqpacket, type SeqpacketSocket } from './messages/seqpacket.js';
import type { UnixSocket } from './socket.js';
import { connect } from './streams.js';

/** The socket types a dial string names. */
export type SocketType = 'stream' | 'datagram' | 'seqpacket';

/** A parsed dial string. */
export interface DialTarget {
  type: SocketType;
  address: SocketAddress;
}

const PREFIX_OF: Record<SocketType, string> = { stream: '', datagram: 'unixgram:', seqpacket: 'unixpacket:' };
const TYPES = Object.keys(PREFIX_OF) as readonly SocketType[];
/** Dial-string prefix -> the socket type it names. */
const PREFIX: Record<string, SocketType> = Object.fromEntries(TYPES.filter((t) => PREFIX_OF[t] !== '').map((t) => [PREFIX_OF[t], t]));

function socketType(value: unknown, name: string): SocketType | undefined {
  if (value === undefined) return undefined;
  if (!TYPES.includes(value as SocketType)) {
    throw invalidArgValue(name, `must be 'stream', 'datagram' or 'seqpacket'. Received ${typeof value === 'string' ? `'${value}'` : String(value)}`);
  }
  return value as SocketType;
}

/** The type prefix of `text` and the address text after it. */
function splitPrefix(text: string): [SocketType | undefined, string] {
  for (const prefix of Object.keys(PREFIX)) {
    if (text.startsWith(prefix)) {
      const rest = text.slice(prefix.length);
      return [PREFIX[prefix], rest.startsWith('//') ? `unix:${rest}` : rest];
    }
  }
  return [undefined, text];
}

/**
 * Parse a dial string: an optional `unixgram:` / `unixpacket:` prefix and an
 * address in parseAddress()'s grammar. Syntax only: lengths are judged when
 * the address is used (validateAddress, dial).
 * @param text e.g. `/run/app.sock`, `@svc`, `unix:///var/run/docker.sock`, `unixgram:@log`
 * @param options.type the type when `text` has no prefix (default 'stream')
 * @returns `{ type, address }`
 *
 * # Errors
 * `ERR_INVALID_ARG_TYPE` for a non-string; `UnixsockAddressError` with reason
 * `empty-path`, `contains-nul`, `bad-syntax` or `ill-formed-utf16`;
 * `ERR_INVALID_ARG_VALUE` when the prefix names another type than `options.type`.
 */
export function parseDial(text: string, options: { type?: SocketType } = {}): DialTarget {
  if (typeof text !== 'string') throw invalidArgType('target', 'a string', text);
  optionsArgument(options);
  const wanted = socketType(options.type, 'options.type');
  const [prefixed, rest] = splitPrefix(text);
  if (prefixed !== undefined && wanted !== undefined && prefixed !== wanted) {
    throw invalidArgValue('options.type', `is '${wanted}' but the dial string names a ${prefixed} socket (${PREFIX_OF[prefixed]})`);
  }
  return { type: prefixed ?? wanted ?? 'stream', address: parseAddress(rest) };
}

/** `bytes` with every byte that `keep` refuses written as %XX. */
function percentEncode(bytes: Uint8Array, keep: (c: number) => boolean): string {
  let out = '';
  for (const c of bytes) out += keep(c) ? String.fromCharCode(c) : `%${c.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** Printable ASCII but `%`: what the unix: forms keep literal. */
const printable = (c: number): boolean => c > 0x20 && c < 0x7f && c !== 0x25;

/** What a URL authority keeps literal. */
const unreserved = (c: number): boolean => UNRESERVED.test(String.fromCharCode(c));

function percentEncoded(bytes: Uint8Array): string {
  return percentEncode(bytes, printable);
}

function pathBytes(a: SocketAddress): Uint8Array | undefined {
  if (!('path' in a)) return undefined;
  return typeof a.path === 'string' ? Buffer.from(a.path, 'utf8') : a.path;
}

/** The `unix:` form of a path, which no prefix can swallow. */
function unixForm(bytes: Uint8Array): string {
  return `${bytes[0] === 0x2f ? 'unix://' : 'unix:'}${percentEncoded(bytes)}`;
}

function canonicalAddress(addr: unknown): SocketAddress {
  return fromWitAddress(witAddress(addr, 'target.address'));
}

/**
 * The dial string of a target; `parseDial(formatDial(t))` gives `t` back
 * (with the address in its canonical form).
 * @param target `{ type?, address }`, address in any input form except unnamed
 *
 * # Errors
 * `ERR_INVALID_ARG_TYPE` for wrong types; `ERR_INVALID_ARG_VALUE` for an
 * unnamed address (it has no text) or an unknown type; `UnixsockAddressError`
 * for a lone surrogate.
 */
export function formatDial(target: { type?: SocketType; address: unknown }): string {
  if (typeof target !== 'object' || target === null) throw invalidArgType('target', 'an object { type, address }', target);
  const type = socketType(target.type, 'target.type') ?? 'stream';
  const address = canonicalAddress(target.address);
  if ('unnamed' in address) throw invalidArgValue('target.address', 'is unnamed: it has no dial string');
  const text = formatAddress(address);
  const bytes = pathBytes(address);
  if (type === 'stream') {
    // A relative path that begins like a prefix must not read as one.
    const swallowed = bytes !== undefined && splitPrefix(text)[0] !== undefined;
    return swallowed ? unixForm(bytes) : text;
  }
  // After a prefix "//" means "unix://", so such a path takes the unix: form.
  return PREFIX_OF[type] + (bytes !== undefined && text.startsWith('//') ? unixForm(bytes) : text);
}

/** Options of dial(). Stream options apply to streams, message options to datagram and seqpacket sockets. */
export interface DialOptions {
  /** The socket type when the dial string has no prefix (default 'stream'); a different prefix is an error. */
  type?: SocketType;
  /** Stream: give up (ETIMEDOUT) after this many ms while the listener's backlog stays full (default 10000). */
  timeout?: number;
  /** Stream: abort a connect waiting for backlog room. */
  signal?: AbortSignal;
  /** Stream: keep the writable side open after the peer ended. */
  allowHalfOpen?: boolean;
  /** Stream: most bytes per 'data' chunk. */
  readCap?: number;
  /** Datagram: bind the local end first, e.g. `{ unnamed: true }` (Linux autobind) so the peer can reply. Default: unbound. */
  bind?: unknown;
  /** Datagram: receive senders' credentials. */
  passCredentials?: boolean;
  /** Datagram and seqpacket: largest message received whole. */
  receiveSize?: number;
  /** Datagram and seqpacket: most descriptors accepted per message. */
  maxDescriptors?: number;
}

/** What dial() connects: a stream, datagram or seqpacket socket. */
export type DialedSocket = UnixSocket | DatagramSocket | SeqpacketSocket;

/** The socket dial() gives for a dial string literal; any socket for a `string`. */
export type DialResult<S extends string> =
  string extends S ? DialedSocket
    : S extends `unixgram:${string}` ? DatagramSocket
      : S extends `unixpacket:${string}` ? SeqpacketSocket
        : UnixSocket;

/**
 * The plainest input form of an address: a string when one spells it exactly
 * (so errors can name it), else the address object.
 */
export function inputForm(a: SocketAddress): string | SocketAddress {
  if ('path' in a && typeof a.path === 'string') return a.path;
  if ('abstract' in a) {
    const text = textOrBytes(a.abstract);
    if (typeof text === 'string') return `\0${text}`;
  }
  return a;
}

function pick<T extends object>(options: T, keys: (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const k of keys) if (options[k] !== undefined) out[k] = options[k];
  return out;
}

/**
 * Connect to the socket a dial string names: a stream by default,
 * `unixgram:` a connected datagram socket, `unixpacket:` a seqpacket socket.
 * @param target a dial string, e.g. `unix:///var/run/docker.sock` or `unixgram:@log`
 * @returns a UnixSocket, DatagramSocket or SeqpacketSocket
 *
 * # Errors
 * Before any system call: `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`
 * for bad arguments, `UnixsockAddressError` for a malformed or invalid
 * address (nothing is created). Then the connect errors of connect(),
 * createDatagramSocket() and connectSeqpacket(): `ENOENT`, `ECONNREFUSED`,
 * `EPROTOTYPE` (a listener of another type), `ETIMEDOUT`, `AbortError`.
 */
export function dial<S extends string>(target: S, options?: DialOptions & { type?: undefined }): Promise<DialResult<S>>;
export function dial(target: string, options: DialOptions & { type: 'stream' }): Promise<UnixSocket>;
export function dial(target: string, options: DialOptions & { type: 'datagram' }): Promise<DatagramSocket>;
export function dial(target: string, options: DialOptions & { type: 'seqpacket' }): Promise<SeqpacketSocket>;
export function dial(target: string, options?: DialOptions): Promise<DialedSocket>;
export async function dial(target: string, options: DialOptions = {}): Promise<DialedSocket> {
  optionsArgument(options);
  const parsed = parseDial(target, { type: options.type });
  const address = inputForm(parsed.address);
  switch (parsed.type) {
    case 'stream':
      return connect(address, pick(options, ['timeout', 'signal', 'allowHalfOpen', 'readCap']));
    case 'datagram':
      return createDatagramSocket({ ...pick(options, ['bind', 'passCredentials', 'receiveSize', 'maxDescriptors']), connect: address });
    case 'seqpacket':
      return connectSeqpacket(address, pick(options, ['receiveSize', 'maxDescriptors']));
  }
}

// --- http+unix:// URLs ---------------------------------------------------

const UNIX_URL = /^http\+unix:\/\/([^/?#]*)(.*)$/s;
const HEX = /^[0-9A-Fa-f]{2}$/;
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** A parsed `http+unix://` URL: the socket, and the URL to request through it. */
export interface UnixUrl {
  /** The socket to connect to. */
  address: SocketAddress;
  /** The same request as a plain URL on host `localhost`, e.g. `http://localhost/v1.43/info`. */
  url: string;
  /** The path, query and fragment (at least `/`). */
  path: string;
}

function percentDecode(text: string, offset: number): Buffer {
  const raw = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== 0x25) {
      out[n++] = raw[i]!;
      continue;
    }
    const hex = raw.subarray(i + 1, i + 3).toString('latin1');
    if (!HEX.test(hex)) throw new UnixsockAddressError({ reason: 'bad-syntax', offset: offset + i }, 'URL');
    out[n++] = parseInt(hex, 16);
    i += 2;
  }
  return out.subarray(0, n);
}

function textOrBytes(bytes: Buffer): string | Buffer {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : bytes;
}

/**
 * Split an `http+unix://` URL into the socket address
 * and a plain URL to request through it:
 * `http+unix://%2Ftmp%2Fd.sock/v1.43/info` → `{ address: { path: '/tmp/d.sock' },
 * url: 'http://localhost/v1.43/info', path: '/v1.43/info' }`.
 * The host part is the socket: percent-encoded path bytes, or `@name` (or a
 * leading `%00`) for an abstract name.
 *
 * # Errors
 * `ERR_INVALID_ARG_TYPE` for a non-string (URL objects are accepted);
 * `UnixsockAddressError`: `bad-syntax` (not such a URL, or a bad `%` escape),
 * `empty-path`, `contains-nul`, `ill-formed-utf16`.
 */
export function parseUnixUrl(url: string | URL): UnixUrl {
  const text = url instanceof URL ? url.href : url;
  if (typeof text !== 'string') throw invalidArgType('url', 'a string or URL', url);
  if (!text.isWellFormed()) throw new UnixsockAddressError({ reason: 'ill-formed-utf16', offset: loneSurrogate(text) }, 'URL');
  const m = UNIX_URL.exec(text);
  if (m === null) throw new UnixsockAddressError({ reason: 'bad-syntax', offset: 0 }, 'URL');
  const [, socket, rest] = m as unknown as [string, string, string];
  const start = 'http+unix://'.length;
  let address: SocketAddress;
  if (socket.startsWith('@')) address = { abstract: percentDecode(socket.slice(1), start + 1) };
  else {
    const bytes = percentDecode(socket, start);
    if (bytes.length > 0 && bytes[0] === 0) address = { abstract: Buffer.from(bytes.subarray(1)) };
    else {
      if (bytes.length === 0) throw new UnixsockAddressError({ reason: 'empty-path' }, 'URL');
      const nul = bytes.indexOf(0);
      if (nul >= 0) throw new UnixsockAddressError({ reason: 'contains-nul', offset: nul }, 'URL');
      address = { path: textOrBytes(Buffer.from(bytes)) } as SocketAddress;
    }
  }
  const path = rest === '' || !rest.startsWith('/') ? `/${rest}` : rest;
  return { address, url: `http://localhost${path}`, path };
}

/**
 * The `http+unix://` URL of a socket and a request path; parseUnixUrl() gives both back.
 * @param address a path or abstract address (any input form)
 * @param path path, query and fragment (default `/`)
 *
 * # Errors
 * `ERR_INVALID_ARG_TYPE` for wrong types; `ERR_INVALID_ARG_VALUE` for an
 * unnamed address or a path not starting with `/`.
 */
export function formatUnixUrl(address: unknown, path = '/'): string {
  const a = canonicalAddress(address);
  if (typeof path !== 'string') throw invalidArgType('path', 'a string', path);
  if (!path.startsWith('/')) throw invalidArgValue('path', `must start with '/'. Received '${path}'`);
  if ('unnamed' in a) throw invalidArgValue('address', 'is unnamed: it has no URL');
  const socket = `${'abstract' in a ? '@' : ''}${percentEncode('abstract' in a ? a.abstract : pathBytes(a)!, unreserved)}`;
  return `http+unix://${socket}${path}`;
}
