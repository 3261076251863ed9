// `struct sockaddr_un` bytes: encode for bind/connect/sendto, decode what
// accept/getsockname/getpeername/recvfrom return. Exact lengths both ways:
// a pathname gets its NUL only when it fits inside sun_path, an abstract name
// is never padded, and decoding is driven by the returned socklen.
import { AddressError, fail } from '../errors';
import { isUtf8, strnlen } from './bytes';
import { AddressKind, Platform } from './kinds';
import { AF_UNIX, hasAbstractNamespace, hasLengthByte, PATH_OFFSET, pathCapacity } from './layout';
import { alloc } from '../arena';
import { produce } from './output';
import { checkAddress, Options } from './rules';

/** Encode a checked-or-not address; fails with the validation reason. */
export function encodeAddress(kind: AddressKind, ptr: usize, len: u32, o: Options): bool {
  if (!checkAddress(kind, ptr, len, o)) return false;
  const p = o.platform;
  let total: u32 = PATH_OFFSET;
  if (kind == AddressKind.Abstract) total += 1 + len;
  else if (kind != AddressKind.Unnamed) total += len < pathCapacity(p) ? len + 1 : len;
  const out = alloc(total);
  if (hasLengthByte(p)) {
    store<u8>(out, <u8>total);
    store<u8>(out + 1, <u8>AF_UNIX);
  } else {
    store<u16>(out, <u16>AF_UNIX);
  }
  if (kind == AddressKind.Abstract) {
    store<u8>(out + PATH_OFFSET, 0);
    memory.copy(out + PATH_OFFSET + 1, ptr, len);
  } else if (kind != AddressKind.Unnamed) {
    memory.copy(out + PATH_OFFSET, ptr, len);
    if (len < pathCapacity(p)) store<u8>(out + PATH_OFFSET + len, 0);
  }
  return produce(kind, out, total);
}

/** Decode sockaddr bytes of length `len` (the socklen the kernel returned). */
export function decodeSockaddr(ptr: usize, len: u32, p: Platform): bool {
  if (len < PATH_OFFSET) return fail(AddressError.Truncated);
  let end = len;
  if (hasLengthByte(p)) {
    const sunLen = <u32>load<u8>(ptr);
    const family = <u32>load<u8>(ptr + 1);
    if (family != AF_UNIX) return fail(AddressError.WrongFamily, family);
    if (sunLen != 0 && sunLen < PATH_OFFSET) return fail(AddressError.BadLengthByte, sunLen);
    // sun_len larger than the socklen means the caller's buffer was clamped.
    if (sunLen != 0 && sunLen < len) end = sunLen;
  } else {
    const family = <u32>load<u16>(ptr);
    if (family != AF_UNIX) return fail(AddressError.WrongFamily, family);
  }
  const path = ptr + PATH_OFFSET;
  const room = end - PATH_OFFSET;
  if (room == 0) return produce(AddressKind.Unnamed, 0, 0);
  if (load<u8>(path) == 0) {
    // Linux: everything after the leading NUL, exactly. Elsewhere an empty
    // sun_path (macOS reports unnamed sockets as 16 zeroed bytes) is unnamed.
    if (hasAbstractNamespace(p)) return produce(AddressKind.Abstract, path + 1, room - 1);
    return produce(AddressKind.Unnamed, 0, 0);
  }
  const n = strnlen(path, room);
  return produce(isUtf8(path, n) ? AddressKind.Path : AddressKind.PathBytes, path, n);
}
