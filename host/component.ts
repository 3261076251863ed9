// The one place that instantiates the engine component for Node.
//
// jco's generated glue costs 3-10 µs per call (toolchain notes), over the
// 1 µs budget for address validation, so Node uses a thin binding written
// against the canonical ABI of the very core module inside
// dist/unixsock.wasm: lower arguments with the module's cabi_realloc, call
// the export, lift from the return area, call post-return. The component
// itself stays a stock component (test/host/component.test.ts runs it
// through `jco transpile` and compares every answer with this binding).
import { readFileSync } from 'node:fs';

/** WIT `types.address` case indices. */
export const KIND = { path: 0, pathBytes: 1, abstract: 2, unnamed: 3 } as const;
export type Kind = (typeof KIND)[keyof typeof KIND];

/** An address as it crosses the boundary: case index and payload. */
export interface WitAddress {
  kind: Kind;
  /** string for `path`, bytes for `path-bytes` and `abstract`, undefined for `unnamed`. */
  value: string | Uint8Array | undefined;
}

/** WIT `address.options`, enums as case indices. */
export interface WitOptions {
  platform: number;
  portable: boolean;
  /** `relative-paths` case index: 0 allow, 1 absolute-must-fit, 2 reject. */
  relative: number;
  workingDirectory: string | undefined;
}

/** WIT `address.address-error`: case index and its payload words. */
export interface WitFailure {
  tag: number;
  /** offset, length, family or length byte. */
  a: number;
  /** the maximum of a `length-excess`. */
  b: number;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; failure: WitFailure };

/** WIT `address.sockaddr-layout`. */
export interface SockaddrLayout {
  platform: number;
  hasLengthByte: boolean;
  pathOffset: number;
  pathCapacity: number;
  maxPathBytes: number;
  abstractNamespace: boolean;
  autobind: boolean;
}

const ADDRESS = 'cm32p2|unixsock:ipc/address@0.1|';

type Fn = (...args: number[]) => number;

/** Find the core module inside a component binary (section id 1). */
export function coreModuleOf(component: Uint8Array<ArrayBuffer>): WebAssembly.Module {
  let pos = 8;
  while (pos < component.length) {
    const id = component[pos++]!;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = component[pos++]!;
      size += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
    }
    if (id === 1) {
      const mod = new WebAssembly.Module(component.subarray(pos, pos + size) as Uint8Array<ArrayBuffer>);
      if (WebAssembly.Module.exports(mod).some((e) => e.name === 'cm32p2_memory')) return mod;
    }
    pos += size;
  }
  throw new Error('unixsock: dist/unixsock.wasm holds no engine core module; run `npm install`');
}

/** The canonical-ABI binding of one engine instance. */
export class Engine {
  readonly #memory: WebAssembly.Memory;
  #bytes: Buffer;
  #view: DataView;
  readonly #realloc: Fn;
  readonly #fns: Record<string, Fn>;
  // Hot exports, looked up once.
  readonly #validate: Fn;
  readonly #validatePost: Fn;
  readonly #encode: Fn;
  readonly #encodePost: Fn;

  constructor(module: WebAssembly.Module) {
    const instance = new WebAssembly.Instance(module, {});
    const exports = instance.exports as Record<string, unknown>;
    this.#memory = exports['cm32p2_memory'] as WebAssembly.Memory;
    this.#realloc = exports['cm32p2_realloc'] as Fn;
    this.#fns = {};
    for (const [name, value] of Object.entries(exports)) {
      if (name.startsWith(ADDRESS)) this.#fns[name.slice(ADDRESS.length)] = value as Fn;
    }
    this.#validate = this.#export('validate');
    this.#validatePost = this.#export('validate_post');
    this.#encode = this.#export('encode');
    this.#encodePost = this.#export('encode_post');
    this.#bytes = Buffer.from(this.#memory.buffer);
    this.#view = new DataView(this.#memory.buffer);
  }

