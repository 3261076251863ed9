// The `unixsock:ipc/syscalls` imports (wit/syscalls.wit), and thin wrappers
// that hide their canonical-ABI return areas. Every wrapper returns a value
// >= 0 on success or -(1 + errno case) on failure (`failed()` / `errnoOf()`
// read it), so callers stay allocation-free.
import { adopt } from '../arena';
import { SocketKind } from './types';

// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'socket')
declare function _socket(kind: i32, ret: usize): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'bind')
declare function _bind(fd: i32, ptr: usize, len: u32, ret: usize): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'listen')
declare function _listen(fd: i32, backlog: u32, ret: usize): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'connect')
declare function _connect(fd: i32, ptr: usize, len: u32, ret: usize): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'accept')
declare function _accept(fd: i32, ret: usize): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'get-sock-name')
declare function _getSockName(fd: i32, ret: usize): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'get-peer-name')
declare function _getPeerName(fd: i32, ret: usize): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'get-socket-type')
declare function _getSocketType(fd: i32, ret: usize): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'is-listening')
declare function _isListening(fd: i32, ret: usize): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'shutdown')
declare function _shutdown(fd: i32, how: i32, ret: usize): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'close')
declare function _close(fd: i32, ret: usize): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'path-identity')
declare function _pathIdentity(ptr: usize, len: u32, ret: usize): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'unlink')
declare function _unlink(ptr: usize, len: u32, ret: usize): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'set-umask')
export declare function setUmask(mask: u32): u32;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'socket-pair')
declare function _socketPair(kind: i32, ret: usize): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'send')
declare function _send(
  fd: i32, ptr: usize, len: u32, fdsPtr: usize, fdsLen: u32, hasSa: i32, saPtr: usize, saLen: u32, ret: usize,
): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'receive')
declare function _receive(fd: i32, max: u32, maxFds: u32, ret: usize): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'peer-credentials')
declare function _peerCredentials(fd: i32, ret: usize): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'wait')
declare function _wait(fd: i32, events: i32, timeoutMs: u32, ret: usize): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'real-path')
declare function _realPath(ptr: usize, len: u32, ret: usize): void;
// @ts-ignore: decorator
@external('cm32p2|unixsock:ipc/syscalls@0.1', 'host-platform')
export declare function hostPlatform(): i32;

/** Import return area: result discriminant @0, payload @1 (unit/errno/small), @4 (s32, list, record) or @8 (file-identity). */
const R: usize = memory.data(32, 8);

export const enum FileKind { Other, Socket, Regular, Directory, Symlink, Fifo, CharacterDevice, BlockDevice }

/** Whether a wrapper's result is a failure. */
export function failed(r: i64): bool {
  return r < 0;
}

/** The errno case of a failed result. */
export function errnoOf(r: i64): i32 {
  return <i32>(-r - 1);
}

function unit(): i64 {
  return load<u8>(R) == 0 ? 0 : -1 - <i64>load<u8>(R + 1);
}

function value(): i64 {
  return load<u8>(R) == 0 ? <i64>load<i32>(R + 4) : -1 - <i64>load<u8>(R + 4);
}

export function sysSocket(kind: SocketKind): i64 { _socket(kind, R); return value(); }
export function sysBind(fd: i32, ptr: usize, len: u32): i64 { _bind(fd, ptr, len, R); return unit(); }
export function sysListen(fd: i32, backlog: u32): i64 { _listen(fd, backlog, R); return unit(); }
export function sysConnect(fd: i32, ptr: usize, len: u32): i64 { _connect(fd, ptr, len, R); return unit(); }
export function sysAccept(fd: i32): i64 { _accept(fd, R); return value(); }
/** result<enum-or-bool, errno>: discriminant @0, payload @1 (the case, the bool or the errno). */
function small(): i64 {
  return load<u8>(R) == 0 ? <i64>load<u8>(R + 1) : -1 - <i64>load<u8>(R + 1);
}

export function sysGetSocketType(fd: i32): i64 { _getSocketType(fd, R); return small(); }
export function sysIsListening(fd: i32): i64 { _isListening(fd, R); return small(); }
export function sysShutdown(fd: i32, how: i32): i64 { _shutdown(fd, how, R); return unit(); }
export function sysClose(fd: i32): i64 { _close(fd, R); return unit(); }
export function sysUnlink(ptr: usize, len: u32): i64 { _unlink(ptr, len, R); return unit(); }

