// Socket options with typed names and values, over the shim's
// getSocketOption / setSocketOption (SOL_SOCKET only). Every unixsock socket
// object exposes getOption/setOption through these two functions.
import { integerArgument, invalidArgType, invalidArgValue } from '../arguments.js';
import { errnoError, failureError } from '../component/failures.js';
import { native, SOCKET_OPTION, SOCKET_TYPE } from './native.js';

/** SO_LINGER's value. */
export interface Linger {
  enabled: boolean;
  seconds: number;
}

/** The value type of each option name. */
export interface SocketOptionValues {
  /** SO_SNDBUF in bytes (Linux reports double what was set: kernel bookkeeping). */
  SO_SNDBUF: number;
  /** SO_RCVBUF in bytes (doubled on Linux, as SO_SNDBUF). */
  SO_RCVBUF: number;
  /** SO_PASSCRED: attach the sender's credentials to each received message (Linux). */
  SO_PASSCRED: boolean;
  /** SO_TYPE (read-only). */
  SO_TYPE: 'stream' | 'datagram' | 'seqpacket';
  /** SO_ERROR (read-only; reading clears it): the pending error's code, or null. */
  SO_ERROR: string | null;
  /** SO_ACCEPTCONN (read-only): the socket is listening. */
  SO_ACCEPTCONN: boolean;
  /** SO_LINGER. */
  SO_LINGER: Linger;
  /** SO_RCVTIMEO in milliseconds, 0 = none (affects blocking calls only; see RawSocket). */
  SO_RCVTIMEO: number;
  /** SO_SNDTIMEO in milliseconds, 0 = none. */
  SO_SNDTIMEO: number;
  /** SO_PEERGROUPS (read-only; Linux >= 4.13): the peer's supplementary group ids, as at connect(2). */
  SO_PEERGROUPS: number[];
  /**
   * SO_PEERSEC (read-only; Linux): the peer's security label (SELinux context, AppArmor profile, …),
   * or null when it has none: no LSM labels sockets (Linux's ENOPROTOOPT), as SO_ERROR's null is no error.
   */
  SO_PEERSEC: string | null;
  /**
   * SO_PEERPIDFD (read-only; Linux >= 6.5): a new pidfd of the peer process, which PID reuse cannot
   * fool. Each read opens one (close-on-exec): it is yours to close with closeFd(), as received fds are.
   */
  SO_PEERPIDFD: number;
}

export type SocketOptionName = keyof SocketOptionValues;

/** Every option name, as the addon numbers them (test/native/numberings.test.ts checks the two agree). */
export const SOCKET_OPTION_NAMES: readonly SocketOptionName[] = [
  'SO_SNDBUF', 'SO_RCVBUF', 'SO_PASSCRED', 'SO_TYPE', 'SO_ERROR', 'SO_ACCEPTCONN', 'SO_LINGER', 'SO_RCVTIMEO', 'SO_SNDTIMEO',
  'SO_PEERGROUPS', 'SO_PEERSEC', 'SO_PEERPIDFD',
];
const NUMBERS = SOCKET_OPTION;

const READ_ONLY = new Set<SocketOptionName>(['SO_TYPE', 'SO_ERROR', 'SO_ACCEPTCONN', 'SO_PEERGROUPS', 'SO_PEERSEC', 'SO_PEERPIDFD']);
const TYPE_NAMES = { [SOCKET_TYPE.stream]: 'stream', [SOCKET_TYPE.datagram]: 'datagram', [SOCKET_TYPE.seqpacket]: 'seqpacket' } as const;
const OUT = new Int32Array(2);
const INT32_MAX = 0x7fffffff;

function optionNumber(name: unknown): number {
  if (typeof name !== 'string') throw invalidArgType('name', 'of type string', name);
  if (!Object.hasOwn(NUMBERS, name)) {
    throw invalidArgValue('name', `must be one of ${Object.keys(NUMBERS).join(', ')}. Received '${name.slice(0, 40)}'`);
  }
  return NUMBERS[name as SocketOptionName];
}

