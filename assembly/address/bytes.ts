// Byte-range helpers over raw linear memory. Every address function works on
// (ptr, len) ranges so that validation allocates nothing.

/** Offset of the first NUL in [ptr, ptr+len), or -1. */
export function indexOfNul(ptr: usize, len: u32): i32 {
  for (let i: u32 = 0; i < len; i++) {
    if (load<u8>(ptr + i) == 0) return <i32>i;
  }
  return -1;
}

/** strnlen: bytes before the first NUL, at most `len`. */
export function strnlen(ptr: usize, len: u32): u32 {
  const nul = indexOfNul(ptr, len);
  return nul < 0 ? len : <u32>nul;
}

/** Whether [ptr, ptr+len) starts with the ASCII `prefix`. */
export function startsWith(ptr: usize, len: u32, prefix: string): bool {
  const n = <u32>prefix.length;
  if (len < n) return false;
  for (let i: u32 = 0; i < n; i++) {
    if (<u32>load<u8>(ptr + i) != <u32>prefix.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether the bytes are well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
export function isUtf8(ptr: usize, len: u32): bool {
  let i: u32 = 0;
  while (i < len) {
    const b0 = <u32>load<u8>(ptr + i);
    if (b0 < 0x80) { i++; continue; }
    let need: u32;
    let lo: u32 = 0x80;
    let hi: u32 = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) need = 1;
    else if (b0 == 0xe0) { need = 2; lo = 0xa0; }
    else if (b0 >= 0xe1 && b0 <= 0xec) need = 2;
    else if (b0 == 0xed) { need = 2; hi = 0x9f; }
    else if (b0 >= 0xee && b0 <= 0xef) need = 2;
    else if (b0 == 0xf0) { need = 3; lo = 0x90; }
    else if (b0 >= 0xf1 && b0 <= 0xf3) need = 3;
    else if (b0 == 0xf4) { need = 3; hi = 0x8f; }
    else return false;
    if (len - i <= need) return false;
    const b1 = <u32>load<u8>(ptr + i + 1);
    if (b1 < lo || b1 > hi) return false;
    for (let k: u32 = 2; k <= need; k++) {
      const b = <u32>load<u8>(ptr + i + k);
      if (b < 0x80 || b > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}

/** Value of an ASCII hex digit, or -1. */
export function hexValue(c: u32): i32 {
  if (c >= 0x30 && c <= 0x39) return <i32>(c - 0x30);
  if (c >= 0x41 && c <= 0x46) return <i32>(c - 0x37);
  if (c >= 0x61 && c <= 0x66) return <i32>(c - 0x57);
  return -1;
}

/** Hex digit for a nibble: lower case for `\xNN`, upper case for `%NN` (RFC 3986). */
export function hexDigit(n: u32, upper: bool = false): u8 {
  return <u8>(n < 10 ? 0x30 + n : (upper ? 0x37 : 0x57) + n);
}
