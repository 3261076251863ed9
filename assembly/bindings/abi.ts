// Canonical-ABI plumbing shared by every export: the allocator the host
// calls (a core export of the world, not of an interface) and the return area.

/** The return area for results that flatten to more than one value. */
export const RET: usize = memory.data(64, 8);

/** cabi_realloc: (0, 0, align, size) allocates; TLSF blocks are 16-aligned. */
export function cabi_realloc(old: usize, oldSize: usize, align: usize, newSize: usize): usize {
  if (newSize == 0) {
    if (old >= __heap_base) heap.free(old);
    return align;
  }
  if (old < __heap_base) return heap.alloc(newSize);
  return heap.realloc(old, newSize);
}
