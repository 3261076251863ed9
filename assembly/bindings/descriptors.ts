// Canonical-ABI lifting and lowering for `unixsock:ipc/descriptors`
// (wit/descriptors.wit, embedder only): descriptor numbers in and out of the
// `sockets` resources. Names as in sockets.ts: `descriptors_adopt_accepted`
// is `descriptors#adopt-accepted`.
import { releaseArena } from '../arena';
import { RET } from './abi';
import { attachmentDrop, attachmentNew, attachmentRep, connectionNew, datagramNew, listenerNew, live } from './resources';
import { lowerError, lowerHandle } from './results';
import * as attachment from '../sockets/attachment';
import * as listener from '../sockets/listener';
import * as connection from '../sockets/connection';
import * as datagram from '../sockets/datagram';
import { Adopted, kindOf } from '../sockets/adopt';
import { SocketKind } from './types';

/** result<adopted, socket-error>: the case at 4, its handle at 8. */
export function descriptors_adopt(fd: i32): usize {
  const kind = kindOf(fd);
  if (kind < 0) return lowerError();
  let handle: i32;
  if (kind == Adopted.StreamListener) handle = listenerNew(listener.adoptListening(fd, SocketKind.Stream));
  else if (kind == Adopted.SeqpacketListener) handle = listenerNew(listener.adoptListening(fd, SocketKind.Seqpacket));
  else if (kind == Adopted.Datagram) handle = datagramNew(datagram.adoptDescriptor(fd));
  else handle = connectionNew(connection.register(fd, kind == Adopted.StreamConnection ? SocketKind.Stream : SocketKind.Seqpacket));
  store<u8>(RET, 0);
  store<u8>(RET + 4, <u8>kind);
  store<i32>(RET + 8, handle);
  return RET;
}

export function descriptors_adopt_accepted(rep: i32, fd: i32): usize {
  const r = listener.adopt(live(listener.listenerOf(rep)), fd);
  return r == 0 ? lowerError() : lowerHandle(connectionNew(r));
}

// The fd, or -1 once closed (or for a rep no longer live).

export function descriptors_listener_descriptor(rep: i32): i32 {
  const l = listener.listenerOf(rep);
  return l == null ? -1 : l.fd;
}

export function descriptors_connection_descriptor(rep: i32): i32 {
  const c = connection.connectionOf(rep);
  return c == null ? -1 : c.fd;
}

export function descriptors_datagram_descriptor(rep: i32): i32 {
  const d = datagram.datagramOf(rep);
  return d == null ? -1 : d.fd;
}

export function descriptors_attach(fd: i32): i32 {
  return attachmentNew(attachment.register(fd));
}

export function descriptors_detach(handle: i32): i32 {
  const fd = attachment.detach(live(attachment.attachmentOf(attachmentRep(handle))));
  attachmentDrop(handle);
  return fd;
}

// Post-return: adopt's result came from kindOf's getsockname block.
export { releaseArena as descriptors_adopt_post };
