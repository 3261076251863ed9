// wit/types.wit: plain data, no functions, so nothing to lift or lower
// here beyond the enum every binding passes as its case index. The other
// `types` cases live with the code that decides them, each in WIT order
// (test/wit/vocabulary.test.ts checks every one): `error-code` and the
// address errors in errors.ts, `errno` in sockets/errno.ts, `permission` in
// sockets/failure.ts, `platform` and `address` in address/kinds.ts.

/** WIT `types.socket-type`, case order. */
export const enum SocketKind { Stream, Datagram, Seqpacket }
