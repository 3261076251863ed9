// The kernel as an oracle: bind(2) exact sockaddr bytes through the native
// shim, read the name back with getsockname(2), remove any file it made.
// Decoding here is deliberately independent of the engine's decoder, so the
// differential test can compare the two.
import { constants } from 'node:os';
import { native, SOCKET_TYPE } from '../../host/native/native.js';

/** What bind(2) did with a sockaddr. */
export type BindOutcome =
  | { errno: number }
  | { /** sun_path bytes of the bound name (a path without its NUL; an abstract name with its leading 0). */ name: Buffer; /** getsockname's raw bytes (length = the returned socklen). */ sockaddr: Buffer };

export const EADDRINUSE = constants.errno.EADDRINUSE;

const READBACK = new Uint8Array(256);

/** bind(2) `sockaddr` on a fresh stream socket; the name the kernel recorded, or the errno. */
export function kernelBind(sockaddr: Uint8Array): BindOutcome {
  const fd = native.socket(SOCKET_TYPE.stream);
  if (fd < 0) throw new Error(`socket: errno ${-fd}`);
  try {
    const r = native.bind(fd, sockaddr);
    if (r < 0) return { errno: -r };
    const n = native.getSockName(fd, READBACK);
    if (n < 2) throw new Error(`getsockname: ${n}`);
    const sockaddrOut = Buffer.from(READBACK.subarray(0, n));
    const name = sunPathName(sockaddrOut.subarray(2));
    // A pathname bind made a file: remove it so every probe starts clean.
    if (name.length > 0 && name[0] !== 0) {
      const u = native.unlink(name);
      if (u < 0) throw new Error(`unlink ${name.toString('latin1')}: errno ${-u}`);
    }
    return { name, sockaddr: sockaddrOut };
  } finally {
    native.close(fd);
  }
}

/** The name in sun_path bytes: an abstract name is all of them, a path ends at its first NUL. */
export function sunPathName(sunPath: Uint8Array): Buffer {
  if (sunPath.length > 0 && sunPath[0] === 0) return Buffer.from(sunPath);
  const end = sunPath.indexOf(0);
  return Buffer.from(end < 0 ? sunPath : sunPath.subarray(0, end));
}

/** family AF_UNIX (Linux layout) + exactly `raw`: socklen 2 + raw.length, no NUL added, nothing checked. */
export function naiveSockaddr(raw: Uint8Array): Buffer {
  const out = Buffer.alloc(2 + raw.length);
  out[0] = 1;
  out.set(raw, 2);
  return out;
}