let bytes = new Uint8Array(256);
const LABEL = new TextDecoder();

/** A byte-valued option (SO_PEERGROUPS, SO_PEERSEC): its bytes, asking again with the room the kernel says it needs. */
function optionBytes(fd: number, option: number): Uint8Array {
  for (;;) {
    const r = native.getSocketOption(fd, option, bytes);
    if (r < 0) throw errnoError(r, 'getsockopt');
    if (r <= bytes.length) return bytes.subarray(0, r);
    bytes = new Uint8Array(r);
  }
}

/** getsockopt on `fd`, typed by name; invalid-state for a closed socket (fd -1). */
export function getOption<N extends SocketOptionName>(fd: number, name: N): SocketOptionValues[N] {
  if (fd < 0) throw failureError({ kind: 'invalid-state' });
  const option = optionNumber(name);
  if (name === 'SO_PEERGROUPS') {
    const b = optionBytes(fd, option);
    return Array.from(new Uint32Array(b.buffer, b.byteOffset, b.length >>> 2)) as SocketOptionValues[N];
  }
  if (name === 'SO_PEERSEC') {
    // The kernel's label may end in a NUL (SELinux counts it); an empty label is none.
    const b = optionBytes(fd, option);
    const end = b.length > 0 && b[b.length - 1] === 0 ? b.length - 1 : b.length;
    return (end === 0 ? null : LABEL.decode(b.subarray(0, end))) as SocketOptionValues[N];
  }
  const r = native.getSocketOption(fd, option, OUT);
  if (r < 0) throw errnoError(r, 'getsockopt');
  const value = OUT[0]!;
  switch (name as SocketOptionName) {
    case 'SO_PASSCRED':
    case 'SO_ACCEPTCONN':
      return (value !== 0) as SocketOptionValues[N];
    case 'SO_TYPE':
      return TYPE_NAMES[value as keyof typeof TYPE_NAMES] as SocketOptionValues[N];
    case 'SO_ERROR':
      return (value === 0 ? null : errnoError(value, 'getsockopt').code) as SocketOptionValues[N];
    case 'SO_LINGER':
      return { enabled: value !== 0, seconds: OUT[1]! } as SocketOptionValues[N];
    default:
      return value as SocketOptionValues[N];
  }
}

/** setsockopt on `fd`, typed by name; a closed socket (fd -1), a read-only name or a bad value throws before any syscall. */
export function setOption<N extends SocketOptionName>(fd: number, name: N, value: SocketOptionValues[N]): void {
  if (fd < 0) throw failureError({ kind: 'invalid-state' });
  const option = optionNumber(name);
  if (READ_ONLY.has(name)) throw invalidArgValue('name', `'${name}' is read-only`);
  let a: number;
  let b: number | undefined;
  switch (name as SocketOptionName) {
    case 'SO_PASSCRED':
      if (typeof value !== 'boolean') throw invalidArgType('value', 'of type boolean', value);
      a = value ? 1 : 0;
      break;
    case 'SO_LINGER': {
      if (typeof value !== 'object' || value === null) throw invalidArgType('value', 'an object { enabled, seconds }', value);
      const { enabled, seconds } = value as Linger;
      if (typeof enabled !== 'boolean') throw invalidArgType('value.enabled', 'of type boolean', enabled);
      a = enabled ? 1 : 0;
      b = integerArgument(seconds, 'value.seconds', INT32_MAX);
      break;
    }
    case 'SO_RCVTIMEO':
    case 'SO_SNDTIMEO':
      a = integerArgument(value, 'value', INT32_MAX);
      break;
    default:
      a = integerArgument(value, 'value', INT32_MAX);
  }
  const r = native.setSocketOption(fd, option, a, b);
  if (r < 0) throw errnoError(r, 'setsockopt');
}
