// What this platform (or another) supports. Address facts come from the
// engine's sockaddr layout; the socket-type and ancillary-data facts are the
// platforms' documented features (unix(7), FreeBSD unix(4), xnu).
import { sharedInstance } from './component/component.js';
import { invalidArgType, invalidArgValue } from './arguments.js';
import { HOST_PLATFORM, type Platform, platformIndex, platformOf, PLATFORMS } from './component/platform.js';

/** Per-feature support on a platform. */
export interface Capabilities {
  platform: Platform;
  /** AF_UNIX sockets are usable through unixsock on this platform. */
  unixSockets: boolean;
  /** Linux abstract namespace. */
  abstractNamespace: boolean;
  /** bind() of an unnamed address picks an abstract name (Linux). */
  autobind: boolean;
  /** SOCK_SEQPACKET (not on macOS or Windows). */
  seqpacket: boolean;
  /** SOCK_DGRAM (not on Windows). */
  datagram: boolean;
  /** SCM_RIGHTS descriptor passing. */
  fdPassing: boolean;
  /** Peer credentials (SO_PEERCRED, LOCAL_PEERCRED, getpeereid). */
  peerCredentials: boolean;
  /** sizeof(sun_path). */
  sunPathBytes: number;
  /** Longest pathname the kernel accepts, in UTF-8 bytes. */
  maxPathBytes: number;
  /** Longest pathname that works on every platform. */
  portableMaxPathBytes: number;
  /** Longest abstract name, or 0. */
  maxAbstractBytes: number;
}

const UNIX_LIKE = new Set<Platform>(['linux', 'macos', 'freebsd', 'openbsd', 'netbsd']);

/** Whether this process can use Unix-domain sockets through unixsock (Racket `unix-socket-available?`). */
export const unixSocketAvailable: boolean = platformOf(process.platform) !== undefined && UNIX_LIKE.has(HOST_PLATFORM);

/**
 * Feature detail for this platform, or for `options.platform`.
 * @returns a fresh Capabilities object
 */
export function capabilities(options?: { platform?: Platform | 'darwin' | 'win32' }): Capabilities {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw invalidArgType('options', 'an object', options);
  }
  const requested = options?.platform;
  if (requested !== undefined && typeof requested !== 'string') throw invalidArgType('options.platform', 'a string', requested);
  const index = requested === undefined ? PLATFORMS.indexOf(HOST_PLATFORM) : platformIndex(requested);
  if (index < 0) throw invalidArgValue('options.platform', `must be one of ${PLATFORMS.join(', ')}. Received '${requested}'`);
  const platform = PLATFORMS[index]!;
  const layout = sharedInstance().layoutFor(index);
  const unixLike = UNIX_LIKE.has(platform);
  return {
    platform,
    unixSockets: requested === undefined ? unixSocketAvailable : unixLike,
    abstractNamespace: layout.abstractNamespace,
    autobind: layout.autobind,
    seqpacket: unixLike && platform !== 'macos',
    datagram: unixLike,
    fdPassing: unixLike,
    peerCredentials: unixLike,
    sunPathBytes: layout.pathCapacity,
    maxPathBytes: layout.maxPathBytes,
    portableMaxPathBytes: 103,
    maxAbstractBytes: layout.abstractNamespace ? layout.pathCapacity - 1 : 0,
  };
}
