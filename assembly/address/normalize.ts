// Lexical path normalization and Racket's `unix-socket-path?` predicate: both
// work on the path's text only and never touch the filesystem.
import { AddressError, fail } from '../errors';
import { indexOfNul } from './bytes';
import { AddressKind, CandidateKind, Platform, SLASH } from './kinds';
import { pathCapacity } from './layout';
import { alloc } from '../arena';
import { produce } from './output';

const DOT: u8 = 0x2e;

/**
 * Join a relative `path` to `wd` (when given), drop `.` and empty segments,
 * resolve `..` (never above the root; kept at the front of a relative result).
 */
export function normalizePath(ptr: usize, len: u32, hasWd: bool, wdPtr: usize, wdLen: u32): bool {
  if (len == 0) return fail(AddressError.EmptyPath);
  const nul = indexOfNul(ptr, len);
  if (nul >= 0) return fail(AddressError.ContainsNul, <u32>nul);
  const relative = load<u8>(ptr) != SLASH;
  const join = relative && hasWd;
  if (join) {
    if (wdLen == 0 || load<u8>(wdPtr) != SLASH) return fail(AddressError.WorkingDirectoryNotAbsolute);
    const wdNul = indexOfNul(wdPtr, wdLen);
    if (wdNul >= 0) return fail(AddressError.ContainsNul, <u32>wdNul);
  }
  // Concatenate wd + "/" + path into one scratch block, then normalize it
  // in place: a kept segment never moves right, so writing behind the read
  // position is safe. `segs` remembers where each kept segment starts.
  const total = join ? wdLen + 1 + len : len;
  const buf = alloc(total);
  if (join) {
    memory.copy(buf, wdPtr, wdLen);
    store<u8>(buf + wdLen, SLASH);
    memory.copy(buf + wdLen + 1, ptr, len);
  } else {
    memory.copy(buf, ptr, len);
  }
  const absolute = load<u8>(buf) == SLASH;
  const segs = heap.alloc(4 * (total / 2 + 1));
  let depth: u32 = 0;
  let w: u32 = 0;
  let i: u32 = 0;
  while (i < total) {
    while (i < total && load<u8>(buf + i) == SLASH) i++;
    if (i >= total) break;
    let j = i;
    while (j < total && load<u8>(buf + j) != SLASH) j++;
    const n = j - i;
    const dot = n == 1 && load<u8>(buf + i) == DOT;
    const dotdot = n == 2 && load<u8>(buf + i) == DOT && load<u8>(buf + i + 1) == DOT;
    if (dot) { i = j; continue; }
    if (dotdot) {
      const top = depth > 0 ? load<u32>(segs + 4 * (depth - 1)) : 0;
      const topIsDotdot = depth > 0 && w - top == 2 && load<u8>(buf + top) == DOT && load<u8>(buf + top + 1) == DOT;
      if (depth > 0 && !topIsDotdot) {
        depth--;
        w = top;
        if (w > 0) w--; // drop the separator written before the segment
        i = j;
        continue;
      }
      if (absolute) { i = j; continue; } // ".." at the root stays at the root
    }
    if (w > 0 || absolute) store<u8>(buf + w++, SLASH);
    store<u32>(segs + 4 * depth++, w);
    memory.copy(buf + w, buf + i, n);
    w += n;
    i = j;
  }
  heap.free(segs);
  if (w == 0) {
    store<u8>(buf, absolute ? SLASH : DOT);
    w = 1;
  }
  return produce(AddressKind.Path, buf, w);
}

/** Racket's `unix-socket-path?`; see wit/address.wit. */
export function isUnixSocketPath(kind: CandidateKind, ptr: usize, len: u32, p: Platform, wdPtr: usize, wdLen: u32): bool {
  if (kind == CandidateKind.Bytes) {
    return p == Platform.Linux && len >= 1 && len <= 108 && load<u8>(ptr) == 0;
  }
  if (len == 0 || indexOfNul(ptr, len) >= 0) return false;
  // path->complete-path, then cleanse-path (redundant separators collapsed).
  const relative = load<u8>(ptr) != SLASH;
  let n: u32 = 0;
  let prevSlash = false;
  if (relative) {
    for (let i: u32 = 0; i < wdLen; i++) {
      const slash = load<u8>(wdPtr + i) == SLASH;
      if (!(slash && prevSlash)) n++;
      prevSlash = slash;
    }
    if (!prevSlash) { n++; prevSlash = true; }
  }
  for (let i: u32 = 0; i < len; i++) {
    const slash = load<u8>(ptr + i) == SLASH;
    if (!(slash && prevSlash)) n++;
    prevSlash = slash;
  }
  return n <= pathCapacity(p);
}
