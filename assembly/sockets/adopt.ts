// Adopting a descriptor the host got from elsewhere (inherited, systemd
// socket activation, SCM_RIGHTS): it must be a Unix socket; its kind
// (SO_TYPE, SO_ACCEPTCONN) decides which resource it becomes. The engine
// owns it afterwards, but never unlinks a file for it: it did not bind one.
// On failure nothing is taken: the descriptor stays the caller's.
import { failed, nameLen, sysGetSocketType, sysGetSockName, sysIsListening } from '../bindings/syscalls';
import { SocketKind } from '../bindings/types';
import { decodeSockaddr } from '../address/sockaddr';
import { currentPlatform } from './system';
import { Errno } from './errno';
import { Operation, osFail, osFailErrno } from './failure';

/** WIT `sockets.adopted`, case order. */
export const enum Adopted { StreamListener, SeqpacketListener, StreamConnection, SeqpacketConnection, Datagram }

/** The kind `fd` is, or -1 with the failure recorded. */
export function kindOf(fd: i32): i32 {
  const name = sysGetSockName(fd);
  if (failed(name)) { osFail(Operation.Getsockname, name); return -1; }
  // Another family (TCP, UDP, netlink, …) does not decode as a Unix address.
  if (!decodeSockaddr(<usize>name, nameLen, currentPlatform())) {
    osFailErrno(Operation.Getsockname, Errno.AfNoSupport);
    return -1;
  }
  const type = sysGetSocketType(fd);
  if (failed(type)) { osFail(Operation.Getsockopt, type); return -1; }
  if (<SocketKind>type == SocketKind.Datagram) return Adopted.Datagram;
  const listening = sysIsListening(fd);
  if (failed(listening)) { osFail(Operation.Getsockopt, listening); return -1; }
  const stream = <SocketKind>type == SocketKind.Stream;
  if (listening != 0) return stream ? Adopted.StreamListener : Adopted.SeqpacketListener;
  return stream ? Adopted.StreamConnection : Adopted.SeqpacketConnection;
}
