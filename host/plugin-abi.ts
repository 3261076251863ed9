// The canonical-ABI shapes of everything a plugin may import: the WIT types
// of interfaces `sockets` and `address` as a small type model, with the
// flattening, size and alignment rules of the Component Model's
// CanonicalABI.md. host/plugin.ts walks these shapes to carry arguments
// and results between a guest's memory and its engine's memory.
// Only i32-flattening types occur in these interfaces (no floats, no 64-bit
// integers), which keeps flattening a count.

/** A resource type a guest can hold handles of. */
export type Resource = 'listener' | 'connection' | 'datagram' | 'attachment';

export const RESOURCES: readonly Resource[] = ['listener', 'connection', 'datagram', 'attachment'];

/** A WIT type, reduced to what the canonical ABI distinguishes. */
export type Ty =
  | { t: 'u8' }
  | { t: 'u16' }
  | { t: 'u32' }
  | { t: 'bool' }
  | { t: 'enum'; cases: number }
  | { t: 'flags'; labels: number }
  | { t: 'string' }
  | { t: 'list'; of: Ty }
  | { t: 'record'; fields: Ty[] }
  | { t: 'variant'; cases: (Ty | undefined)[] }
  | { t: 'own'; resource: Resource }
  | { t: 'borrow'; resource: Resource };

/** One importable function: parameters and result (undefined: none). */
export interface Signature {
  params: Ty[];
  result: Ty | undefined;
}

// Constructors.
const u8: Ty = { t: 'u8' };
const u16: Ty = { t: 'u16' };
const u32: Ty = { t: 'u32' };
const s32 = u32;
const bool: Ty = { t: 'bool' };
const string: Ty = { t: 'string' };
const enumOf = (cases: number): Ty => ({ t: 'enum', cases });
const flags = (labels: number): Ty => ({ t: 'flags', labels });
const list = (of: Ty): Ty => ({ t: 'list', of });
const record = (...fields: Ty[]): Ty => ({ t: 'record', fields });
const variant = (...cases: (Ty | undefined)[]): Ty => ({ t: 'variant', cases });
const option = (of: Ty): Ty => variant(undefined, of);
const result = (ok: Ty | undefined, err: Ty | undefined): Ty => variant(ok, err);
const own = (resource: Resource): Ty => ({ t: 'own', resource });
const borrow = (resource: Resource): Ty => ({ t: 'borrow', resource });

// wit/types.wit
const bytes = list(u8);
const address = variant(string, bytes, bytes, undefined);
const errno = enumOf(40);
const errorCode = enumOf(27);
const socketType = enumOf(3);
const shutdownHow = enumOf(3);
const permission = enumOf(11);
const credentials = record(s32, u32, u32);
const platform = enumOf(6);

// wit/address.wit
const lengthExcess = record(u32, u32);
const addressError = variant(
  undefined, u32, lengthExcess, lengthExcess, undefined, undefined, undefined, undefined,
  lengthExcess, undefined, undefined, u16, u8, u32,
);
const sockaddrLayout = record(platform, bool, u8, u8, u8, bool, bool);
const addressOptions = record(platform, bool, enumOf(3), option(string));
const candidate = variant(string, bytes, bytes);

// wit/sockets.wit
const operation = enumOf(17);
const socketError = variant(addressError, record(errorCode, errno, operation), undefined, permission);
const readiness = flags(3);
const message = record(bytes, address, list(own('attachment')), bool, bool);
const bindOptions = record(option(u32), bool, bool, option(string));
const listenOptions = record(socketType, u32, option(u32), bool, bool, option(string));
const fallible = (ok: Ty | undefined): Ty => result(ok, socketError);
const attachments = list(borrow('attachment'));

/** `cm32p2|unixsock:ipc/sockets@0.1` functions by core import name. */
export const SOCKETS: Record<string, Signature> = {
  'socket-pair': { params: [socketType], result: fallible(record(own('connection'), own('connection'))) },
  'condition-of': { params: [errno], result: errorCode },
  '[static]listener.listen': { params: [address, listenOptions], result: fallible(own('listener')) },
  '[method]listener.accept': { params: [borrow('listener')], result: fallible(option(own('connection'))) },
  '[method]listener.wait': { params: [borrow('listener'), readiness, u32], result: fallible(readiness) },
  '[method]listener.local-address': { params: [borrow('listener')], result: fallible(address) },
  '[method]listener.close': { params: [borrow('listener')], result: fallible(undefined) },
  '[static]connection.connect': { params: [address, socketType], result: fallible(own('connection')) },
  '[method]connection.local-address': { params: [borrow('connection')], result: fallible(address) },
  '[method]connection.remote-address': { params: [borrow('connection')], result: fallible(address) },
  '[method]connection.shutdown': { params: [borrow('connection'), shutdownHow], result: fallible(undefined) },
  '[method]connection.send': { params: [borrow('connection'), bytes, attachments], result: fallible(u32) },
  '[method]connection.receive': { params: [borrow('connection'), u32], result: fallible(message) },
  '[method]connection.wait': { params: [borrow('connection'), readiness, u32], result: fallible(readiness) },
  '[method]connection.peer-credentials': { params: [borrow('connection')], result: fallible(credentials) },
  '[method]connection.close': { params: [borrow('connection')], result: fallible(undefined) },
  '[static]datagram.bind': { params: [option(address), bindOptions], result: fallible(own('datagram')) },
  '[method]datagram.connect': { params: [borrow('datagram'), address], result: fallible(undefined) },
  '[method]datagram.send-to': { params: [borrow('datagram'), bytes, option(address), attachments], result: fallible(u32) },
  '[method]datagram.receive': { params: [borrow('datagram'), u32], result: fallible(message) },
  '[method]datagram.wait': { params: [borrow('datagram'), readiness, u32], result: fallible(readiness) },
  '[method]datagram.local-address': { params: [borrow('datagram')], result: fallible(address) },
  '[method]datagram.remote-address': { params: [borrow('datagram')], result: fallible(address) },
  '[method]datagram.close': { params: [borrow('datagram')], result: fallible(undefined) },
};

