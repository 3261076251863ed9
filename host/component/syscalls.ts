// The engine's `unixsock:ipc/syscalls` imports for Node, over the native shim:
// each import is one native call; results are written into the engine's
// return area as the canonical ABI lowers `result<T, errno>`.
import { type CoreMemory } from './abi.js';
import { ERRNO_NAMES, errnoIndex } from './errno.js';
import {
  LIST, SYSCALLS_FILE_IDENTITY as IDENTITY_OF, SYSCALLS_FUNCTIONS as F, SYSCALLS_INCOMING as INCOMING, TYPES_CREDENTIALS, WORD,
} from './generated/abi-layout.js';
import { MESSAGE_FLAG, native, SOCKET_OPTION } from '../native/native.js';
import { HOST_PLATFORM, PLATFORMS } from './platform.js';

const NAME = new Uint8Array(128);
const OPTION = new Int32Array(2);
/** errno case for a socket type outside WIT `socket-type`. */
const TYPE_NOT_SUPPORTED = ERRNO_NAMES.indexOf('ESOCKTNOSUPPORT');
const IDENTITY = new BigUint64Array(3);
const PAIR = new Int32Array(2);
const CREDENTIALS = new Int32Array(3);
const RECEIVED = new Int32Array(8);
const SENDER = new Uint8Array(128);
const RESOLVED = new Uint8Array(4096);
/** Receive descriptor buffers by capacity (the engine asks for few distinct sizes). */
const FDS_OUT = new Map<number, Int32Array>();

// Where things are in a return area (host/generated/abi-layout.ts; the
// shared payload offsets are checked by test/wit/abi-layout.test.ts).
/** result<T, errno> for a 1-byte T (none, an enum, a bool, flags): T or the errno. */
const SMALL = F.bind.result.payload;
/** result<T, errno> for a 4-aligned T (s32, u32, a list, a record of words). */
const WIDE = F.socket.result.payload;
/** result<file-identity, errno>. */
const IDENTITY_AT = F['path-identity'].result.payload;
const [PAIR_FIRST, PAIR_SECOND] = F['socket-pair'].result.ok.fields;

