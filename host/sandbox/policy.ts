// A sandbox policy as JS users write it, checked here for types and handed
// to one engine instance through its `unixsock:ipc/policy` exports. The
// engine enforces it (wit/policy.wit): deny by default, rules only allow.
import type { ComponentInstance } from '../component/component.js';
import { integerArgument, invalidArgType, invalidArgValue } from '../arguments.js';
import {
  NONE, POLICY_FUNCTIONS, POLICY_PATTERN, POLICY_PEER_REQUIREMENT, POLICY_PERMISSIONS, POLICY_POLICY_ERROR, POLICY_REFUSAL_COUNTS as COUNTS,
  SOME,
} from '../component/generated/abi-layout.js';
import { SOCKET_TYPES, type WitSocketType } from '../component/sockets-binding.js';

/** What a rule permits (WIT `policy.permissions`, bit = position). */
export const RULE_PERMISSIONS = POLICY_PERMISSIONS.labels;

export type RulePermission = (typeof RULE_PERMISSIONS)[number];

/** Who the peer process must be (checked on connect and accept). */
export interface PeerRequirement {
  /** The peer runs as this process's uid. */
  sameUser?: boolean;
  /** The peer's uid is one of these. */
  uids?: readonly number[];
  /** The peer's gid is one of these. */
  gids?: readonly number[];
}

/**
 * One allowance: `allow` × exactly one address pattern (`path` prefix,
 * `abstract` prefix, `unnamed: true` or `any: true`) × `types` (all when
 * absent), with an optional `peer` requirement.
 */
export interface PolicyRule {
  allow: readonly RulePermission[];
  /** A directory and everything below it (component-wise, after normalization; relative to `baseDirectory`). */
  path?: string;
  /** Abstract names starting with these bytes (a string is UTF-8; '' = every abstract name). */
  abstract?: string | Uint8Array;
  unnamed?: true;
  any?: true;
  types?: readonly WitSocketType[];
  peer?: PeerRequirement;
}

/** A sandbox policy: nothing is allowed that no rule allows. */
export interface PolicySpec {
  /** What relative paths are resolved against (default '/'). */
  baseDirectory?: string;
  rules?: readonly PolicyRule[];
  /** Sockets one engine instance may hold at once. */
  maxOpenSockets?: number;
  /** Descriptors one message may carry, sent or received. */
  maxDescriptorsPerMessage?: number;
}

/** What the policy refused so far (WIT `policy.refusal-counts`). */
export interface Refusals {
  /** Calls answered `policy-denied`. */
  denied: number;
  /** Accepted connections closed for their peer. */
  droppedConnections: number;
  /** Datagrams dropped for their sender. */
  droppedDatagrams: number;
  /** Received descriptors closed by the policy. */
  closedDescriptors: number;
}

const POLICY = 'cm32p2|unixsock:ipc/policy@0.1|';
const POLICY_ERRORS = POLICY_POLICY_ERROR.cases;
/** result<_, policy-error>: the error's place. */
const ERROR = POLICY_FUNCTIONS.allow.result.payload;
const PATH_PREFIX = POLICY_PATTERN.cases.indexOf('path-prefix');
const ABSTRACT_PREFIX = POLICY_PATTERN.cases.indexOf('abstract-prefix');
const UNNAMED = POLICY_PATTERN.cases.indexOf('unnamed');
const ANY = POLICY_PATTERN.cases.indexOf('any');
/** option<peer-requirement> `none`, flat. */
const NO_PEER: readonly number[] = new Array<number>(1 + POLICY_PEER_REQUIREMENT.flat).fill(NONE);

type Fn = (...args: number[]) => number;

function wordList(v: unknown, name: string): readonly number[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw invalidArgType(name, 'an array of integers 0..2^32-1', v);
  v.forEach((n, i) => integerArgument(n, `${name}[${i}]`, 0xffffffff));
  return v;
}

function limit(v: unknown, name: string): number | undefined {
  return v === undefined ? undefined : integerArgument(v, name, 0xffffffff);
}

