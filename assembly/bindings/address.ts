// Canonical-ABI lifting and lowering for `unixsock:ipc/address` (wit/address.wit).
//
// Each export's name is a mechanical function of its WIT name: interface,
// underscore, function with `-` as `_` (`address_to_text` is
// `address#to-text`); build/component.mjs renames them to the canonical
// `cm32p2|unixsock:ipc/address@0.1|to-text` form after compiling, because
// AssemblyScript cannot emit such names. Core signatures follow the
// flattening rules (wit/address.wit; checked against `embed --dummy`):
// `address` = (case, ptr, len), `options` = (platform, portable, relative,
// has-wd, wd-ptr, wd-len); every result but a bool goes through RET.
import { adopt, releaseAll, releaseArena } from '../arena';
import { failure, failureA, failureB } from '../errors';
import { isUtf8 } from '../address/bytes';
import { AddressKind, CandidateKind, Platform, RelativePaths } from '../address/kinds';
import { hasAbstractNamespace, hasAutobind, hasLengthByte, maxPathBytes, PATH_OFFSET, pathCapacity } from '../address/layout';
import { normalizePath, isUnixSocketPath } from '../address/normalize';
import { outKind, outLen, outPtr } from '../address/output';
import { checkAddress, Options } from '../address/rules';
import { decodeSockaddr, encodeAddress } from '../address/sockaddr';
import { parseText, toText } from '../address/text';
import { RET } from './abi';

const OPTIONS = new Options();

function liftOptions(platform: i32, portable: i32, relative: i32, hasWd: i32, wdPtr: usize, wdLen: u32): Options {
  OPTIONS.platform = <Platform>platform;
  OPTIONS.portable = portable != 0;
  OPTIONS.relative = <RelativePaths>relative;
  OPTIONS.hasWorkingDirectory = hasWd != 0;
  OPTIONS.wdPtr = wdPtr;
  OPTIONS.wdLen = hasWd != 0 ? wdLen : 0;
  if (hasWd != 0) adopt(wdPtr);
  return OPTIONS;
}

/** result<T, address-error>: T's (case or ptr, len) or the recorded failure. */
function lowerResult(ok: bool, withCase: bool): usize {
  if (!ok) {
    store<u8>(RET, 1);
    store<u8>(RET + 4, <u8>failure);
    store<u32>(RET + 8, failureA);
    store<u32>(RET + 12, failureB);
    return RET;
  }
  store<u8>(RET, 0);
  if (withCase) {
    store<u8>(RET + 4, <u8>outKind);
    store<u32>(RET + 8, <u32>outPtr);
    store<u32>(RET + 12, outLen);
  } else {
    store<u32>(RET + 4, <u32>outPtr);
    store<u32>(RET + 8, outLen);
  }
  return RET;
}

export function address_layout_for(platform: i32): usize {
  const p = <Platform>platform;
  store<u8>(RET, <u8>p);
  store<u8>(RET + 1, <u8>hasLengthByte(p));
  store<u8>(RET + 2, <u8>PATH_OFFSET);
  store<u8>(RET + 3, <u8>pathCapacity(p));
  store<u8>(RET + 4, <u8>maxPathBytes(p));
  store<u8>(RET + 5, <u8>hasAbstractNamespace(p));
  store<u8>(RET + 6, <u8>hasAutobind(p));
  return RET;
}

export function address_layout_for_post(ret: usize): void {}

export function address_validate(
  kind: i32, ptr: usize, len: u32,
  platform: i32, portable: i32, relative: i32, hasWd: i32, wdPtr: usize, wdLen: u32,
): usize {
  adopt(ptr);
  const o = liftOptions(platform, portable, relative, hasWd, wdPtr, wdLen);
  let k = <AddressKind>kind;
  if (!checkAddress(k, ptr, len, o)) return lowerResult(false, true);
  if (k == AddressKind.PathBytes && isUtf8(ptr, len)) k = AddressKind.Path;
  store<u8>(RET, 0);
  store<u8>(RET + 4, <u8>k);
  store<u32>(RET + 8, <u32>ptr);
  store<u32>(RET + 12, len);
  return RET;
}

export function address_encode(
  kind: i32, ptr: usize, len: u32,
  platform: i32, portable: i32, relative: i32, hasWd: i32, wdPtr: usize, wdLen: u32,
): usize {
  adopt(ptr);
  const o = liftOptions(platform, portable, relative, hasWd, wdPtr, wdLen);
  return lowerResult(encodeAddress(<AddressKind>kind, ptr, len, o), false);
}

export function address_decode(ptr: usize, len: u32, platform: i32): usize {
  adopt(ptr);
  return lowerResult(decodeSockaddr(ptr, len, <Platform>platform), true);
}

export function address_parse(ptr: usize, len: u32): usize {
  adopt(ptr);
  return lowerResult(parseText(ptr, len), true);
}

export function address_to_text(kind: i32, ptr: usize, len: u32): usize {
  adopt(ptr);
  toText(<AddressKind>kind, ptr, len);
  store<u32>(RET, <u32>outPtr);
  store<u32>(RET + 4, outLen);
  return RET;
}

export function address_normalize(ptr: usize, len: u32, hasWd: i32, wdPtr: usize, wdLen: u32): usize {
  adopt(ptr);
  if (hasWd != 0) adopt(wdPtr);
  return lowerResult(normalizePath(ptr, len, hasWd != 0, wdPtr, hasWd != 0 ? wdLen : 0), false);
}

export function address_is_unix_socket_path(
  kind: i32, ptr: usize, len: u32, platform: i32, wdPtr: usize, wdLen: u32,
): i32 {
  adopt(ptr);
  adopt(wdPtr);
  const verdict = isUnixSocketPath(<CandidateKind>kind, ptr, len, <Platform>platform, wdPtr, wdLen);
  // A bool result needs no post-return, so release the arguments now.
  releaseAll();
  return verdict ? 1 : 0;
}

// Post-returns: the argument and result blocks are freed here.
export {
  releaseArena as address_validate_post,
  releaseArena as address_encode_post,
  releaseArena as address_decode_post,
  releaseArena as address_parse_post,
  releaseArena as address_to_text_post,
  releaseArena as address_normalize_post,
};
