// The canonical-ABI shapes of everything a plugin may import: the functions
// of interfaces `sockets` and `address` and the guest's `run`, as type trees
// of the one model (host/generated/abi-layout.ts, generated from wit/ by
// build/wit-abi.mjs), each node carrying its size, alignment, flat count and
// offsets. host/plugin.ts walks these trees to carry arguments and results
// between a guest's memory and its engine's memory. Only i32-flattening
// types occur in these interfaces (the generator refuses others), which
// keeps flattening a count.
import {
  type AbiFunction, type AbiResource, type AbiType, ADDRESS_TREES, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, PLUGIN_RUN, SOCKETS_TREES,
} from '../component/generated/abi-layout.js';

/** A resource type a guest can hold handles of. */
export type Resource = AbiResource;

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
