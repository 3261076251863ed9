// Carrying canonical-ABI values between a guest's memory and its engine's,
// by the type trees of plugin-abi.ts: lowering a call's flat arguments,
// copying strings and lists (checked on the way in: the guest is untrusted),
// and storing results back, handles translated through the guest's handle
// table both ways.
import type { MemoryView } from '../component/abi.js';
import { LIST } from '../component/generated/abi-layout.js';
import type { GuestMemory, HandleTable } from './guest.js';
import { PluginTrap } from './plugin.js';
import { holdsOwn, plain, readDiscriminant, type GuestResource, type Ty, writeDiscriminant } from './plugin-abi.js';

/** Where a value moves: from the guest into the engine, or back. */
export const IN = 0;
export const OUT = 1;
export type Direction = typeof IN | typeof OUT;

/** A block of `length` bytes aligned to `align` in one side's memory. */
export type Allocate = (align: number, length: number) => number;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** One guest's carrier: its memory, its engine's, its handle table and an allocator on each side. */
export class Carrier {
  readonly #guest: GuestMemory;
  readonly #engine: MemoryView;
  readonly #handles: HandleTable;
  readonly #guestAlloc: Allocate;
  readonly #engineAlloc: Allocate;
  /** Handles minted for a result, in the order its walk meets them. */
  minted: number[] = [];

  constructor(guest: GuestMemory, engine: MemoryView, handles: HandleTable, guestAlloc: Allocate, engineAlloc: Allocate) {
    this.#guest = guest;
    this.#engine = engine;
    this.#handles = handles;
    this.#guestAlloc = guestAlloc;
    this.#engineAlloc = engineAlloc;
  }

