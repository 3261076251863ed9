// Listening stream sockets: socket + bind + listen with the lifecycle rules
// of architecture.md §4.
//
// - Stale socket: on EADDRINUSE, a path that is a socket file refusing
//   connections (probe connect -> ECONNREFUSED) is unlinked and bound again,
//   once. A non-socket is never unlinked; a socket that accepts (or whose
//   backlog is full) is a live server and is never displaced. Two processes
//   recovering at once: each re-reads the file's identity just before
//   unlinking and leaves a file that changed since its probe (the other
//   process's fresh socket). Residual race: a replacement between that
//   re-read and unlink(2) itself, a window of one system call.
// - Mode: the umask is set to ~mode around bind(2), so the file is created
//   with exactly `mode` and never exists with wider permissions. The umask is
//   process-wide: files another thread creates during that bind get the
//   narrower mask.
// - Unlink on close: only while the path still names the file bound here
//   (same device and inode, read back right after bind), and by its absolute
//   form recorded at bind, so a later chdir does not matter.
import { AddressKind, Platform } from '../address/kinds';
import { outLen, outPtr } from '../address/output';
import { Options } from '../address/rules';
import { encodeAddress } from '../address/sockaddr';
import {
  failed, FileKind, hostPlatform, identityDevice, identityInode, identityKind, setUmask, SocketKind,
  sysAccept, sysBind, sysClose, sysConnect, sysListen, sysPathIdentity, sysSocket, sysUnlink,
} from '../bindings/syscalls';
import { Errno } from './errno';
import { addressFail, Operation, osFail, osFailErrno, stateFail } from './failure';
import { register as registerConnection } from './connection';
import { Slab } from './slab';

export class Listener {
  fd: i32 = -1;
  /** Absolute path bytes of a pathname socket (heap block), or 0. */
  path: usize = 0;
  pathLen: u32 = 0;
  device: u64 = 0;
  inode: u64 = 0;
  /** The identity was read back after bind. */
  owned: bool = false;
  unlinkOnClose: bool = true;
}

/** What `listen` needs besides the address (WIT `listen-options`). */
export class ListenOptions {
  backlog: u32 = 511;
  hasMode: bool = false;
  mode: u32 = 0;
  unlinkOnClose: bool = true;
  recoverStale: bool = true;
  hasWd: bool = false;
  wdPtr: usize = 0;
  wdLen: u32 = 0;
}

const slab = new Slab<Listener>();

/** The listener behind a rep, or null for a stale rep. */
export function listenerOf(rep: i32): Listener | null {
  return slab.get(rep);
}

/** Forget a rep (its destructor ran). */
export function release(rep: i32): void {
  slab.remove(rep);
}

let platform: i32 = -1;

/** The host's platform, asked once. */
export function currentPlatform(): Platform {
  if (platform < 0) platform = hostPlatform();
  return <Platform>platform;
}

const OPTIONS = new Options();

/** Validate and encode for this host; the sockaddr is at outPtr/outLen. */
export function encodeForHost(kind: AddressKind, ptr: usize, len: u32): bool {
  OPTIONS.platform = currentPlatform();
  return encodeAddress(kind, ptr, len, OPTIONS) ? true : addressFail();
}

function bindWithMode(fd: i32, sa: usize, saLen: u32, o: ListenOptions, isPath: bool): i64 {
  if (!(o.hasMode && isPath)) return sysBind(fd, sa, saLen);
  const previous = setUmask(~o.mode & 0o777);
  const r = sysBind(fd, sa, saLen);
  setUmask(previous);
  return r;
}

/** A socket file nobody listens on: connect is refused. */
function isStale(sa: usize, saLen: u32): bool {
  const probe = sysSocket(SocketKind.Stream);
  if (failed(probe)) return false;
  const r = sysConnect(<i32>probe, sa, saLen);
  sysClose(<i32>probe);
  return failed(r) && <i32>(-r - 1) == Errno.ConnRefused;
}

/** Unlink a stale socket file at `path`; false when it must be left alone. */
function recoverStale(path: usize, pathLen: u32, sa: usize, saLen: u32): bool {
  if (failed(sysPathIdentity(path, pathLen))) return true; // gone already: just bind again
  if (identityKind != FileKind.Socket) return false;
  const device = identityDevice;
  const inode = identityInode;
  if (!isStale(sa, saLen)) return false;
  if (failed(sysPathIdentity(path, pathLen))) return true;
  if (identityDevice != device || identityInode != inode) return false;
  sysUnlink(path, pathLen);
  return true;
}

/** listener.listen: returns the new rep, or 0 with the failure recorded. */
export function listen(kind: AddressKind, ptr: usize, len: u32, o: ListenOptions): i32 {
  if (!encodeForHost(kind, ptr, len)) return 0;
  const sa = outPtr;
  const saLen = outLen;
  const isPath = kind == AddressKind.Path || kind == AddressKind.PathBytes;
  const fdr = sysSocket(SocketKind.Stream);
  if (failed(fdr)) { osFail(Operation.Socket, fdr); return 0; }
  const fd = <i32>fdr;
  let r = bindWithMode(fd, sa, saLen, o, isPath);
  if (failed(r) && <i32>(-r - 1) == Errno.AddrInUse && isPath && o.recoverStale) {
    if (recoverStale(ptr, len, sa, saLen)) r = bindWithMode(fd, sa, saLen, o, isPath);
  }
  if (failed(r)) { sysClose(fd); osFail(Operation.Bind, r); return 0; }
  const l = new Listener();
  l.fd = fd;
  l.unlinkOnClose = o.unlinkOnClose;
  if (isPath) {
    // Remember the absolute path and the identity of the file just created.
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
    l.path = path;
    l.pathLen = total;
    if (!failed(sysPathIdentity(path, total)) && identityKind == FileKind.Socket) {
      l.device = identityDevice;
      l.inode = identityInode;
      l.owned = true;
    }
  }
  r = sysListen(fd, o.backlog);
  if (failed(r)) {
    unlinkIfOwned(l);
    freePath(l);
    sysClose(fd);
    osFail(Operation.Listen, r);
    return 0;
  }
  return slab.add(l);
}

function unlinkIfOwned(l: Listener): void {
  if (!l.owned) return;
  if (failed(sysPathIdentity(l.path, l.pathLen))) return;
  if (identityKind == FileKind.Socket && identityDevice == l.device && identityInode == l.inode) {
    sysUnlink(l.path, l.pathLen);
  }
}

function freePath(l: Listener): void {
  if (l.path != 0) heap.free(l.path);
  l.path = 0;
}

/** listener.close. */
export function close(l: Listener): bool {
  if (l.fd < 0) return stateFail();
  // Unlink before close, so no connectable-looking dead file outlives us.
  if (l.unlinkOnClose) unlinkIfOwned(l);
  freePath(l);
  const r = sysClose(l.fd);
  l.fd = -1;
  return failed(r) ? osFail(Operation.Close, r) : true;
}

/** listener.accept: a connection rep, 0 when none is pending, -1 on failure. */
export function accept(l: Listener): i32 {
  if (l.fd < 0) { stateFail(); return -1; }
  const r = sysAccept(l.fd);
  if (failed(r)) {
    const errno = <i32>(-r - 1);
    if (errno == Errno.Again) return 0;
    osFailErrno(Operation.Accept, errno);
    return -1;
  }
  return registerConnection(<i32>r);
}

/** listener.adopt: take charge of a descriptor the host accepted. */
export function adopt(l: Listener, fd: i32): i32 {
  if (l.fd < 0) { stateFail(); return 0; }
  return registerConnection(fd);
}

