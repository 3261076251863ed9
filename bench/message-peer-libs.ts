// The other libraries of bench/message.ts, loaded from bench/node_modules
// (bench/package.json: `npm run bench:peers`), never from the project's own
// dependencies. A package that is not installed or does not load (its native
// addon failed to build) is reported with the reason; its column shows n/a.
// The interfaces below type only what the benchmarks call.
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';

/** node-unix-socket (bytedance): SOCK_SEQPACKET and SOCK_DGRAM via a Rust napi addon. */
export interface NodeUnixSocket {
  SeqpacketServer: new () => EventEmitter & { listen(path: string, backlog?: number): void; close(): void };
  SeqpacketSocket: new (fd?: number) => EventEmitter & {
    connect(path: string, cb?: () => void): void;
    write(buf: Buffer, offset?: number, length?: number, cb?: () => void): void;
    end(cb?: () => void): void;
    destroy(): void;
  };
}

/** A unix-dgram socket; `send` reports congestion (EAGAIN) as an error with code 1 and emits 'writable' later. */
export interface UnixDgramSocket extends EventEmitter {
  bind(path: string): void;
  connect(path: string): void;
  send(buf: Buffer, cb: (err?: Error & { code?: number }) => void): void;
  send(buf: Buffer, offset: number, length: number, path: string, cb: (err?: Error & { code?: number }) => void): void;
  close(): void;
}

/** unix-dgram (bnoordhuis): SOCK_DGRAM via a nan addon. */
export interface UnixDgram {
  createSocket(type: 'unix_dgram', listener?: (buf: Buffer, rinfo: { path?: string }) => void): UnixDgramSocket;
}

/** A usocket stream: a Duplex whose writes may carry descriptors; read(size, count) returns `{ data, fds }`. */
export type USocket = Duplex & {
  connect(path: string, cb?: () => void): void;
  /** Returns undefined, not the stream's boolean: use writableNeedDrain. */
  write(chunk: { data?: Buffer; fds?: number[]; callback?: () => void } | Buffer, cb?: (err?: Error | null) => void): void;
};

/** usocket (jhs67): stream sockets with descriptor passing via a nan addon. See pinUsocket(). */
export interface Usocket {
  USocket: new () => USocket;
  UServer: new () => EventEmitter & { listen(path: string, backlog?: number, cb?: () => void): void; close(): void };
}

export interface PeerLibs {
  'node-unix-socket': NodeUnixSocket;
  'unix-dgram': UnixDgram;
  usocket: Usocket;
}

export type PeerName = keyof PeerLibs;

const requireFromBench = createRequire(new URL('../../bench/package.json', import.meta.url));

/** The package, or why it is unavailable. */
export function loadPeer<N extends PeerName>(name: N): { lib: PeerLibs[N] } | { reason: string } {
  try {
    return { lib: requireFromBench(name) as PeerLibs[N] };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const missing = e.code === 'MODULE_NOT_FOUND' && String(e.message).includes(`'${name}'`);
    const first = String(e.message).split('\n')[0]!.replace(/ Tried:$/, '');
    const reason = missing ? 'not installed (npm run bench:peers)' : `does not load (did its native addon build?): ${first}`;
    return { reason };
  }
}

/** The package, or a thrown Error (peer processes: the parent checked it loads). */
export function requirePeer<N extends PeerName>(name: N): PeerLibs[N] {
  const out = loadPeer(name);
  if ('reason' in out) throw new Error(`${name}: ${out.reason}`);
  return out.lib;
}

const PINNED: unknown[] = [];

/**
 * Keeps a usocket socket's native wrapper reachable for good. usocket 1.1.0
 * uv_close()s the uv_poll_t embedded in that wrapper with no close callback
 * and drops the wrapper (destroy() nulls `_wrap`); when the garbage collector
 * frees it before libuv's closing phase, libuv touches freed memory and
 * aborts (uv__finish_close assertion; seen in 2 of 6 runs here). One wrapper
 * per connection is a small leak for a benchmark.
 */
export function pinUsocket(socket: object): void {
  PINNED.push((socket as { _wrap?: unknown })._wrap);
}