/** `cm32p2|unixsock:ipc/address@0.1` functions by core import name. */
export const ADDRESS: Record<string, Signature> = {
  'layout-for': { params: [platform], result: sockaddrLayout },
  validate: { params: [address, addressOptions], result: result(address, addressError) },
  encode: { params: [address, addressOptions], result: result(bytes, addressError) },
  decode: { params: [bytes, platform], result: result(address, addressError) },
  parse: { params: [string], result: result(address, addressError) },
  'to-text': { params: [address], result: string },
  normalize: { params: [string, option(string)], result: result(string, addressError) },
  'is-unix-socket-path': { params: [candidate, platform, string], result: bool },
};

/** The guest's `run: func(args: list<string>) -> result<string, string>`. */
export const RUN: Signature = { params: [list(string)], result: result(string, string) };

// Canonical ABI layout (CanonicalABI.md: alignment, elem_size, flatten_type).

/** Bytes of a discriminant for `n` cases. */
export function discriminantSize(n: number): number {
  return n <= 0x100 ? 1 : n <= 0x10000 ? 2 : 4;
}

function flagsSize(labels: number): number {
  return labels <= 8 ? 1 : labels <= 16 ? 2 : 4;
}

const alignments = new WeakMap<Ty, number>();
const sizes = new WeakMap<Ty, number>();
const flatCounts = new WeakMap<Ty, number>();
const payloadOffsets = new WeakMap<Ty, number>();
const fieldOffsetLists = new WeakMap<Ty, readonly number[]>();

export function alignment(ty: Ty): number {
  let a = alignments.get(ty);
  if (a !== undefined) return a;
  switch (ty.t) {
    case 'u8': case 'bool': a = 1; break;
    case 'u16': a = 2; break;
    case 'u32': case 'string': case 'list': case 'own': case 'borrow': a = 4; break;
    case 'enum': a = discriminantSize(ty.cases); break;
    case 'flags': a = flagsSize(ty.labels); break;
    case 'record': a = Math.max(1, ...ty.fields.map(alignment)); break;
    case 'variant': a = Math.max(discriminantSize(ty.cases.length), ...ty.cases.map((c) => (c ? alignment(c) : 1))); break;
  }
  alignments.set(ty, a);
  return a;
}

export function alignTo(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

export function size(ty: Ty): number {
  let s = sizes.get(ty);
  if (s !== undefined) return s;
  switch (ty.t) {
    case 'u8': case 'bool': s = 1; break;
    case 'u16': s = 2; break;
    case 'u32': case 'own': case 'borrow': s = 4; break;
    case 'string': case 'list': s = 8; break;
    case 'enum': s = discriminantSize(ty.cases); break;
    case 'flags': s = flagsSize(ty.labels); break;
    case 'record': {
      let at = 0;
      for (const f of ty.fields) at = alignTo(at, alignment(f)) + size(f);
      s = alignTo(at, alignment(ty));
      break;
    }
    case 'variant':
      s = alignTo(payloadOffset(ty) + Math.max(0, ...ty.cases.map((c) => (c ? size(c) : 0))), alignment(ty));
      break;
  }
  sizes.set(ty, s);
  return s;
}

/** Offset of a variant's payload. */
export function payloadOffset(ty: Ty & { t: 'variant' }): number {
  let at = payloadOffsets.get(ty);
  if (at === undefined) {
    at = alignTo(discriminantSize(ty.cases.length), Math.max(1, ...ty.cases.map((c) => (c ? alignment(c) : 1))));
    payloadOffsets.set(ty, at);
  }
  return at;
}

/** Offsets of a record's fields. */
export function fieldOffsets(ty: Ty & { t: 'record' }): readonly number[] {
  let offsets = fieldOffsetLists.get(ty);
  if (offsets === undefined) {
    let at = 0;
    offsets = ty.fields.map((f) => {
      at = alignTo(at, alignment(f));
      const here = at;
      at += size(f);
      return here;
    });
    fieldOffsetLists.set(ty, offsets);
  }
  return offsets;
}

/** Number of core values (all i32 here) `ty` flattens to. */
export function flatCount(ty: Ty): number {
  let n = flatCounts.get(ty);
  if (n !== undefined) return n;
  switch (ty.t) {
    case 'string': case 'list': n = 2; break;
    case 'record': n = ty.fields.reduce((sum, f) => sum + flatCount(f), 0); break;
    case 'variant': n = 1 + Math.max(0, ...ty.cases.map((c) => (c ? flatCount(c) : 0))); break;
    default: n = 1;
  }
  flatCounts.set(ty, n);
  return n;
}

/** Canonical ABI limits for synchronous functions. */
export const MAX_FLAT_PARAMS = 16;
export const MAX_FLAT_RESULTS = 1;

/** Core parameter count of the lowered import (including a return pointer). */
export function coreParamCount(sig: Signature): number {
  const flat = sig.params.reduce((sum, p) => sum + flatCount(p), 0);
  const params = flat > MAX_FLAT_PARAMS ? 1 : flat;
  return params + (sig.result !== undefined && flatCount(sig.result) > MAX_FLAT_RESULTS ? 1 : 0);
}
