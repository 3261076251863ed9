// systemd integration without libsystemd: socket activation (sd_listen_fds(3)
// with names) and service notification (sd_notify(3), FDSTORE included).
//
// listenFds() adopts each inherited socket as the unixsock object its kind
// calls for (fromFd: SO_TYPE / SO_ACCEPTCONN decided by the engine). A socket
// of another family (TCP, UDP) is handed back as a plain descriptor for
// node:net. NOTIFY_SOCKET is a path or `@` + an abstract name whose bytes
// are taken exactly (no padding, no escapes: systemd's own form).
import { type AdoptedSocket, fromFd } from './adopt.js';
import type { SocketAddress } from './address.js';
import { createDatagramSocket } from './messages/datagram.js';
import { booleanOption, invalidArgType, invalidArgValue, optionsArgument } from './arguments.js';
import type { DescriptorLike } from './native/descriptors.js';
import { native } from './native/native.js';

/** sd_listen_fds(3): passed descriptors start here. */
export const LISTEN_FDS_START = 3;

/** One socket systemd passed. */
export interface ListenFd {
  /** The descriptor number (3, 4, …). */
  fd: number;
  /** Its FileDescriptorName= (LISTEN_FDNAMES), or 'unknown' as sd_listen_fds_with_names(3) says. */
  name: string;
  /** The adopted unixsock object; undefined for a socket of another family (see `error`). */
  socket?: AdoptedSocket;
  /** Why it was not adopted (e.g. EAFNOSUPPORT for a TCP socket, left open for node:net). */
  error?: Error;
}

/** Options of listenFds(). */
export interface ListenFdsOptions {
  /** Remove LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES from process.env (default true), so children do not see them. */
  unsetEnvironment?: boolean;
}

/**
 * The sockets systemd passed to this process (socket activation), adopted.
 * Empty when LISTEN_PID is not this process or LISTEN_FDS is absent or
 * malformed, as sd_listen_fds(3) does.
 */
export function listenFds(options?: ListenFdsOptions): ListenFd[] {
  const unset = booleanOption(optionsArgument(options), 'unsetEnvironment') ?? true;
  const env = process.env;
  const pid = env.LISTEN_PID;
  const count = env.LISTEN_FDS;
  const names = env.LISTEN_FDNAMES?.split(':');
  if (unset) {
    delete env.LISTEN_PID;
    delete env.LISTEN_FDS;
    delete env.LISTEN_FDNAMES;
  }
  if (pid === undefined || count === undefined || !/^[1-9][0-9]*$/.test(pid) || Number(pid) !== process.pid) return [];
  if (!/^(0|[1-9][0-9]{0,5})$/.test(count)) return [];
  const out: ListenFd[] = [];
  for (let i = 0; i < Number(count); i++) {
    const fd = LISTEN_FDS_START + i;
    const entry: ListenFd = { fd, name: names?.[i] || 'unknown' };
    try {
      entry.socket = fromFd(fd);
    } catch (err) {
      // Not ours to adopt: close-on-exec as sd_listen_fds leaves every passed
      // descriptor, and non-blocking, as node:net makes it anyway.
      native.setDescriptorFlags(fd, true, true);
      entry.error = err as Error;
    }
    out.push(entry);
  }
  return out;
}

/** Options of notify(). */
export interface NotifyOptions {
  /** Descriptors to send along (FDSTORE=1). */
  fds?: readonly DescriptorLike[];
  /** Remove NOTIFY_SOCKET from process.env after sending (default false). */
  unsetEnvironment?: boolean;
}

/** The NOTIFY_SOCKET address: `/path` or `@abstract` (exact bytes). */
export function notifySocketAddress(value: string): SocketAddress {
  if (value.startsWith('/')) return { path: value };
  if (value.startsWith('@') && value.length > 1) return { abstract: Buffer.from(value.slice(1), 'utf8') };
  throw invalidArgValue('NOTIFY_SOCKET', `must be an absolute path or @ and an abstract name. Received ${JSON.stringify(value)}`);
}

function stateText(state: unknown): string {
  if (typeof state === 'string') {
    if (state.length === 0) throw invalidArgValue('state', 'must not be empty');
    return state;
  }
  if (typeof state !== 'object' || state === null || Array.isArray(state)) throw invalidArgType('state', 'a string or an object of assignments', state);
  const lines = Object.entries(state as Record<string, unknown>).map(([key, value]) => {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(key)) throw invalidArgValue(`state.${key}`, 'is not a variable name (A-Z, 0-9, _)');
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string' || text.includes('\n')) throw invalidArgValue(`state.${key}`, 'must be a number or a single-line string');
    return `${key}=${text}`;
  });
  if (lines.length === 0) throw invalidArgValue('state', 'must hold at least one assignment');
  return lines.join('\n');
}

/**
 * sd_notify(3): send `state` ('READY=1', 'STATUS=…\nMAINPID=…', or
 * `{ READY: 1, STATUS: 'serving' }`) to NOTIFY_SOCKET, with `fds` for
 * FDSTORE=1. Resolves false when NOTIFY_SOCKET is not set (not run by
 * systemd), true once the datagram was sent.
 *
 * # Errors
 * A typed error for a malformed state or NOTIFY_SOCKET; the OS error of the
 * send (ECONNREFUSED, ENOENT, EAGAIN, …).
 */
export async function notify(state: string | Record<string, string | number>, options?: NotifyOptions): Promise<boolean> {
  const text = stateText(state);
  const unset = booleanOption(optionsArgument(options), 'unsetEnvironment') ?? false;
  const target = process.env.NOTIFY_SOCKET;
  if (target === undefined || target === '') return false;
  const address = notifySocketAddress(target);
  const socket = createDatagramSocket();
  try {
    await socket.sendTo(text, address, { fds: options?.fds });
  } finally {
    await socket.close();
  }
  if (unset) delete process.env.NOTIFY_SOCKET;
  return true;
}
