// Address validation: what the kernel accepts, decided before any syscall.
// Checks run in a fixed order for every kind: empty, then NUL, then length
// (so a too-long path that also holds a NUL is reported as the NUL, the
// actual reason the kernel would misbehave: it silently binds the prefix).
import { AddressError, fail } from '../errors';
import { indexOfNul } from './bytes';
import { AddressKind, Platform, PORTABLE_MAX_PATH, RelativePaths, SLASH } from './kinds';
import { hasAbstractNamespace, hasAutobind, maxPathBytes, pathCapacity } from './layout';

/** What `validate`/`encode` judge against (the WIT `options` record). */
export class Options {
  platform: Platform = Platform.Linux;
  portable: bool = false;
  relative: RelativePaths = RelativePaths.Allow;
  /** Working directory bytes; `hasWorkingDirectory` says whether it was given. */
  hasWorkingDirectory: bool = false;
  wdPtr: usize = 0;
  wdLen: u32 = 0;
}

/** Longest pathname `o` accepts. */
export function pathLimit(o: Options): u32 {
  return o.portable ? PORTABLE_MAX_PATH : maxPathBytes(o.platform);
}

/** Longest abstract name (bytes after the leading NUL). */
export function abstractLimit(p: Platform): u32 {
  return pathCapacity(p) - 1;
}

/** Check an address; on failure the reason is in errors.failure*. */
export function checkAddress(kind: AddressKind, ptr: usize, len: u32, o: Options): bool {
  if (kind == AddressKind.Path || kind == AddressKind.PathBytes) return checkPath(ptr, len, o);
  if (kind == AddressKind.Abstract) {
    if (o.portable || !hasAbstractNamespace(o.platform)) return fail(AddressError.AbstractUnsupported);
    const max = abstractLimit(o.platform);
    if (len > max) return fail(AddressError.AbstractTooLong, len, max);
    return true;
  }
  if (o.portable || !hasAutobind(o.platform)) return fail(AddressError.AutobindUnsupported);
  return true;
}

function checkPath(ptr: usize, len: u32, o: Options): bool {
  if (len == 0) return fail(AddressError.EmptyPath);
  const nul = indexOfNul(ptr, len);
  if (nul >= 0) return fail(AddressError.ContainsNul, <u32>nul);
  const relative = load<u8>(ptr) != SLASH;
  if (relative && o.relative == RelativePaths.Reject) return fail(AddressError.RelativePathRejected);
  const max = pathLimit(o);
  if (len > max) return fail(AddressError.PathTooLong, len, max);
  if (relative && o.relative == RelativePaths.AbsoluteMustFit) {
    if (!o.hasWorkingDirectory) return fail(AddressError.MissingWorkingDirectory);
    if (o.wdLen == 0 || load<u8>(o.wdPtr) != SLASH) return fail(AddressError.WorkingDirectoryNotAbsolute);
    const wdNul = indexOfNul(o.wdPtr, o.wdLen);
    if (wdNul >= 0) return fail(AddressError.ContainsNul, <u32>wdNul);
    let wdLen = o.wdLen;
    while (wdLen > 0 && load<u8>(o.wdPtr + wdLen - 1) == SLASH) wdLen--;
    const absolute = wdLen + 1 + len;
    if (absolute > max) return fail(AddressError.AbsolutePathTooLong, absolute, max);
  }
  return true;
}