/** The import object for one engine instance; `memory()` is its memory once instantiated. */
export function syscallImports(instanceMemory: () => CoreMemory): Record<string, (...args: number[]) => number | void> {
  // The engine may have grown its memory since the host last looked.
  const memory = (): CoreMemory => {
    const m = instanceMemory();
    m.fresh();
    return m;
  };
  // result<_, errno>: discriminant @0, errno @SMALL.
  const unit = (r: number, ret: number): void => {
    const b = memory().bytes;
    b[ret] = r < 0 ? 1 : 0;
    if (r < 0) b[ret + SMALL] = errnoIndex(-r);
  };
  // result<T, errno> with its payload @WIDE: writes the error case when r is
  // -errno (true), else nothing (false: the caller writes the ok case).
  const failed = (r: number, ret: number): boolean => {
    if (r >= 0) return false;
    const b = memory().bytes;
    b[ret] = 1;
    b[ret + WIDE] = errnoIndex(-r);
    return true;
  };
  // result<s32, errno>: discriminant @0, value or errno @WIDE.
  const value = (r: number, ret: number): void => {
    if (failed(r, ret)) return;
    const m = memory();
    m.bytes[ret] = 0;
    m.view.setInt32(ret + WIDE, r, true);
  };
  // result<list<u8>, errno> of the first r bytes of `from`: the list is
  // allocated in the engine, which owns it.
  const bytesResult = (r: number, from: Uint8Array, ret: number): void => {
    if (failed(r, ret)) return;
    const m = memory();
    const ptr = m.allocate(Math.max(r, 1));
    m.bytes.set(from.subarray(0, r), ptr);
    m.bytes[ret] = 0;
    m.view.setUint32(ret + WIDE + LIST.ptr, ptr, true);
    m.view.setUint32(ret + WIDE + LIST.len, r, true);
  };
  // result<enum-or-bool, errno>: discriminant @0, the case or the errno case @SMALL.
  const small = (isError: boolean, payload: number, ret: number): void => {
    const b = memory().bytes;
    b[ret] = isError ? 1 : 0;
    b[ret + SMALL] = payload;
  };
  const option = (fd: number, name: number): number => {
    const r = native.getSocketOption(fd, name, OPTION);
    return r < 0 ? r : OPTION[0]!;
  };
  const bytes = (ptr: number, len: number): Uint8Array => memory().bytes.subarray(ptr, ptr + len);
  return {
    socket: (kind, ret) => value(native.socket(kind + 1), ret),
    bind: (fd, ptr, len, ret) => unit(native.bind(fd, bytes(ptr, len)), ret),
    listen: (fd, backlog, ret) => unit(native.listen(fd, backlog), ret),
    connect: (fd, ptr, len, ret) => unit(native.connect(fd, bytes(ptr, len)), ret),
    accept: (fd, ret) => value(native.accept(fd), ret),
    'get-sock-name': (fd, ret) => bytesResult(native.getSockName(fd, NAME), NAME, ret),
    'get-peer-name': (fd, ret) => bytesResult(native.getPeerName(fd, NAME), NAME, ret),
    // SO_TYPE reads back as SOCKET_TYPE (1..3), 0 for any other type.
    'get-socket-type': (fd, ret) => {
      const t = option(fd, SOCKET_OPTION.SO_TYPE);
      if (t < 0) small(true, errnoIndex(-t), ret);
      else small(t === 0, t === 0 ? TYPE_NOT_SUPPORTED : t - 1, ret);
    },
    'is-listening': (fd, ret) => {
      const l = option(fd, SOCKET_OPTION.SO_ACCEPTCONN);
      small(l < 0, l < 0 ? errnoIndex(-l) : l === 0 ? 0 : 1, ret);
    },
    shutdown: (fd, how, ret) => unit(native.shutdown(fd, how), ret),
    close: (fd, ret) => unit(native.close(fd), ret),
    'path-identity': (ptr, len, ret) => {
      const r = native.pathIdentity(bytes(ptr, len), IDENTITY);
      const m = memory();
      m.bytes[ret] = r < 0 ? 1 : 0;
      if (r < 0) {
        m.bytes[ret + IDENTITY_AT] = errnoIndex(-r);
        return;
      }
      m.view.setBigUint64(ret + IDENTITY_AT + IDENTITY_OF.device, IDENTITY[0]!, true);
      m.view.setBigUint64(ret + IDENTITY_AT + IDENTITY_OF.inode, IDENTITY[1]!, true);
      m.bytes[ret + IDENTITY_AT + IDENTITY_OF.kind] = Number(IDENTITY[2]);
    },
    unlink: (ptr, len, ret) => unit(native.unlink(bytes(ptr, len)), ret),
    'set-umask': (mask) => native.setUmask(mask),
    'host-platform': () => PLATFORMS.indexOf(HOST_PLATFORM),
    // result<tuple<s32, s32>, errno>: discriminant @0, the pair or the errno @WIDE.
    'socket-pair': (kind, ret) => {
      const r = native.socketPair(kind + 1, PAIR);
      if (failed(r, ret)) return;
      const m = memory();
      m.bytes[ret] = 0;
      m.view.setInt32(ret + WIDE + PAIR_FIRST, PAIR[0]!, true);
      m.view.setInt32(ret + WIDE + PAIR_SECOND, PAIR[1]!, true);
    },
    send: (fd, ptr, len, fdsPtr, fdsLen, hasSa, saPtr, saLen, ret) => {
      const m = memory();
      let fds: Int32Array | null = null;
      if (fdsLen > 0) {
        fds = new Int32Array(fdsLen);
        for (let i = 0; i < fdsLen; i++) fds[i] = m.view.getInt32(fdsPtr + WORD.size * i, true);
      }
      const r = native.sendMessage(fd, bytes(ptr, len), fds, hasSa ? bytes(saPtr, saLen) : null, false);
      value(r, ret);
    },
    // result<incoming, errno>: the record @WIDE.
    // The data lands straight in a block of the engine's memory.
    receive: (fd, max, maxFds, ret) => {
      let m = memory();
      const data = max > 0 ? m.allocate(max) : 1;
      m = memory();
      let fdsOut = FDS_OUT.get(maxFds);
      if (fdsOut === undefined) FDS_OUT.set(maxFds, (fdsOut = new Int32Array(maxFds)));
      const r = native.receiveMessage(fd, m.bytes, data, max, fdsOut, SENDER, RECEIVED, false);
      if (r < 0) {
        if (max > 0) m.free(data);
        failed(r, ret);
        return;
      }
      const count = RECEIVED[2]!;
      const fds = count > 0 ? m.allocate(WORD.size * count) : WORD.align;
      for (let i = 0; i < count; i++) m.view.setInt32(fds + WORD.size * i, fdsOut[i]!, true);
      const nameLength = RECEIVED[3]!;
      const name = nameLength > 0 ? m.allocate(nameLength) : 1;
      m.fresh();
      if (nameLength > 0) m.bytes.set(SENDER.subarray(0, nameLength), name);
      m.bytes[ret] = 0;
      const at = ret + WIDE;
      m.view.setUint32(at + INCOMING.data + LIST.ptr, data, true);
      m.view.setUint32(at + INCOMING.data + LIST.len, RECEIVED[0]!, true);
      m.view.setUint32(at + INCOMING.fds + LIST.ptr, fds, true);
      m.view.setUint32(at + INCOMING.fds + LIST.len, count, true);
      m.view.setUint32(at + INCOMING.sockaddr + LIST.ptr, name, true);
      m.view.setUint32(at + INCOMING.sockaddr + LIST.len, nameLength, true);
      m.bytes[at + INCOMING.truncated] = (RECEIVED[1]! & MESSAGE_FLAG.truncated) !== 0 ? 1 : 0;
      m.bytes[at + INCOMING.controlTruncated] = (RECEIVED[1]! & MESSAGE_FLAG.controlTruncated) !== 0 ? 1 : 0;
    },
    // result<credentials, errno>: the record @WIDE (pid 0 where unknown).
    'peer-credentials': (fd, ret) => {
      const r = native.peerCredentials(fd, CREDENTIALS);
      if (failed(r, ret)) return;
      const m = memory();
      m.bytes[ret] = 0;
      m.view.setInt32(ret + WIDE + TYPES_CREDENTIALS.pid, Math.max(CREDENTIALS[0]!, 0), true);
      m.view.setUint32(ret + WIDE + TYPES_CREDENTIALS.uid, CREDENTIALS[1]! >>> 0, true);
      m.view.setUint32(ret + WIDE + TYPES_CREDENTIALS.gid, CREDENTIALS[2]! >>> 0, true);
    },
    wait: (fd, events, timeoutMs, ret) => {
      const r = native.wait(fd, events, Math.min(timeoutMs >>> 0, 0x7fffffff));
      small(r < 0, r < 0 ? errnoIndex(-r) : r, ret);
    },
    'real-path': (ptr, len, ret) => bytesResult(native.realPath(bytes(ptr, len), RESOLVED), RESOLVED, ret),
  };
}