/** Result of the last successful get-sock-name / get-peer-name: a block owned until post-return. */
export let nameLen: u32 = 0;

function name(): i64 {
  if (load<u8>(R) != 0) return -1 - <i64>load<u8>(R + 4);
  const ptr = <usize>load<u32>(R + 4);
  nameLen = load<u32>(R + 8);
  adopt(ptr); // allocated by the host through cabi_realloc
  return <i64>ptr;
}

export function sysGetSockName(fd: i32): i64 { _getSockName(fd, R); return name(); }
export function sysGetPeerName(fd: i32): i64 { _getPeerName(fd, R); return name(); }

/** Identity from the last successful path-identity. */
export let identityDevice: u64 = 0;
export let identityInode: u64 = 0;
export let identityKind: FileKind = FileKind.Other;

export function sysPathIdentity(ptr: usize, len: u32): i64 {
  _pathIdentity(ptr, len, R);
  if (load<u8>(R) != 0) return -1 - <i64>load<u8>(R + 8);
  identityDevice = load<u64>(R + 8);
  identityInode = load<u64>(R + 16);
  identityKind = <FileKind>load<u8>(R + 24);
  return 0;
}

/** Descriptors of the last successful socket-pair. */
export let pairFirst: i32 = -1;
export let pairSecond: i32 = -1;

export function sysSocketPair(kind: SocketKind): i64 {
  _socketPair(kind, R);
  if (load<u8>(R) != 0) return -1 - <i64>load<u8>(R + 4);
  pairFirst = load<i32>(R + 4);
  pairSecond = load<i32>(R + 8);
  return 0;
}

/** sendmsg: `fds` is an array of `fdCount` s32; `saLen` 0 sends without a destination. */
export function sysSend(fd: i32, ptr: usize, len: u32, fds: usize, fdCount: u32, sa: usize, saLen: u32): i64 {
  _send(fd, ptr, len, fds, fdCount, saLen != 0 ? 1 : 0, sa, saLen, R);
  return value();
}

/**
 * The last successful receive: blocks the host allocated in engine memory
 * through cabi_realloc, owned by the caller from now on (free or adopt
 * them; a zero length may come with a non-heap pointer).
 */
export let inData: usize = 0;
export let inDataLen: u32 = 0;
export let inFds: usize = 0;
export let inFdCount: u32 = 0;
export let inName: usize = 0;
export let inNameLen: u32 = 0;
export let inTruncated: bool = false;
export let inControlTruncated: bool = false;

export function sysReceive(fd: i32, max: u32, maxFds: u32): i64 {
  _receive(fd, max, maxFds, R);
  if (load<u8>(R) != 0) return -1 - <i64>load<u8>(R + 4);
  inData = <usize>load<u32>(R + 4);
  inDataLen = load<u32>(R + 8);
  inFds = <usize>load<u32>(R + 12);
  inFdCount = load<u32>(R + 16);
  inName = <usize>load<u32>(R + 20);
  inNameLen = load<u32>(R + 24);
  inTruncated = load<u8>(R + 28) != 0;
  inControlTruncated = load<u8>(R + 29) != 0;
  return <i64>inDataLen;
}

/** Credentials from the last successful peer-credentials. */
export let peerPid: i32 = 0;
export let peerUid: u32 = 0;
export let peerGid: u32 = 0;

export function sysPeerCredentials(fd: i32): i64 {
  _peerCredentials(fd, R);
  if (load<u8>(R) != 0) return -1 - <i64>load<u8>(R + 4);
  peerPid = load<i32>(R + 4);
  peerUid = load<u32>(R + 8);
  peerGid = load<u32>(R + 12);
  return 0;
}

/** poll(2): the readiness bits that are set (0 on timeout). */
export function sysWait(fd: i32, events: i32, timeoutMs: u32): i64 { _wait(fd, events, timeoutMs, R); return small(); }

/** realpath(3): a block owned by the caller (adopt it), length in nameLen. */
export function sysRealPath(ptr: usize, len: u32): i64 { _realPath(ptr, len, R); return name(); }
