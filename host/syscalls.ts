// The engine's `unixsock:ipc/syscalls` imports for Node, over the native shim:
// each import is one native call; results are written into the engine's
// return area as the canonical ABI lowers `result<T, errno>`.
import { type CoreMemory } from './abi.js';
import { ERRNO_NAMES, errnoIndex } from './errno.js';
import { MESSAGE_FLAG, native, SOCKET_OPTION } from './native.js';
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

/** The import object for one engine instance; `memory()` is its memory once instantiated. */
export function syscallImports(instanceMemory: () => CoreMemory): Record<string, (...args: number[]) => number | void> {
  // The engine may have grown its memory since the host last looked.
  const memory = (): CoreMemory => {
    const m = instanceMemory();
    m.fresh();
    return m;
  };
  // result<_, errno>: discriminant @0, errno @1.
  const unit = (r: number, ret: number): void => {
    const b = memory().bytes;
    b[ret] = r < 0 ? 1 : 0;
    if (r < 0) b[ret + 1] = errnoIndex(-r);
  };
  // result<_, errno> with its payload @4: writes the error case when r is
  // -errno (true), else nothing (false: the caller writes the ok case).
  const failed = (r: number, ret: number): boolean => {
    if (r >= 0) return false;
    const b = memory().bytes;
    b[ret] = 1;
    b[ret + 4] = errnoIndex(-r);
    return true;
  };
  // result<s32, errno>: discriminant @0, value or errno @4.
  const value = (r: number, ret: number): void => {
    if (failed(r, ret)) return;
    const m = memory();
    m.bytes[ret] = 0;
    m.view.setInt32(ret + 4, r, true);
  };
  // result<list<u8>, errno> of the first r bytes of `from`: the list is
  // allocated in the engine, which owns it.
  const bytesResult = (r: number, from: Uint8Array, ret: number): void => {
    if (failed(r, ret)) return;
    const m = memory();
    const ptr = m.allocate(Math.max(r, 1));
    m.bytes.set(from.subarray(0, r), ptr);
    m.bytes[ret] = 0;
    m.view.setUint32(ret + 4, ptr, true);
    m.view.setUint32(ret + 8, r, true);
  };
  // result<enum-or-bool, errno>: discriminant @0, the case or the errno case @1.
  const small = (isError: boolean, payload: number, ret: number): void => {
    const b = memory().bytes;
    b[ret] = isError ? 1 : 0;
    b[ret + 1] = payload;
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
      const t = option(fd, SOCKET_OPTION.type);
      if (t < 0) small(true, errnoIndex(-t), ret);
      else small(t === 0, t === 0 ? TYPE_NOT_SUPPORTED : t - 1, ret);
    },
    'is-listening': (fd, ret) => {
      const l = option(fd, SOCKET_OPTION.acceptConnections);
      small(l < 0, l < 0 ? errnoIndex(-l) : l === 0 ? 0 : 1, ret);
    },
    shutdown: (fd, how, ret) => unit(native.shutdown(fd, how), ret),
    close: (fd, ret) => unit(native.close(fd), ret),
    'path-identity': (ptr, len, ret) => {
      const r = native.pathIdentity(bytes(ptr, len), IDENTITY);
      const m = memory();
      m.bytes[ret] = r < 0 ? 1 : 0;
      if (r < 0) {
        m.bytes[ret + 8] = errnoIndex(-r);
        return;
      }
      m.view.setBigUint64(ret + 8, IDENTITY[0]!, true);
      m.view.setBigUint64(ret + 16, IDENTITY[1]!, true);
      m.bytes[ret + 24] = Number(IDENTITY[2]);
    },
    unlink: (ptr, len, ret) => unit(native.unlink(bytes(ptr, len)), ret),
    'set-umask': (mask) => native.setUmask(mask),
    'host-platform': () => PLATFORMS.indexOf(HOST_PLATFORM),
    // result<tuple<s32, s32>, errno>: discriminant @0, the pair @4 and @8 or the errno @4.
    'socket-pair': (kind, ret) => {
      const r = native.socketPair(kind + 1, PAIR);
      if (failed(r, ret)) return;
      const m = memory();
      m.bytes[ret] = 0;
      m.view.setInt32(ret + 4, PAIR[0]!, true);
      m.view.setInt32(ret + 8, PAIR[1]!, true);
    },
    send: (fd, ptr, len, fdsPtr, fdsLen, hasSa, saPtr, saLen, ret) => {
      const m = memory();
      let fds: Int32Array | null = null;
      if (fdsLen > 0) {
        fds = new Int32Array(fdsLen);
        for (let i = 0; i < fdsLen; i++) fds[i] = m.view.getInt32(fdsPtr + 4 * i, true);
      }
      const r = native.sendMessage(fd, bytes(ptr, len), fds, hasSa ? bytes(saPtr, saLen) : null, false);
      value(r, ret);
    },
    // result<incoming, errno>: data @4/@8, fds @12/@16, sockaddr @20/@24, flags @28/@29.
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
      const fds = count > 0 ? m.allocate(4 * count) : 4;
      for (let i = 0; i < count; i++) m.view.setInt32(fds + 4 * i, fdsOut[i]!, true);
      const nameLength = RECEIVED[3]!;
      const name = nameLength > 0 ? m.allocate(nameLength) : 1;
      m.fresh();
      if (nameLength > 0) m.bytes.set(SENDER.subarray(0, nameLength), name);
      m.bytes[ret] = 0;
      m.view.setUint32(ret + 4, data, true);
      m.view.setUint32(ret + 8, RECEIVED[0]!, true);
      m.view.setUint32(ret + 12, fds, true);
      m.view.setUint32(ret + 16, count, true);
      m.view.setUint32(ret + 20, name, true);
      m.view.setUint32(ret + 24, nameLength, true);
      m.bytes[ret + 28] = (RECEIVED[1]! & MESSAGE_FLAG.truncated) !== 0 ? 1 : 0;
      m.bytes[ret + 29] = (RECEIVED[1]! & MESSAGE_FLAG.controlTruncated) !== 0 ? 1 : 0;
    },
    // result<credentials, errno>: pid @4, uid @8, gid @12 (pid 0 where unknown).
    'peer-credentials': (fd, ret) => {
      const r = native.peerCredentials(fd, CREDENTIALS);
      if (failed(r, ret)) return;
      const m = memory();
      m.bytes[ret] = 0;
      m.view.setInt32(ret + 4, Math.max(CREDENTIALS[0]!, 0), true);
      m.view.setUint32(ret + 8, CREDENTIALS[1]! >>> 0, true);
      m.view.setUint32(ret + 12, CREDENTIALS[2]! >>> 0, true);
    },
    wait: (fd, events, timeoutMs, ret) => {
      const r = native.wait(fd, events, Math.min(timeoutMs >>> 0, 0x7fffffff));
      small(r < 0, r < 0 ? errnoIndex(-r) : r, ret);
    },
    'real-path': (ptr, len, ret) => bytesResult(native.realPath(bytes(ptr, len), RESOLVED), RESOLVED, ret),
  };
}
