// Native errno numbers <-> the WIT `syscalls.errno` cases. This is naming,
// not policy: which condition an errno means is decided once, in the engine
// (assembly/sockets/errno.ts). Numbers come from the running OS
// (os.constants.errno), so nothing here is Linux-specific.
import { constants } from 'node:os';

/** The Node/POSIX name of each WIT errno case, in WIT order. */
export const ERRNO_NAMES = [
  'EACCES', 'EPERM', 'EADDRINUSE', 'EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EAGAIN', 'EALREADY', 'EBADF',
  'ECONNABORTED', 'ECONNREFUSED', 'ECONNRESET', 'EDESTADDRREQ', 'EEXIST', 'EINPROGRESS', 'EINVAL',
  'EIO', 'EISCONN', 'EISDIR', 'ELOOP', 'EMFILE', 'EMSGSIZE', 'ENAMETOOLONG',
  'ENFILE', 'ENOBUFS', 'ENOENT', 'ENOMEM', 'ENOSPC', 'EDQUOT', 'ENOTCONN',
  'ENOTDIR', 'ENOTSOCK', 'EOPNOTSUPP', 'EPIPE', 'EPROTONOSUPPORT', 'EPROTOTYPE',
  'EROFS', 'ESOCKTNOSUPPORT', 'ETIMEDOUT', 'ETOOMANYREFS', 'ENOPROTOOPT', 'UNKNOWN',
] as const;

export type ErrnoName = (typeof ERRNO_NAMES)[number];

const UNKNOWN = ERRNO_NAMES.length - 1;
const ALIASES: Record<string, ErrnoName> = { EWOULDBLOCK: 'EAGAIN', ENOTSUP: 'EOPNOTSUPP' };

const BY_NUMBER = new Map<number, number>();
const table = constants.errno as Record<string, number>;
for (const [name, number] of Object.entries(table)) {
  const canonical = ALIASES[name] ?? name;
  const index = (ERRNO_NAMES as readonly string[]).indexOf(canonical);
  if (index >= 0 && !BY_NUMBER.has(number)) BY_NUMBER.set(number, index);
}

/** WIT errno case index for a native errno number (positive). */
export function errnoIndex(errno: number): number {
  return BY_NUMBER.get(errno) ?? UNKNOWN;
}

/** The errno number Node reports (negative, like libuv), or undefined for UNKNOWN. */
export function errnoNumber(name: ErrnoName): number | undefined {
  const n = table[name];
  return n === undefined ? undefined : -n;
}