  /** Lower one parameter's flat guest values at `i` into engine values; the next index. */
  lowerFlat(ty: Ty, flat: number[], i: number, out: number[], what: string): number {
    const v = flat[i]!;
    switch (ty.t) {
      case 'u8': out.push(v & 0xff); return i + 1;
      case 'u16': out.push(v & 0xffff); return i + 1;
      case 'u32': out.push(v); return i + 1;
      case 'bool': out.push(v === 0 ? 0 : 1); return i + 1;
      case 'enum':
        if (v >>> 0 >= ty.cases) throw new PluginTrap(`${what}: enum case ${v >>> 0} out of range`);
        out.push(v);
        return i + 1;
      case 'flags': out.push(v & ((1 << ty.labels) - 1)); return i + 1;
      case 'string':
      case 'list': {
        const [ptr, len] = this.#listIn(ty, v >>> 0, flat[i + 1]! >>> 0, what);
        out.push(ptr, len);
        return i + 2;
      }
      case 'record':
        for (const f of ty.fields) i = this.lowerFlat(f, flat, i, out, what);
        return i;
      case 'variant': {
        const disc = v >>> 0;
        if (disc >= ty.cases.length) throw new PluginTrap(`${what}: variant case ${disc} out of range`);
        out.push(disc);
        const width = ty.flat - 1;
        const c = ty.cases[disc];
        const start = out.length;
        if (c !== undefined) this.lowerFlat(c, flat, i + 1, out, what);
        while (out.length - start < width) out.push(0);
        return i + 1 + width;
      }
      case 'borrow': out.push(this.#handles.lookup(v >>> 0, ty.resource)); return i + 1;
      case 'own': out.push(this.#handles.take(v >>> 0, ty.resource)); return i + 1;
    }
  }
  /** Copy a guest string or list into engine memory: its engine (ptr, len). */
  #listIn(ty: Ty & { t: 'string' | 'list' }, ptr: number, len: number, what: string): [number, number] {
    const elem = ty.t === 'list' ? ty.of : undefined;
    const esize = elem === undefined ? 1 : elem.size;
    const ealign = elem === undefined ? 1 : elem.align;
    const total = len * esize;
    if (total > 0x7fffffff) throw new PluginTrap(`${what}: a list of ${len} elements is too long`);
    const g = this.#guest;
    g.check(ptr, total, ealign, what);
    if (elem === undefined) this.decode(g.bytes.subarray(ptr, ptr + total), what);
    if (len === 0) return [ealign, 0];
    const ep = this.#engineAlloc(ealign, total);
    const e = this.#engine;
    if (elem === undefined || plain(elem, false)) {
      g.bytes.copy(e.bytes, ep, ptr, ptr + total);
    } else {
      for (let k = 0; k < len; k++) this.move(elem, g, ptr + k * esize, e, ep + k * esize, IN);
    }
    return [ep, len];
  }
  /** Copy an engine string or list into guest memory (guest realloc): its guest (ptr, len). */
  #listOut(ty: Ty & { t: 'string' | 'list' }, ptr: number, len: number): [number, number] {
    const elem = ty.t === 'list' ? ty.of : undefined;
    const esize = elem === undefined ? 1 : elem.size;
    const ealign = elem === undefined ? 1 : elem.align;
    if (len === 0) return [ealign, 0];
    const total = len * esize;
    const gp = this.#guestAlloc(ealign, total);
    const e = this.#engine;
    e.fresh();
    if (elem === undefined || plain(elem, true)) {
      e.bytes.copy(this.#guest.bytes, gp, ptr, ptr + total);
    } else {
      for (let k = 0; k < len; k++) this.move(elem, e, ptr + k * esize, this.#guest, gp + k * esize, OUT);
    }
    return [gp, len];
  }
  /** Engine reps of every `own` in the value at `at`, in walk order. */
  collectOwns(ty: Ty, side: MemoryView, at: number, out: [GuestResource, number][]): void {
    switch (ty.t) {
      case 'own': out.push([ty.resource, side.view.getUint32(at, true)]); return;
      case 'list': {
        if (!holdsOwn(ty.of)) return;
        const ptr = side.view.getUint32(at + LIST.ptr, true);
        const len = side.view.getUint32(at + LIST.len, true);
        for (let k = 0; k < len; k++) this.collectOwns(ty.of, side, ptr + k * ty.of.size, out);
        return;
      }
      case 'record': {
        const offsets = ty.offsets;
        ty.fields.forEach((f, k) => this.collectOwns(f, side, at + offsets[k]!, out));
        return;
      }
      case 'variant': {
        const c = ty.cases[readDiscriminant(side, at, ty.discriminant)];
        if (c !== undefined) this.collectOwns(c, side, at + ty.payload, out);
        return;
      }
      default:
    }
  }
  /** Store the value at `from[src]` into `to[dst]`, translating pointers and handles. */
  move(ty: Ty, from: MemoryView, src: number, to: MemoryView, dst: number, dir: Direction): void {
    switch (ty.t) {
      case 'u8': to.view.setUint8(dst, from.view.getUint8(src)); return;
      case 'bool': to.view.setUint8(dst, from.view.getUint8(src) === 0 ? 0 : 1); return;
      case 'u16': to.view.setUint16(dst, from.view.getUint16(src, true), true); return;
      case 'u32': to.view.setUint32(dst, from.view.getUint32(src, true), true); return;
      case 'enum': {
        const bytes = ty.size;
        const v = readDiscriminant(from, src, bytes);
        if (dir === IN && v >= ty.cases) throw new PluginTrap(`enum case ${v} out of range`);
        writeDiscriminant(to, dst, bytes, v);
        return;
      }
      case 'flags': {
        const bytes = ty.size;
        writeDiscriminant(to, dst, bytes, readDiscriminant(from, src, bytes) & ((1 << ty.labels) - 1));
        return;
      }
      case 'string':
      case 'list': {
        const ptr = from.view.getUint32(src + LIST.ptr, true);
        const len = from.view.getUint32(src + LIST.len, true);
        const [p, n] = dir === IN ? this.#listIn(ty, ptr, len, 'list') : this.#listOut(ty, ptr, len);
        to.fresh();
        to.view.setUint32(dst + LIST.ptr, p, true);
        to.view.setUint32(dst + LIST.len, n, true);
        return;
      }
      case 'record': {
        const offsets = ty.offsets;
        ty.fields.forEach((f, k) => this.move(f, from, src + offsets[k]!, to, dst + offsets[k]!, dir));
        return;
      }
      case 'variant': {
        const bytes = ty.discriminant;
        const disc = readDiscriminant(from, src, bytes);
        if (disc >= ty.cases.length) throw new PluginTrap(`variant case ${disc} out of range`);
        writeDiscriminant(to, dst, bytes, disc);
        const c = ty.cases[disc];
        if (c !== undefined) this.move(c, from, src + ty.payload, to, dst + ty.payload, dir);
        return;
      }
      case 'borrow': {
        if (dir === OUT) throw new Error('unixsock: a borrow cannot be returned');
        to.view.setUint32(dst, this.#handles.lookup(from.view.getUint32(src, true), ty.resource), true);
        return;
      }
      case 'own': {
        if (dir === IN) to.view.setUint32(dst, this.#handles.take(from.view.getUint32(src, true), ty.resource), true);
        else to.view.setUint32(dst, this.minted.shift()!, true);
        return;
      }
    }
  }
  decode(bytes: Uint8Array, what: string): string {
    try {
      return utf8.decode(bytes);
    } catch {
      throw new PluginTrap(`${what} is not valid UTF-8`);
    }
  }
}