  #export(name: string): Fn {
    const fn = this.#fns[name];
    if (fn === undefined) throw new Error(`unixsock: the engine does not export address.${name}`);
    return fn;
  }

  /** Current size of linear memory in bytes (for leak tests). */
  get memorySize(): number {
    return this.#memory.buffer.byteLength;
  }

  #fresh(): void {
    if (this.#bytes.buffer !== this.#memory.buffer) {
      this.#bytes = Buffer.from(this.#memory.buffer);
      this.#view = new DataView(this.#memory.buffer);
    }
  }

  // Lowering: the callee owns what we allocate; it frees at post-return.
  // A string needs at most 3 UTF-8 bytes per UTF-16 unit; empty values
  // pass (1, 0) without allocating, as jco does.
  #ptr = 0;
  #len = 0;

  #lowerString(s: string): void {
    if (s.length === 0) {
      this.#ptr = 1;
      this.#len = 0;
      return;
    }
    const ptr = this.#realloc(0, 0, 1, s.length * 3);
    this.#fresh();
    this.#ptr = ptr;
    // Short ASCII strings (most paths) are copied inline: cheaper than the
    // native call behind Buffer#write.
    if (s.length <= 128) {
      const b = this.#bytes;
      let i = 0;
      for (; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[ptr + i] = c;
      }
      if (i === s.length) {
        this.#len = i;
        return;
      }
    }
    this.#len = this.#bytes.write(s, ptr, s.length * 3, 'utf8');
  }

  #lowerBytes(b: Uint8Array): void {
    if (b.length === 0) {
      this.#ptr = 1;
      this.#len = 0;
      return;
    }
    const ptr = this.#realloc(0, 0, 1, b.length);
    this.#fresh();
    this.#bytes.set(b, ptr);
    this.#ptr = ptr;
    this.#len = b.length;
  }

  #lowerAddress(a: WitAddress): void {
    if (a.kind === KIND.path) this.#lowerString(a.value as string);
    else if (a.kind === KIND.unnamed) { this.#ptr = 0; this.#len = 0; }
    else this.#lowerBytes(a.value as Uint8Array);
  }

  // Lifting.
  #failure(ret: number): WitFailure {
    const v = this.#view;
    return { tag: v.getUint8(ret + 4), a: v.getUint32(ret + 8, true), b: v.getUint32(ret + 12, true) };
  }

  /** A copy of linear memory [ptr, ptr + len). */
  #copy(ptr: number, len: number): Buffer {
    const out = Buffer.allocUnsafe(len);
    this.#bytes.copy(out, 0, ptr, ptr + len);
    return out;
  }

  #liftAddress(kind: number, ptr: number, len: number): WitAddress {
    if (kind === KIND.path) return { kind: KIND.path, value: this.#bytes.toString('utf8', ptr, ptr + len) };
    if (kind === KIND.unnamed) return { kind: KIND.unnamed, value: undefined };
    return { kind: kind as Kind, value: this.#copy(ptr, len) };
  }

  #liftAddressResult(ret: number, input?: WitAddress, inputPtr?: number): Outcome<WitAddress> {
    this.#fresh();
    const v = this.#view;
    if (v.getUint8(ret) !== 0) return { ok: false, failure: this.#failure(ret) };
    const kind = v.getUint8(ret + 4);
    const ptr = v.getUint32(ret + 8, true);
    const len = v.getUint32(ret + 12, true);
    // validate answers with the input itself unless it changed the case.
    if (input !== undefined && ptr === inputPtr && kind === input.kind) return { ok: true, value: input };
    return { ok: true, value: this.#liftAddress(kind, ptr, len) };
  }

  #liftBytesResult(ret: number): Outcome<Buffer> {
    this.#fresh();
    const v = this.#view;
    if (v.getUint8(ret) !== 0) return { ok: false, failure: this.#failure(ret) };
    const ptr = v.getUint32(ret + 4, true);
    const len = v.getUint32(ret + 8, true);
    return { ok: true, value: this.#copy(ptr, len) };
  }

  #call9(fn: Fn, a: WitAddress, o: WitOptions): number {
    this.#lowerAddress(a);
    const ptr = this.#ptr;
    const len = this.#len;
    let wdPtr = 0;
    let wdLen = 0;
    const hasWd = o.workingDirectory !== undefined;
    if (hasWd) {
      this.#lowerString(o.workingDirectory as string);
      wdPtr = this.#ptr;
      wdLen = this.#len;
    }
    this.#ptr = ptr;
    return fn(a.kind, ptr, len, o.platform, o.portable ? 1 : 0, o.relative, hasWd ? 1 : 0, wdPtr, wdLen);
  }

  /** address.layout-for */
  layoutFor(platform: number): SockaddrLayout {
    const ret = this.#fns['layout-for']!(platform);
    this.#fresh();
    const b = this.#bytes;
    return {
      platform: b[ret]!,
      hasLengthByte: b[ret + 1] !== 0,
      pathOffset: b[ret + 2]!,
      pathCapacity: b[ret + 3]!,
      maxPathBytes: b[ret + 4]!,
      abstractNamespace: b[ret + 5] !== 0,
      autobind: b[ret + 6] !== 0,
    };
  }

  /** address.validate */
  validate(a: WitAddress, o: WitOptions): Outcome<WitAddress> {
    const ret = this.#call9(this.#validate, a, o);
    const out = this.#liftAddressResult(ret, a, this.#ptr);
    this.#validatePost(ret);
    return out;
  }

  /** address.encode */
  encode(a: WitAddress, o: WitOptions): Outcome<Buffer> {
    const ret = this.#call9(this.#encode, a, o);
    const out = this.#liftBytesResult(ret);
    this.#encodePost(ret);
    return out;
  }

  /** address.decode */
  decode(sockaddr: Uint8Array, platform: number): Outcome<WitAddress> {
    this.#lowerBytes(sockaddr);
    const ret = this.#fns['decode']!(this.#ptr, this.#len, platform);
    const out = this.#liftAddressResult(ret);
    this.#fns['decode_post']!(ret);
    return out;
  }

  /** address.parse */
  parse(text: string): Outcome<WitAddress> {
    this.#lowerString(text);
    const ret = this.#fns['parse']!(this.#ptr, this.#len);
    const out = this.#liftAddressResult(ret);
    this.#fns['parse_post']!(ret);
    return out;
  }

  /** address.to-text */
  toText(a: WitAddress): string {
    this.#lowerAddress(a);
    const ret = this.#fns['to-text']!(a.kind, this.#ptr, this.#len);
    this.#fresh();
    const ptr = this.#view.getUint32(ret, true);
    const len = this.#view.getUint32(ret + 4, true);
    const text = this.#bytes.toString('utf8', ptr, ptr + len);
    this.#fns['to-text_post']!(ret);
    return text;
  }

  /** address.normalize */
  normalize(path: string, workingDirectory: string | undefined): Outcome<string> {
    this.#lowerString(path);
    const ptr = this.#ptr;
    const len = this.#len;
    let wdPtr = 0;
    let wdLen = 0;
    if (workingDirectory !== undefined) {
      this.#lowerString(workingDirectory);
      wdPtr = this.#ptr;
      wdLen = this.#len;
    }
    const ret = this.#fns['normalize']!(ptr, len, workingDirectory !== undefined ? 1 : 0, wdPtr, wdLen);
    this.#fresh();
    let out: Outcome<string>;
    if (this.#view.getUint8(ret) !== 0) out = { ok: false, failure: this.#failure(ret) };
    else {
      const p = this.#view.getUint32(ret + 4, true);
      out = { ok: true, value: this.#bytes.toString('utf8', p, p + this.#view.getUint32(ret + 8, true)) };
    }
    this.#fns['normalize_post']!(ret);
    return out;
  }

  /** address.is-unix-socket-path; `kind`: 0 path, 1 path-bytes, 2 bytes. */
  isUnixSocketPath(kind: number, value: string | Uint8Array, platform: number, workingDirectory: string): boolean {
    if (typeof value === 'string') this.#lowerString(value);
    else this.#lowerBytes(value);
    const ptr = this.#ptr;
    const len = this.#len;
    this.#lowerString(workingDirectory);
    return this.#fns['is-unix-socket-path']!(kind, ptr, len, platform, this.#ptr, this.#len) !== 0;
  }
}

let shared: Engine | undefined;

/** Path of the engine component. */
export const COMPONENT_URL = new URL('../unixsock.wasm', import.meta.url);

/** The process-wide engine, instantiated on first use. */
export function engine(): Engine {
  shared ??= new Engine(coreModuleOf(readFileSync(COMPONENT_URL)));
  return shared;
}