/** The flat `rule` arguments of `policy.allow`, type-checked. */
function flatRule(engine: ComponentInstance, r: PolicyRule, i: number): number[] {
  const at = `policy.rules[${i}]`;
  if (typeof r !== 'object' || r === null) throw invalidArgType(at, 'an object', r);
  if (!Array.isArray(r.allow) || r.allow.length === 0) throw invalidArgType(`${at}.allow`, 'a non-empty array of permissions', r.allow);
  let permissions = 0;
  for (const p of r.allow) {
    const bit = RULE_PERMISSIONS.indexOf(p);
    if (bit < 0) throw invalidArgValue(`${at}.allow`, `unknown permission ${JSON.stringify(p)}; one of ${RULE_PERMISSIONS.join(', ')}`);
    permissions |= 1 << bit;
  }
  const patterns = (['path', 'abstract', 'unnamed', 'any'] as const).filter((k) => r[k] !== undefined);
  if (patterns.length !== 1) throw invalidArgValue(at, 'needs exactly one of path, abstract, unnamed: true, any: true');
  const m = engine.memory;
  let pattern: number[];
  if (r.path !== undefined) {
    if (typeof r.path !== 'string') throw invalidArgType(`${at}.path`, 'a string', r.path);
    m.lowerString(r.path);
    pattern = [PATH_PREFIX, m.ptr, m.len];
  } else if (r.abstract !== undefined) {
    if (typeof r.abstract !== 'string' && !(r.abstract instanceof Uint8Array)) {
      throw invalidArgType(`${at}.abstract`, 'a string or Uint8Array', r.abstract);
    }
    m.lowerBytes(typeof r.abstract === 'string' ? Buffer.from(r.abstract, 'utf8') : r.abstract);
    pattern = [ABSTRACT_PREFIX, m.ptr, m.len];
  } else if (r.unnamed === true) {
    pattern = [UNNAMED, 0, 0];
  } else if (r.any === true) {
    pattern = [ANY, 0, 0];
  } else {
    throw invalidArgValue(at, 'unnamed and any take the value true');
  }
  let types = 0;
  if (r.types !== undefined) {
    if (!Array.isArray(r.types)) throw invalidArgType(`${at}.types`, 'an array of socket types', r.types);
    for (const t of r.types) {
      const bit = SOCKET_TYPES.indexOf(t);
      if (bit < 0) throw invalidArgValue(`${at}.types`, `unknown socket type ${JSON.stringify(t)}`);
      types |= 1 << bit;
    }
  }
  if (r.peer === undefined) return [permissions, ...pattern, types, ...NO_PEER];
  if (typeof r.peer !== 'object' || r.peer === null) throw invalidArgType(`${at}.peer`, 'an object', r.peer);
  const uids = wordList(r.peer.uids, `${at}.peer.uids`);
  const gids = wordList(r.peer.gids, `${at}.peer.gids`);
  m.lowerWords(uids);
  const [uidPtr, uidLen] = [m.ptr, m.len];
  m.lowerWords(gids);
  return [permissions, ...pattern, types, SOME, r.peer.sameUser === true ? 1 : 0, uidPtr, uidLen, m.ptr, m.len];
}

function check(engine: ComponentInstance, ret: number, what: string): void {
  engine.memory.fresh();
  const failed = engine.memory.bytes[ret] !== 0;
  const error = failed ? POLICY_ERRORS[engine.memory.bytes[ret + ERROR]!] : undefined;
  (engine.exports[`${POLICY}${what}_post`] as Fn | undefined)?.(ret);
  if (error === 'locked') throw Object.assign(new Error('The policy is locked'), { code: 'ERR_UNIXSOCK_POLICY_LOCKED' });
  if (error !== undefined) throw invalidArgValue('policy', `${what}: ${error}`);
}

/** Validate `spec` in full, then install it in `engine` (which enforces from then on). */
export function applyPolicy(engine: ComponentInstance, spec: PolicySpec): void {
  if (typeof spec !== 'object' || spec === null) throw invalidArgType('policy', 'an object', spec);
  const x = engine.exports as Record<string, Fn>;
  const rules = spec.rules ?? [];
  if (!Array.isArray(rules)) throw invalidArgType('policy.rules', 'an array', rules);
  const sockets = limit(spec.maxOpenSockets, 'policy.maxOpenSockets');
  const fds = limit(spec.maxDescriptorsPerMessage, 'policy.maxDescriptorsPerMessage');
  if (spec.baseDirectory !== undefined) {
    if (typeof spec.baseDirectory !== 'string') throw invalidArgType('policy.baseDirectory', 'a string', spec.baseDirectory);
    engine.memory.lowerString(spec.baseDirectory);
    check(engine, x[`${POLICY}set-base-directory`]!(engine.memory.ptr, engine.memory.len), 'set-base-directory');
  }
  check(engine, x[`${POLICY}set-limits`]!(sockets === undefined ? NONE : SOME, sockets ?? 0, fds === undefined ? NONE : SOME, fds ?? 0), 'set-limits');
  rules.forEach((r, i) => check(engine, x[`${POLICY}allow`]!(...flatRule(engine, r, i)), 'allow'));
}

/** Freeze the engine's policy. */
export function lockPolicy(engine: ComponentInstance): void {
  (engine.exports[`${POLICY}lock`] as Fn)();
}

/** What the engine's policy refused so far. */
export function refusalsOf(engine: ComponentInstance): Refusals {
  const ret = (engine.exports[`${POLICY}refusals`] as Fn)();
  engine.memory.fresh();
  const v = engine.memory.view;
  return {
    denied: Number(v.getBigUint64(ret + COUNTS.denied, true)),
    droppedConnections: Number(v.getBigUint64(ret + COUNTS.droppedConnections, true)),
    droppedDatagrams: Number(v.getBigUint64(ret + COUNTS.droppedDatagrams, true)),
    closedDescriptors: Number(v.getBigUint64(ret + COUNTS.closedDescriptors, true)),
  };
}
