// This host as every socket operation meets it: its platform (asked once),
// addresses validated and encoded for it, and fresh sockets.
import { AddressKind, Platform } from '../address/kinds';
import { Options } from '../address/rules';
import { encodeAddress } from '../address/sockaddr';
import { failed, hostPlatform, sysSocket } from '../bindings/syscalls';
import { SocketKind } from '../bindings/types';
import { addressFail, Operation, osFail } from './failure';

let platform: i32 = -1;

/** The host's platform, asked once. */
export function currentPlatform(): Platform {
  if (platform < 0) platform = hostPlatform();
  return <Platform>platform;
}

const OPTIONS = new Options();

/** Validate and encode for this host; the sockaddr is at outPtr/outLen. */
export function encodeForHost(kind: AddressKind, ptr: usize, len: u32): bool {
  OPTIONS.platform = currentPlatform();
  return encodeAddress(kind, ptr, len, OPTIONS) ? true : addressFail();
}

/** A new socket of `type`, or -1 with the failure recorded. */
export function openSocket(type: SocketKind): i32 {
  const r = sysSocket(type);
  if (failed(r)) { osFail(Operation.Socket, r); return -1; }
  return <i32>r;
}
