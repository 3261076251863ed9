// The data path of `listen`, `connect` and `pair`: stdin into a socket,
// the socket out to stdout, with back-pressure both ways. stdin is read once
// for the whole run and handed to one connection at a time. When the peer is
// done sending first, stdin still goes out for up to LINGER_MS (as socat's
// -t 0.5): a peer that half-closed gets its answer.
import type { Readable } from 'node:stream';
import type { MessageInfo } from '../messages/receive.js';
import type { SeqpacketSocket } from '../messages/seqpacket.js';
import type { UnixSocket } from '../socket.js';
import { closeFds, sleep } from './common.js';

/** How long stdin may still flow to a peer that finished sending. */
const LINGER_MS = 500;

/** Where stdin goes: a connection's writing side. */
export interface Sink {
  /** Take one chunk; resolves when more may be sent. */
  send(chunk: Buffer): Promise<void>;
  /** stdin ended. */
  end(): void;
}

/**
 * stdin, shared by consecutive connections. It flows only while a sink is
 * attached; a chunk read meanwhile waits for the next one. Once stdin ended,
 * every sink attached is ended at once.
 */
export class Input {
  readonly #stream: Readable;
  #sink: Sink | undefined;
  #held: Buffer | undefined;
  #ended = false;
  #onEnded: (() => void)[] = [];

  constructor(stream: Readable = process.stdin) {
    this.#stream = stream;
    stream.on('data', (chunk: Buffer) => {
      stream.pause();
      void this.#deliver(chunk);
    });
    stream.once('end', () => this.#end());
    // A closed or unreadable stdin is the same as an empty one.
    stream.once('error', () => this.#end());
    stream.pause();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#sink?.end();
    for (const f of this.#onEnded.splice(0)) f();
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Resolves once stdin ended (and the attached sink was ended). */
  whenEnded(): Promise<void> {
    return this.#ended ? Promise.resolve() : new Promise((resolve) => this.#onEnded.push(resolve));
  }

  attach(sink: Sink): void {
    this.#sink = sink;
    if (this.#ended) {
      sink.end();
      return;
    }
    const held = this.#held;
    this.#held = undefined;
    if (held !== undefined) void this.#deliver(held);
    else this.#stream.resume();
  }

  detach(sink: Sink): void {
    if (this.#sink !== sink) return;
    this.#sink = undefined;
    this.#stream.pause();
  }

  async #deliver(chunk: Buffer): Promise<void> {
    const sink = this.#sink;
    if (sink === undefined) {
      this.#held = chunk;
      return;
    }
    try {
      await sink.send(chunk);
    } catch {
      // The connection reports its own failure; stdin waits for the next one.
    }
    if (this.#sink !== undefined) this.#stream.resume();
  }
}

/** Copy a stream's data to stdout, pausing it while stdout is full. */
function copyToStdout(source: Readable | SeqpacketSocket): void {
  const onChunk = (chunk: Buffer, info?: MessageInfo): void => {
    closeFds(info?.fds);
    if (!process.stdout.write(chunk)) {
      source.pause();
      process.stdout.once('drain', () => source.resume());
    }
  };
  source.on(isReadable(source) ? 'data' : 'message', onChunk);
}

function isReadable(s: Readable | SeqpacketSocket): s is Readable {
  return typeof (s as Readable).pipe === 'function';
}

/** stdin → a stream socket, ending it (shutdown SHUT_WR) at stdin EOF. */
function streamSink(socket: UnixSocket): Sink {
  return {
    send: (chunk) => (socket.write(chunk) ? Promise.resolve() : new Promise((resolve) => socket.once('drain', resolve))),
    end: () => socket.end(),
  };
}

/** stdin → a seqpacket socket, one record per chunk read; EOF shuts the writing side down. */
function recordSink(socket: SeqpacketSocket): Sink {
  return {
    send: (chunk) => socket.send(chunk),
    end: () => {
      try {
        socket.shutdown('write');
      } catch {
        // Already closed: nothing left to shut down.
      }
    },
  };
}

/**
 * Bridge a connection with stdio until both sides are done: the peer sent
 * its end of stream (or closed), and stdin ended and was flushed, or
 * LINGER_MS passed after the peer's end. Rejects on a socket error. Stream
 * sockets need allowHalfOpen, so that stdin can still flow after the peer's end.
 * `input` undefined: send nothing.
 */
export async function bridge(socket: UnixSocket | SeqpacketSocket, input: Input | undefined): Promise<void> {
  const stream = isReadable(socket as UnixSocket);
  const sink = stream ? streamSink(socket as UnixSocket) : recordSink(socket as SeqpacketSocket);
  let failed: (err: Error) => void = () => {};
  const failure = new Promise<never>((_, reject) => { failed = reject; });
  socket.on('error', (err: Error) => failed(err));
  const closed = new Promise<void>((resolve) => socket.once('close', resolve));
  const peerDone = new Promise<void>((resolve) => socket.once('end', resolve));
  copyToStdout(socket);
  if (input === undefined) sink.end();
  else input.attach(sink);
  try {
    await Promise.race([Promise.race([peerDone, closed]), failure]);
    const sent = (input?.whenEnded() ?? Promise.resolve()).then(() => (stream && !(socket as UnixSocket).writableFinished
      ? new Promise<void>((resolve) => (socket as UnixSocket).once('finish', resolve))
      : undefined));
    await Promise.race([sent, closed, sleep(LINGER_MS), failure]);
  } finally {
    input?.detach(sink);
  }
}
