// The canonical-ABI shapes of everything a plugin may import: the functions
// of interfaces `sockets` and `address` and the guest's `run`, as type trees
// of the one model (component/generated/abi-layout.ts, generated from wit/
// by build/wit-abi.mjs), each node carrying its size, alignment, flat count
// and offsets; which guest import is which function; and what a tree holds.
// carry.ts walks these trees to carry arguments and results between a
// guest's memory and its engine's memory. Only i32-flattening types occur in
// these interfaces (the generator refuses others), which keeps flattening a
// count.
import type { MemoryView } from '../component/abi.js';
import {
  type AbiFunction, type AbiResource, type AbiType, ADDRESS_TREES, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, PLUGIN_RUN, RESOURCES, SOCKETS_TREES,
} from '../component/generated/abi-layout.js';

/** A resource type a guest can hold handles of. */
export type GuestResource = AbiResource;

export { RESOURCES } from '../component/generated/abi-layout.js';

/** A WIT type, reduced to what the canonical ABI distinguishes, with its layout. */
export type Ty = AbiType;

/** One importable function: parameters, result (undefined: none) and core signature. */
export type Signature = AbiFunction;

/** `cm32p2|unixsock:ipc/sockets@0.1` functions by core import name. */
export const SOCKETS: Readonly<Record<string, Signature>> = SOCKETS_TREES;

/** `cm32p2|unixsock:ipc/address@0.1` functions by core import name. */
export const ADDRESS: Readonly<Record<string, Signature>> = ADDRESS_TREES;

/** The guest's `run: func(args: list<string>) -> result<string, string>`. */
export const RUN: Signature = PLUGIN_RUN;

export { MAX_FLAT_PARAMS, MAX_FLAT_RESULTS };

/** The core import modules of the plugin world's interfaces, as wit-component names them (and the legacy names). */
export const SOCKETS_MODULES = ['cm32p2|unixsock:ipc/sockets@0.1', 'unixsock:ipc/sockets@0.1.0'];
export const ADDRESS_MODULES = ['cm32p2|unixsock:ipc/address@0.1', 'unixsock:ipc/address@0.1.0'];
export const ENGINE_SOCKETS = 'cm32p2|unixsock:ipc/sockets@0.1|';
export const ENGINE_ADDRESS = 'cm32p2|unixsock:ipc/address@0.1|';

/** What the linker does for one guest import. */
export type ImportPlan = { kind: 'call'; iface: string; name: string; sig: Signature } | { kind: 'drop'; resource: GuestResource };

/** Which plugin-world function a core import is, or undefined. */
export function planImport(module: string, name: string, kind: string): ImportPlan | undefined {
  if (kind !== 'function') return undefined;
  const table = SOCKETS_MODULES.includes(module) ? SOCKETS : ADDRESS_MODULES.includes(module) ? ADDRESS : undefined;
  if (table === undefined) return undefined;
  if (table === SOCKETS) {
    const drop = /^(?:\[resource-drop\](\w+)|(\w+)_drop)$/.exec(name);
    const resource = (drop?.[1] ?? drop?.[2]) as GuestResource | undefined;
    if (resource !== undefined && (RESOURCES as readonly string[]).includes(resource)) return { kind: 'drop', resource };
  }
  const sig = Object.hasOwn(table, name) ? table[name] : undefined;
  if (sig === undefined) return undefined;
  return { kind: 'call', iface: table === SOCKETS ? ENGINE_SOCKETS : ENGINE_ADDRESS, name, sig };
}

/** No strings, lists or handles inside: a byte copy carries it. */
export function plain(ty: Ty, trusted: boolean): boolean {
  switch (ty.t) {
    case 'u8': case 'u16': case 'u32': return true;
    // From the guest these need checks (case in range, bool 0/1).
    case 'bool': case 'enum': case 'flags': return trusted;
    case 'record': return ty.fields.every((f) => plain(f, trusted));
    case 'variant': return trusted && ty.cases.every((c) => c === undefined || plain(c, trusted));
    default: return false;
  }
}

export function holdsOwn(ty: Ty): boolean {
  switch (ty.t) {
    case 'own': return true;
    case 'list': return holdsOwn(ty.of);
    case 'record': return ty.fields.some(holdsOwn);
    case 'variant': return ty.cases.some((c) => c !== undefined && holdsOwn(c));
    default: return false;
  }
}

export function readDiscriminant(side: MemoryView, at: number, bytes: number): number {
  return bytes === 1 ? side.view.getUint8(at) : bytes === 2 ? side.view.getUint16(at, true) : side.view.getUint32(at, true);
}

export function writeDiscriminant(side: MemoryView, at: number, bytes: number, value: number): void {
  if (bytes === 1) side.view.setUint8(at, value);
  else if (bytes === 2) side.view.setUint16(at, value, true);
  else side.view.setUint32(at, value, true);
}
