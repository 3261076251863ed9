// A socket bound to an address, with the lifecycle rules that listeners and
// datagram sockets share (wit/sockets.wit, `bind-options`, states them for
// embedders):
//
// - Stale socket: on EADDRINUSE, a path that is a socket file refusing
//   connections (a probe of the socket's own type: connect -> ECONNREFUSED)
//   is unlinked and bound again, once. A non-socket is never unlinked; a
//   socket that accepts (or whose backlog is full, or whose type differs:
//   EPROTOTYPE) is live and is never displaced. Two processes recovering at
//   once: each re-reads the file's identity just before unlinking and leaves
//   a file that changed since its probe (the other process's fresh socket).
//   Residual race: a replacement between that re-read and unlink(2) itself,
//   a window of one system call.
// - Mode: the umask is set to ~mode around bind(2), so the file is created
//   with exactly `mode` and never exists with wider permissions. The umask is
//   process-wide: files another thread creates during that bind get the
//   narrower mask.
// - Unlink on close: only while the path still names the file bound here
//   (same device and inode, read back right after bind), and by its absolute
//   form recorded at bind, so a later chdir does not matter.
import { AddressKind } from '../address/kinds';
import { outLen, outPtr } from '../address/output';
import {
  failed, FileKind, identityDevice, identityInode, identityKind, setUmask,
  sysBind, sysClose, sysConnect, sysPathIdentity, sysSocket, sysUnlink,
} from '../bindings/syscalls';
import { SocketKind } from '../bindings/types';
import { Errno } from './errno';
import { Operation, osFail, stateFail } from './failure';
import { encodeForHost, openSocket } from './system';
import { copyBlock, enforcing } from './policy';

/** A socket descriptor and, for a pathname, the file bound. */
export class Bound {
  fd: i32 = -1;
  /** Absolute path bytes of a pathname socket (heap block), or 0. */
  path: usize = 0;
  pathLen: u32 = 0;
  device: u64 = 0;
  inode: u64 = 0;
  /** The identity was read back after bind. */
  owned: bool = false;
  unlinkOnClose: bool = true;
  /** The socket type. */
  type: SocketKind = SocketKind.Stream;
  /** Under a policy: the address bound, as the policy judged it (heap block), for later checks. */
  nameKind: AddressKind = AddressKind.Unnamed;
  namePtr: usize = 0;
  nameLen: u32 = 0;
}

/** How a name is bound (WIT `bind-options`; `listen-options` adds to it). */
export class BindOptions {
  hasMode: bool = false;
  mode: u32 = 0;
  unlinkOnClose: bool = true;
  recoverStale: bool = true;
  hasWd: bool = false;
  wdPtr: usize = 0;
  wdLen: u32 = 0;
}

function bindWithMode(fd: i32, sa: usize, saLen: u32, o: BindOptions, isPath: bool): i64 {
  if (!(o.hasMode && isPath)) return sysBind(fd, sa, saLen);
  const previous = setUmask(~o.mode & 0o777);
  const r = sysBind(fd, sa, saLen);
  setUmask(previous);
  return r;
}

/** A socket file nobody serves: a connect of the same type is refused. */
function isStale(type: SocketKind, sa: usize, saLen: u32): bool {
  const probe = sysSocket(type);
  if (failed(probe)) return false;
  const r = sysConnect(<i32>probe, sa, saLen);
  sysClose(<i32>probe);
  return failed(r) && <i32>(-r - 1) == Errno.ConnRefused;
}

/** Unlink a stale socket file at `path`; false when it must be left alone. */
function recoverStale(type: SocketKind, path: usize, pathLen: u32, sa: usize, saLen: u32): bool {
  if (failed(sysPathIdentity(path, pathLen))) return true; // gone already: just bind again
  if (identityKind != FileKind.Socket) return false;
  const device = identityDevice;
  const inode = identityInode;
  if (!isStale(type, sa, saLen)) return false;
  if (failed(sysPathIdentity(path, pathLen))) return true;
  if (identityDevice != device || identityInode != inode) return false;
  sysUnlink(path, pathLen);
  return true;
}

/** Remember the absolute path and the identity of the file just created. */
function recordPath(b: Bound, ptr: usize, len: u32, o: BindOptions): void {
  const relative = load<u8>(ptr) != 0x2f && o.hasWd;
  const total = relative ? o.wdLen + 1 + len : len;
  const path = heap.alloc(total);
  if (relative) {
    memory.copy(path, o.wdPtr, o.wdLen);
    store<u8>(path + o.wdLen, 0x2f);
    memory.copy(path + o.wdLen + 1, ptr, len);
  } else {
    memory.copy(path, ptr, len);
  }
  b.path = path;
  b.pathLen = total;
  if (!failed(sysPathIdentity(path, total)) && identityKind == FileKind.Socket) {
    b.device = identityDevice;
    b.inode = identityInode;
    b.owned = true;
  }
}

/**
 * socket + bind into `b`, with stale recovery and mode; false with the
 * failure recorded and nothing left open.
 */
export function bindSocket(b: Bound, type: SocketKind, kind: AddressKind, ptr: usize, len: u32, o: BindOptions): bool {
  if (!encodeForHost(kind, ptr, len)) return false;
  const sa = outPtr;
  const saLen = outLen;
  const isPath = kind == AddressKind.Path || kind == AddressKind.PathBytes;
  const fd = openSocket(type);
  if (fd < 0) return false;
  let r = bindWithMode(fd, sa, saLen, o, isPath);
  if (failed(r) && <i32>(-r - 1) == Errno.AddrInUse && isPath && o.recoverStale) {
    if (recoverStale(type, ptr, len, sa, saLen)) r = bindWithMode(fd, sa, saLen, o, isPath);
  }
  if (failed(r)) { sysClose(fd); return osFail(Operation.Bind, r); }
  b.fd = fd;
  b.type = type;
  b.unlinkOnClose = o.unlinkOnClose;
  if (isPath) recordPath(b, ptr, len, o);
  return true;
}

/** Keep a listener's bound address for the policy's checks on accept. */
export function rememberName(b: Bound, kind: AddressKind, ptr: usize, len: u32): void {
  if (!enforcing) return;
  b.nameKind = kind;
  b.namePtr = copyBlock(ptr, len);
  b.nameLen = len;
}

function unlinkIfOwned(b: Bound): void {
  if (!b.owned) return;
  if (failed(sysPathIdentity(b.path, b.pathLen))) return;
  if (identityKind == FileKind.Socket && identityDevice == b.device && identityInode == b.inode) {
    sysUnlink(b.path, b.pathLen);
  }
}

function release(b: Bound, unlink: bool): i64 {
  // Unlink before close, so no connectable-looking dead file outlives us.
  if (unlink) unlinkIfOwned(b);
  if (b.path != 0) heap.free(b.path);
  b.path = 0;
  if (b.namePtr != 0) heap.free(b.namePtr);
  b.namePtr = 0;
  const r = sysClose(b.fd);
  b.fd = -1;
  return r;
}

/** Undo a bind that cannot be used (listen failed): unlink our file, close. */
export function abandon(b: Bound): void {
  release(b, true);
}

/** close: unlink the file first if `unlinkOnClose` and it is still ours. A second close is invalid-state. */
export function closeBound(b: Bound): bool {
  if (b.fd < 0) return stateFail();
  const r = release(b, b.unlinkOnClose);
  return failed(r) ? osFail(Operation.Close, r) : true;
}
