// fromFd(): a Unix socket descriptor from elsewhere — inherited from a parent,
// passed by systemd, received with SCM_RIGHTS — made into the unixsock object
// its kind calls for. The engine component decides the kind (SO_TYPE,
// SO_ACCEPTCONN, AF_UNIX checked through getsockname) and owns the descriptor
// from then on; an adopted socket never unlinks a file on close.
import { blockingUntilIo } from './native/blocking.js';
import { DatagramSocket, type DatagramSocketOptions } from './messages/datagram.js';
import { descriptorArgument, optionsArgument } from './arguments.js';
import { errnoError, failureError, sockets } from './component/failures.js';
import { channelOptions } from './messages/message-socket.js';
import { native } from './native/native.js';
import { closeOwner } from './component/owner.js';
import { SEQPACKET, SeqpacketSocket, type SeqpacketSocketOptions } from './messages/seqpacket.js';
import { type ListenOptions, STREAM, UnixServer } from './server.js';
import { UnixSocket, type UnixSocketOptions } from './socket.js';

/** Options of fromFd(): those of whichever object the descriptor becomes. */
export type FromFdOptions = UnixSocketOptions & SeqpacketSocketOptions & Pick<DatagramSocketOptions, 'passCredentials'>;

/** What fromFd() can return. */
export type AdoptedSocket = UnixServer<UnixSocket> | UnixServer<SeqpacketSocket> | UnixSocket | SeqpacketSocket | DatagramSocket;

/** The engine resource behind each adopted kind. */
const RESOURCE = {
  'stream-listener': 'listener', 'seqpacket-listener': 'listener',
  'stream-connection': 'connection', 'seqpacket-connection': 'connection', datagram: 'datagram',
} as const;

/**
 * Adopt a Unix socket descriptor: a listening stream socket becomes a
 * {@link UnixServer}, a listening seqpacket socket a `UnixServer<SeqpacketSocket>`,
 * a connected stream socket a {@link UnixSocket}, a seqpacket socket a
 * {@link SeqpacketSocket}, a datagram socket a {@link DatagramSocket}. The
 * descriptor is made close-on-exec (a listener also non-blocking; a
 * connection only at its first read, write or wait here), and belongs to the
 * returned object from then on (closing the object closes it; do not close it
 * yourself). Check the kind with `instanceof`.
 *
 * # Errors
 * `ENOTSOCK` (not a socket), `EBADF` (not open), `EAFNOSUPPORT` (a socket of
 * another family, e.g. TCP): the descriptor is left as it was. A failed
 * fcntl (not seen in practice) closes it.
 */
export function fromFd(fd: number, options: FromFdOptions = {}): AdoptedSocket {
  descriptorArgument('fd', fd);
  channelOptions(optionsArgument(options), false, false); // checked before anything is taken
  const out = sockets().adopt(fd);
  if (!out.ok) throw failureError(out.failure);
  const { kind, handle } = out.value;
  // A listener accepts non-blocking; a connection or datagram socket stays
  // blocking until unixsock's own first I/O on it, for the other programs
  // that may share it (blocking.ts).
  const listener = kind === 'stream-listener' || kind === 'seqpacket-listener';
  const prepared = listener ? native.setDescriptorFlags(fd, true, true) : blockingUntilIo(fd);
  if (prepared < 0) {
    // Only on a descriptor the kernel will not let us configure: give it back closed.
    closeOwner({ handle }, RESOURCE[kind]);
    throw errnoError(prepared, 'fcntl');
  }
  switch (kind) {
    case 'stream-listener':
    case 'seqpacket-listener': {
      const server = kind === 'stream-listener'
        ? new UnixServer<UnixSocket>(options as ListenOptions, undefined, STREAM)
        : new UnixServer<SeqpacketSocket>(options as ListenOptions, undefined, SEQPACKET);
      server.attach(handle);
      process.nextTick(() => server.emit('listening'));
      return server;
    }
    case 'stream-connection':
      return new UnixSocket({ handle }, fd, options);
    case 'seqpacket-connection':
      return new SeqpacketSocket({ handle }, fd, options);
    case 'datagram': {
      const socket = new DatagramSocket({ handle }, fd, options);
      if (options.passCredentials === true) socket.setOption('SO_PASSCRED', true);
      return socket;
    }
  }
}

/**
 * Close a descriptor unixsock handed you (`info.fds` of a message, the
 * `'descriptors'` event of a stream) and do not adopt: close(2) through the
 * addon. On Node and Bun `fs.closeSync` does the same; on Deno it cannot,
 * since Deno's node:fs refuses (EBADF) every descriptor Deno did not open.
 * Close a descriptor that a unixsock object or node:fs still uses through
 * that object instead.
 *
 * # Errors
 * `EBADF` (not open), as a UnixsockError; a TypeError for an argument
 * that is not a descriptor number.
 */
export function closeFd(fd: number): void {
  descriptorArgument('fd', fd);
  const r = native.close(fd);
  if (r < 0) throw errnoError(r, 'close');
}
