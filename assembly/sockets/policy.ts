// The sandbox policy of this engine instance (WIT `unixsock:ipc/policy`),
// checked before any system call. Nothing is enforced until the embedder
// calls a policy function; from then on everything not allowed by a rule is
// denied. Rules only allow, so their order does not matter.
//
// Paths are judged in one canonical form: joined to the base directory,
// normalized lexically, and (bind, listen, connect, send-to) with the parent
// directory resolved through `real-path` and a symlink as the final
// component refused. That resolved absolute path is also what the system
// call then uses, so what was checked is what is bound, connected or sent to.
// Residual race: the parent chain changed into a symlink between the
// real-path check and the system call (documented in docs/embedding.md).
import { AddressKind } from '../address/kinds';
import { normalizePath } from '../address/normalize';
import { outLen, outPtr } from '../address/output';
import { alloc } from '../arena';
import {
  failed, FileKind, identityKind, pairFirst, pairSecond, peerUid, nameLen,
  sysClose, sysPathIdentity, sysPeerCredentials, sysRealPath, sysSocketPair,
} from '../bindings/syscalls';
import { SocketKind } from '../bindings/types';
import { Operation, osFail, Permission, policyFail } from './failure';
import { socketsHeld } from './slab';

const SLASH: u8 = 0x2f;

/** WIT `policy.pattern` case order. */
export const enum PatternKind { PathPrefix, AbstractPrefix, Unnamed, Any }

/** WIT `policy.policy-error` case order; `Ok` is success. */
export const enum PolicyError { Locked, InvalidBaseDirectory, InvalidPattern, Ok = -1 }

class Rule {
  permissions: u32 = 0;
  pattern: PatternKind = PatternKind.Any;
  /** Normalized absolute path prefix or abstract prefix bytes (heap block). */
  prefix: usize = 0;
  prefixLen: u32 = 0;
  /** Socket-type bits (1 << socket-type); 0 = all. */
  types: u32 = 0;
  hasPeer: bool = false;
  sameUser: bool = false;
  uids: Array<u32> = new Array<u32>();
  gids: Array<u32> = new Array<u32>();
}

/** The policy is in force (some policy function was called). */
export let enforcing: bool = false;
let locked: bool = false;
let basePtr: usize = 0;
let baseLen: u32 = 0;
const rules = new Array<Rule>();
let maxSockets: i64 = -1;
let maxDescriptorsLimit: i64 = -1;

export let droppedConnections: u64 = 0;
export let droppedDatagrams: u64 = 0;
export let closedDescriptors: u64 = 0;

export function countDroppedConnection(): void { droppedConnections++; }
export function countDroppedDatagram(): void { droppedDatagrams++; }
export function countClosedDescriptors(n: u32): void { closedDescriptors += n; }

/** The address an admitted operation uses (valid until post-return). */
export let useKind: AddressKind = AddressKind.Unnamed;
export let usePtr: usize = 0;
export let useLen: u32 = 0;

function change(): PolicyError {
  if (locked) return PolicyError.Locked;
  enforcing = true;
  return PolicyError.Ok;
}

/** A heap copy of len bytes at ptr (at least one byte allocated). */
export function copyBlock(ptr: usize, len: u32): usize {
  const block = heap.alloc(len == 0 ? 1 : <usize>len);
  memory.copy(block, ptr, len);
  return block;
}

function isAbsolute(ptr: usize, len: u32): bool {
  return len > 0 && load<u8>(ptr) == SLASH;
}

/** policy.set-base-directory */
export function setBaseDirectory(ptr: usize, len: u32): PolicyError {
  const r = change();
  if (r != PolicyError.Ok) return r;
  if (!isAbsolute(ptr, len) || !normalizePath(ptr, len, false, 0, 0)) return PolicyError.InvalidBaseDirectory;
  if (basePtr != 0) heap.free(basePtr);
  basePtr = copyBlock(outPtr, outLen);
  baseLen = outLen;
  return PolicyError.Ok;
}

/** The default base directory. */
const ROOT: usize = memory.data<u8>([SLASH]);

/** Normalize `ptr/len` against the base directory into out* (an arena block). */
function canonical(ptr: usize, len: u32): bool {
  return basePtr == 0 ? normalizePath(ptr, len, true, ROOT, 1) : normalizePath(ptr, len, true, basePtr, baseLen);
}

