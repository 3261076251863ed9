// SeqpacketSocket: a connected SOCK_SEQPACKET Unix socket — reliable,
// ordered, connection-oriented, with message boundaries kept.
//
// End of stream vs. an empty record: recvmsg returns 0 for both. On Linux the
// socket turns SO_PASSCRED on, so every record carries the sender's
// credentials and a 0-byte read without them is the end of the stream: an
// empty record arrives as a 'message' with an empty Buffer, the end as 'end'.
// Where SO_PASSCRED does not exist, a 0-byte read is taken as the end.
import { addressForMessage, type SocketAddress, witAddress } from '../address.js';
import { invalidArgValue } from '../arguments.js';
import { failureError, sockets } from '../component/failures.js';
import { channelOptions, MessageSocket, type MessageSocketOptions, NO_ADDRESS, NO_OPTIONS } from './message-socket.js';
import type { MessageInfo } from './receive.js';
import type { SendOptions } from './channel.js';
import { native, SHUTDOWN, SOCKET_OPTION } from '../native/native.js';
import { type Owner, ownerAddress, ownerShutdown } from '../component/owner.js';
import { type ListenOptions, type ServerKind, UnixServer } from '../server.js';

/** Options of a SeqpacketSocket. */
export type SeqpacketSocketOptions = MessageSocketOptions;

/**
 * A connected seqpacket socket.
 *
 * ### Event: 'message' — `(data: Buffer, info: MessageInfo)`; reading starts with the first listener
 * ### Event: 'end' — the peer closed or shut down its write side
 * ### Event: 'drain' — the write() queue emptied after write() returned false
 * ### Event: 'error'
 * ### Event: 'close'
 */
export class SeqpacketSocket extends MessageSocket {
  /** @internal Use connectSeqpacket(), a SeqpacketServer, or socketPair({ type: 'seqpacket' }). */
  constructor(owner: Owner, fd: number, options: SeqpacketSocketOptions = {}) {
    super(owner, fd, channelOptions(options, false, true));
    // See the header: credentials tell an empty record from the end.
    if (native.constants.passCredentials) native.setSocketOption(fd, SOCKET_OPTION.SO_PASSCRED, 1);
  }

  /** Send one record (at most SO_SNDBUF bytes, else EMSGSIZE). Resolves once the kernel took it. */
  send(data: unknown, options: SendOptions = NO_OPTIONS): Promise<void> {
    return this.sendMessage(data, options, NO_ADDRESS);
  }

  /**
   * Send one record without a promise: it is queued and goes out with the
   * others written in this tick (one sendmmsg per 64 on Linux). Returns false
   * once 256 records wait (wait for 'drain'); nothing is ever dropped. A
   * failure (EMSGSIZE, EPIPE, ...) goes to `callback`, else to 'error'.
   * Descriptors in `options.fds` are duplicated at once: close yours when you like.
   */
  write(data: unknown, options: SendOptions = NO_OPTIONS, callback?: (err?: Error | null) => void): boolean {
    return this.writeMessage(data, options, null, callback);
  }

  /** shutdown(2): 'write' (the peer sees 'end'), 'read' or 'both'. */
  shutdown(how: 'read' | 'write' | 'both' = 'write'): void {
    if (!Object.hasOwn(SHUTDOWN, how)) throw invalidArgValue('how', `must be 'read', 'write' or 'both'. Received ${String(how)}`);
    ownerShutdown(this.owner, SHUTDOWN[how]);
  }

  /** shutdown('write') once every queued record went out (at once when none waits). */
  end(): void {
    if (this.queuedSends === 0) {
      this.shutdown('write');
      return;
    }
    this.whenFlushed(() => {
      if (this.owner === undefined) return;
      try {
        this.shutdown('write');
      } catch (err) {
        this.emit('error', err);
      }
    });
  }

  get localAddress(): SocketAddress | undefined {
    return ownerAddress(this.owner, false);
  }

  get remoteAddress(): SocketAddress | undefined {
    return ownerAddress(this.owner, true);
  }

  /** Close the socket; queued sends reject. */
  close(): void {
    this.release('connection');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

export type { MessageInfo };

export const SEQPACKET: ServerKind<SeqpacketSocket> = {
  type: 'seqpacket',
  wrap: (handle, fd, options) => new SeqpacketSocket({ handle }, fd, options as SeqpacketSocketOptions),
  discard: (socket) => socket.close(),
};

/** Options of listenSeqpacket(). */
export type SeqpacketListenOptions = Omit<ListenOptions, 'allowHalfOpen' | 'readCap'> & SeqpacketSocketOptions;

/**
 * Listen for seqpacket connections (same address forms and lifecycle rules as
 * stream listen()). The server's 'connection' events, accept() and async
 * iteration give SeqpacketSockets.
 */
export async function listenSeqpacket(addr: unknown, options: SeqpacketListenOptions = {}): Promise<UnixServer<SeqpacketSocket>> {
  channelOptions(options, false, true);  // checked before anything is created
  const server = new UnixServer<SeqpacketSocket>(options, undefined, SEQPACKET);
  server.bind(addr);
  process.nextTick(() => server.emit('listening'));
  return server;
}

/**
 * Connect to a seqpacket listener.
 *
 * # Errors
 * `ENOENT`, `ECONNREFUSED`, `EPROTOTYPE` (the listener is of another type), `EAGAIN` (backlog full).
 */
export async function connectSeqpacket(addr: unknown, options: SeqpacketSocketOptions = {}): Promise<SeqpacketSocket> {
  channelOptions(options, false, true);  // checked before anything is created
  const out = sockets().connect(witAddress(addr), 'seqpacket');
  if (!out.ok) throw failureError(out.failure, addressForMessage(addr));
  return new SeqpacketSocket({ handle: out.value }, sockets().connectionDescriptor(out.value), options);
}
