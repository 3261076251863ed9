// Blocks that live until the current export's post-return.
//
// The canonical ABI makes the callee own every block the caller allocated
// for its arguments, and every block it returns, until post-return runs.
// Both kinds are recorded here and freed together by `releaseAll()`, which
// every post-return calls; a function that fails half-way simply leaves its
// blocks here. Hosts pass empty strings and lists as (ptr = alignment,
// len = 0) without allocating, so only addresses at or above __heap_base are
// real blocks.

const SLOTS: i32 = 16;
const blocks: usize = memory.data(SLOTS * 4, 4);
let count: i32 = 0;

/** Take ownership of a block (an argument the host allocated). */
export function adopt(ptr: usize): void {
  if (ptr < __heap_base) return;
  // No export holds more than a handful of blocks: overflow is a bug.
  if (count == SLOTS) unreachable();
  store<u32>(blocks + 4 * count++, <u32>ptr);
}

/** A fresh block of `len` bytes (at least 1, so it is a real block) owned until post-return. */
export function alloc(len: u32): usize {
  const ptr = heap.alloc(len == 0 ? 1 : <usize>len);
  adopt(ptr);
  return ptr;
}

/** Free every block (post-return). */
export function releaseAll(): void {
  for (let i: i32 = 0; i < count; i++) heap.free(<usize>load<u32>(blocks + 4 * i));
  count = 0;
}

/** releaseAll as a canonical-ABI post-return (which receives the result pointer): exported under each export's `_post` name. */
export function releaseArena(ret: usize): void {
  releaseAll();
}