function listOf(ptr: usize, count: u32): Array<u32> {
  const out = new Array<u32>(count);
  for (let i: u32 = 0; i < count; i++) out[i] = load<u32>(ptr + 4 * i);
  return out;
}

/** policy.allow */
export function allow(
  permissions: u32, pattern: PatternKind, ptr: usize, len: u32, types: u32,
  hasPeer: bool, sameUser: bool, uids: usize, uidCount: u32, gids: usize, gidCount: u32,
): PolicyError {
  const r = change();
  if (r != PolicyError.Ok) return r;
  const rule = new Rule();
  rule.permissions = permissions;
  rule.pattern = pattern;
  rule.types = types & 7;
  if (pattern == PatternKind.PathPrefix) {
    if (!canonical(ptr, len)) return PolicyError.InvalidPattern;
    rule.prefix = copyBlock(outPtr, outLen);
    rule.prefixLen = outLen;
  } else if (pattern == PatternKind.AbstractPrefix) {
    rule.prefix = copyBlock(ptr, len);
    rule.prefixLen = len;
  }
  rule.hasPeer = hasPeer;
  if (hasPeer) {
    rule.sameUser = sameUser;
    rule.uids = listOf(uids, uidCount);
    rule.gids = listOf(gids, gidCount);
  }
  rules.push(rule);
  return PolicyError.Ok;
}

/** policy.set-limits; a negative limit is none. */
export function setLimits(sockets: i64, descriptors: i64): PolicyError {
  const r = change();
  if (r != PolicyError.Ok) return r;
  maxSockets = sockets;
  maxDescriptorsLimit = descriptors;
  return PolicyError.Ok;
}

/** policy.lock */
export function lock(): void {
  enforcing = true;
  locked = true;
}

/** The per-message descriptor capacity: the policy's limit, or `fallback`. */
export function descriptorCapacity(fallback: u32): u32 {
  return enforcing && maxDescriptorsLimit >= 0 && maxDescriptorsLimit < <i64>fallback ? <u32>maxDescriptorsLimit : fallback;
}

/** Whether sending `count` descriptors stays within the limit (policy-denied recorded if not). */
export function admitDescriptorCount(count: u32): bool {
  if (!enforcing || maxDescriptorsLimit < 0 || <i64>count <= maxDescriptorsLimit) return true;
  return policyFail(Permission.DescriptorLimit);
}

/** Whether `more` new sockets stay within the limit (policy-denied recorded if not). */
export function admitSockets(more: i32): bool {
  if (!enforcing || maxSockets < 0 || <i64>(socketsHeld + more) <= maxSockets) return true;
  return policyFail(Permission.SocketLimit);
}

function matchesAddress(rule: Rule, kind: AddressKind, ptr: usize, len: u32): bool {
  switch (rule.pattern) {
    case PatternKind.Any: return true;
    case PatternKind.Unnamed: return kind == AddressKind.Unnamed;
    case PatternKind.AbstractPrefix:
      return kind == AddressKind.Abstract && len >= rule.prefixLen && memory.compare(ptr, rule.prefix, rule.prefixLen) == 0;
    default: {
      if (kind != AddressKind.Path && kind != AddressKind.PathBytes) return false;
      const n = rule.prefixLen;
      // The root prefix holds every absolute path.
      if (n == 1 && load<u8>(rule.prefix) == SLASH) return isAbsolute(ptr, len);
      if (len < n || memory.compare(ptr, rule.prefix, n) != 0) return false;
      return len == n || load<u8>(ptr + n) == SLASH;
    }
  }
}

function matches(rule: Rule, permission: Permission, type: SocketKind, kind: AddressKind, ptr: usize, len: u32): bool {
  if ((rule.permissions & (1 << <u32>permission)) == 0) return false;
  if (rule.types != 0 && (rule.types & (1 << <u32>type)) == 0) return false;
  return matchesAddress(rule, kind, ptr, len);
}

/** Some rule permits `permission` on an address already in canonical form. */
export function permits(permission: Permission, type: SocketKind, kind: AddressKind, ptr: usize, len: u32): bool {
  if (!enforcing) return true;
  for (let i = 0; i < rules.length; i++) {
    if (matches(rules[i], permission, type, kind, ptr, len)) return true;
  }
  return false;
}

