// `struct sockaddr_un` per platform: the only place platform numbers live.
//
// Linux/Windows: sa_family_t is 2 bytes (little-endian on every supported
// architecture), sun_path is 108 bytes. 4.4BSD descendants (macOS, FreeBSD,
// OpenBSD, NetBSD): a `sun_len` byte, a 1-byte family, 104-byte sun_path.
// Linux and the BSDs accept a pathname that fills sun_path with no NUL
// (FreeBSD's uipc_bindat copies sun_len - 2 bytes and terminates itself; xnu
// treats sun_path as counted). Windows requires the NUL, so 107.
import { Platform } from './kinds';

/** offsetof(struct sockaddr_un, sun_path) on every platform here. */
export const PATH_OFFSET: u32 = 2;
/** AF_UNIX on every platform here. */
export const AF_UNIX: u32 = 1;

export function hasLengthByte(p: Platform): bool {
  return p != Platform.Linux && p != Platform.Windows;
}

/** sizeof(sun_path). */
export function pathCapacity(p: Platform): u32 {
  return hasLengthByte(p) ? 104 : 108;
}

/** Longest pathname the kernel accepts, in bytes. */
export function maxPathBytes(p: Platform): u32 {
  return p == Platform.Windows ? 107 : pathCapacity(p);
}

export function hasAbstractNamespace(p: Platform): bool {
  return p == Platform.Linux;
}

export function hasAutobind(p: Platform): bool {
  return p == Platform.Linux;
}
