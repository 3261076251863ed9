// What bench/message.ts and its peer process (bench/message-peer.ts) agree
// on: the modes, the libraries, the message size and the end marker.

/** What the peer process does; see bench/message-peer.ts. */
export type Mode = 'seqpacket-sink' | 'dgram-sink' | 'dgram-echo' | 'fds-sink' | 'fds-seqpacket-sink';

/** unixsock or the library it is compared with. */
export type Lib = 'unixsock' | 'node-unix-socket' | 'unix-dgram' | 'usocket';

/** Size of every counted message (bytes). */
export const MESSAGE_SIZE = 64;

/** The datagram that ends a dgram-sink run. */
export const END = 'end';