let ownUid: i64 = -1;

/** This process's uid: the credentials the peer of our own socket pair reports. */
function processUid(): i64 {
  if (ownUid >= 0) return ownUid;
  if (failed(sysSocketPair(SocketKind.Stream))) return -1;
  if (!failed(sysPeerCredentials(pairFirst))) ownUid = <i64>peerUid;
  sysClose(pairFirst);
  sysClose(pairSecond);
  return ownUid;
}

function peerSatisfies(rule: Rule, uid: u32, gid: u32): bool {
  if (!rule.hasPeer) return true;
  if (rule.sameUser && <i64>uid != processUid()) return false;
  if (rule.uids.length > 0 && !rule.uids.includes(uid)) return false;
  if (rule.gids.length > 0 && !rule.gids.includes(gid)) return false;
  return true;
}

/** Some rule that permits this needs no peer check: credentials need not be read. */
export function peerUnconditional(permission: Permission, type: SocketKind, kind: AddressKind, ptr: usize, len: u32): bool {
  if (!enforcing) return true;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (!rule.hasPeer && matches(rule, permission, type, kind, ptr, len)) return true;
  }
  return false;
}

/** Some rule permits this for a peer with `uid` and `gid`. */
export function peerPermitted(
  permission: Permission, type: SocketKind, kind: AddressKind, ptr: usize, len: u32, uid: u32, gid: u32,
): bool {
  if (!enforcing) return true;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (matches(rule, permission, type, kind, ptr, len) && peerSatisfies(rule, uid, gid)) return true;
  }
  return false;
}

function use(kind: AddressKind, ptr: usize, len: u32): bool {
  useKind = kind;
  usePtr = ptr;
  useLen = len;
  return true;
}

/**
 * Resolve the parent directory of canonical path `ptr/len` through
 * real-path and refuse a symlink as its final component: use* is the
 * resolved path. False with the failure recorded.
 */
function resolveParent(permission: Permission, kind: AddressKind, ptr: usize, len: u32): bool {
  let cut: u32 = len;
  while (cut > 0 && load<u8>(ptr + cut - 1) != SLASH) cut--;
  if (cut == 0 || cut == len) return use(kind, ptr, len); // "/" itself: the system call judges it
  const parentLen = cut == 1 ? 1 : cut - 1;
  const real = sysRealPath(ptr, parentLen);
  if (failed(real)) return osFail(Operation.Realpath, real);
  const realLen = nameLen;
  const nameStart = ptr + cut;
  const n = len - cut;
  const joined = realLen == 1 ? 1 + n : realLen + 1 + n;
  const out = alloc(joined);
  memory.copy(out, <usize>real, realLen);
  const at = realLen == 1 ? 1 : realLen + 1;
  store<u8>(out + at - 1, SLASH);
  memory.copy(out + at, nameStart, n);
  if (!failed(sysPathIdentity(out, joined)) && identityKind == FileKind.Symlink) return policyFail(permission);
  return use(kind, out, joined);
}

/**
 * Admit `permission` (and `also`, unless negative) on a caller's address
 * for a socket of `type`: true with the address to use in use*, false with
 * policy-denied or the address failure recorded. A path is canonical and
 * passes the symlink rules (every caller binds, connects or sends to it).
 * Without a policy the address is used as given.
 */
export function admit(
  permission: Permission, also: i32, type: SocketKind, kind: AddressKind, ptr: usize, len: u32,
): bool {
  if (!enforcing) return use(kind, ptr, len);
  const isPath = kind == AddressKind.Path || kind == AddressKind.PathBytes;
  if (isPath) {
    if (!canonical(ptr, len)) return false;
    ptr = outPtr;
    len = outLen;
  }
  if (!permits(permission, type, kind, ptr, len)) return policyFail(permission);
  if (also >= 0 && !permits(<Permission>also, type, kind, ptr, len)) return policyFail(<Permission>also);
  if (!isPath) return use(kind, ptr, len);
  if (!resolveParent(permission, kind, ptr, len)) return false;
  if (!permits(permission, type, kind, usePtr, useLen)) return policyFail(permission);
  if (also >= 0 && !permits(<Permission>also, type, kind, usePtr, useLen)) return policyFail(<Permission>also);
  return true;
}
