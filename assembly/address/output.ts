// Where an address function leaves its successful result: a kind and a byte
// range. The range points either into an argument buffer (which the callee
// owns until post-return) or into a block from `arena.alloc`, freed at
// post-return too.
import { AddressKind } from './kinds';

export let outKind: AddressKind = AddressKind.Unnamed;
export let outPtr: usize = 0;
export let outLen: u32 = 0;

/** Record a result; always returns true so functions can `return produce(...)`. */
export function produce(kind: AddressKind, ptr: usize, len: u32): bool {
  outKind = kind;
  outPtr = ptr;
  outLen = len;
  return true;
}
