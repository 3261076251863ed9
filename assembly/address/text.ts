// Text forms of addresses, one grammar for the API and the CLI:
//
//   text      = "@" escaped            abstract; "\xNN" any byte, "\\" a backslash
//             | "unix-abstract:" pct   abstract (gRPC naming), "%NN" escapes
//             | "unix://" "/" pct      absolute path (Docker, gRPC), "%NN" escapes
//             | "unix:" pct            path (gRPC `unix:path`), "%NN" escapes
//             | other                  a path, literally (may be relative)
//
// `toText` writes the shortest form that parses back to the same address:
// plain text for ordinary paths, `unix://` / `unix:` with percent escapes for
// paths that are not UTF-8 or would be mistaken for another form, `@` with
// backslash escapes for abstract names. Unnamed addresses have no text form
// (the empty string, which `parse` rejects).
import { AddressError, fail } from '../errors';
import { hexDigit, hexValue, indexOfNul, isUtf8, startsWith } from './bytes';
import { AddressKind, SLASH } from './kinds';
import { alloc } from '../arena';
import { produce } from './output';

const AT: u8 = 0x40;
const BACKSLASH: u8 = 0x5c;
const PERCENT: u8 = 0x25;
const X: u8 = 0x78;

/** Parse `text` (valid UTF-8, from a WIT string). */
export function parseText(ptr: usize, len: u32): bool {
  if (len == 0) return fail(AddressError.EmptyPath);
  if (load<u8>(ptr) == AT) return unescapeAbstract(ptr, len);
  if (startsWith(ptr, len, 'unix-abstract:')) return percentDecode(ptr, len, 14, AddressKind.Abstract);
  if (startsWith(ptr, len, 'unix://')) {
    if (len == 7 || load<u8>(ptr + 7) != SLASH) return fail(AddressError.BadSyntax, 7);
    return percentDecode(ptr, len, 7, AddressKind.Path);
  }
  if (startsWith(ptr, len, 'unix:')) return percentDecode(ptr, len, 5, AddressKind.Path);
  const nul = indexOfNul(ptr, len);
  if (nul >= 0) return fail(AddressError.ContainsNul, <u32>nul);
  return produce(AddressKind.Path, ptr, len);
}

function unescapeAbstract(ptr: usize, len: u32): bool {
  const out = alloc(len);
  let n: u32 = 0;
  let i: u32 = 1;
  while (i < len) {
    const c = load<u8>(ptr + i);
    if (c != BACKSLASH) { store<u8>(out + n++, c); i++; continue; }
    if (i + 1 < len && load<u8>(ptr + i + 1) == BACKSLASH) { store<u8>(out + n++, BACKSLASH); i += 2; continue; }
    if (i + 3 < len && load<u8>(ptr + i + 1) == X) {
      const hi = hexValue(load<u8>(ptr + i + 2));
      const lo = hexValue(load<u8>(ptr + i + 3));
      if (hi >= 0 && lo >= 0) { store<u8>(out + n++, <u8>((hi << 4) | lo)); i += 4; continue; }
    }
    return fail(AddressError.BadSyntax, i);
  }
  return produce(AddressKind.Abstract, out, n);
}

function percentDecode(ptr: usize, len: u32, from: u32, kind: AddressKind): bool {
  const out = alloc(len - from);
  let n: u32 = 0;
  let i = from;
  while (i < len) {
    const c = load<u8>(ptr + i);
    if (c != PERCENT) { store<u8>(out + n++, c); i++; continue; }
    const hi = i + 2 < len ? hexValue(load<u8>(ptr + i + 1)) : -1;
    const lo = i + 2 < len ? hexValue(load<u8>(ptr + i + 2)) : -1;
    if (hi < 0 || lo < 0) { return fail(AddressError.BadSyntax, i); }
    store<u8>(out + n++, <u8>((hi << 4) | lo));
    i += 3;
  }
  if (kind == AddressKind.Path) {
    if (n == 0) { return fail(AddressError.EmptyPath); }
    const nul = indexOfNul(out, n);
    if (nul >= 0) { return fail(AddressError.ContainsNul, <u32>nul); }
    if (!isUtf8(out, n)) kind = AddressKind.PathBytes;
  }
  return produce(kind, out, n);
}

/** Text for an address; the result is always a fresh heap block. */
export function toText(kind: AddressKind, ptr: usize, len: u32): void {
  if (kind == AddressKind.Unnamed) { produce(kind, alloc(0), 0); return; }
  if (kind == AddressKind.Abstract) { escapeAbstract(ptr, len); return; }
  if (isPlain(ptr, len)) {
    const out = alloc(len);
    memory.copy(out, ptr, len);
    produce(kind, out, len);
    return;
  }
  // "unix://" for absolute paths keeps a leading "//" from reading as an authority.
  const prefix = len > 0 && load<u8>(ptr) == SLASH ? 'unix://' : 'unix:';
  const p = <u32>prefix.length;
  const out = alloc(p + 3 * len);
  for (let i: u32 = 0; i < p; i++) store<u8>(out + i, <u8>prefix.charCodeAt(i));
  let n = p;
  for (let i: u32 = 0; i < len; i++) {
    const c = <u32>load<u8>(ptr + i);
    if (c > 0x20 && c < 0x7f && c != PERCENT) { store<u8>(out + n++, <u8>c); continue; }
    store<u8>(out + n, PERCENT);
    store<u8>(out + n + 1, hexDigit(c >> 4, true));
    store<u8>(out + n + 2, hexDigit(c & 15, true));
    n += 3;
  }
  produce(kind, out, n);
}

/** A path that `parseText` reads back literally. */
function isPlain(ptr: usize, len: u32): bool {
  if (len == 0 || load<u8>(ptr) == AT || startsWith(ptr, len, 'unix:') || startsWith(ptr, len, 'unix-abstract:')) {
    return false;
  }
  return indexOfNul(ptr, len) < 0 && isUtf8(ptr, len);
}

function escapeAbstract(ptr: usize, len: u32): void {
  const out = alloc(1 + 4 * len);
  store<u8>(out, AT);
  let n: u32 = 1;
  for (let i: u32 = 0; i < len; i++) {
    const c = <u32>load<u8>(ptr + i);
    if (c == BACKSLASH) { store<u8>(out + n, BACKSLASH); store<u8>(out + n + 1, BACKSLASH); n += 2; continue; }
    if (c >= 0x20 && c < 0x7f) { store<u8>(out + n++, <u8>c); continue; }
    store<u8>(out + n, BACKSLASH);
    store<u8>(out + n + 1, X);
    store<u8>(out + n + 2, hexDigit(c >> 4));
    store<u8>(out + n + 3, hexDigit(c & 15));
    n += 4;
  }
  produce(AddressKind.Abstract, out, n);
}
