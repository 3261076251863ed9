// The one place that instantiates the engine component for Node.
//
// jco's generated glue costs several µs per call (bench/address.ts measures
// it beside this binding), over the 1 µs budget for address validation, so Node uses a thin binding written
// against the canonical ABI of the very core module inside
// dist/unixsock.wasm: lower arguments with the module's cabi_realloc, call
// the export, lift from the return area, call post-return. The component
// itself stays a stock component (test/host/component.test.ts runs it
// through `jco transpile` and compares every answer with this binding).
import { readFileSync } from 'node:fs';
import { CoreMemory } from './abi.js';
import {
  ADDRESS_ADDRESS_ERROR, ADDRESS_FUNCTIONS, ADDRESS_LENGTH_EXCESS, ADDRESS_SOCKADDR_LAYOUT as LAYOUT, LIST, NONE, SOME, TYPES_ADDRESS,
} from './generated/abi-layout.js';
import { syscallImports } from './syscalls.js';

/** WIT `types.address` case indices (test/wit/vocabulary.test.ts checks them against the WIT). */
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

// Where things are in a return area (host/generated/abi-layout.ts). Every
// `address` function that can fail returns result<T, address-error>, whose
// payload offset is the same for each T (test/wit/abi-layout.test.ts checks).
const PAYLOAD = ADDRESS_FUNCTIONS.validate.result.payload;
/** address-error's payload: a u32, a u16, a u8 or a length-excess. */
const PROBLEM = PAYLOAD + ADDRESS_ADDRESS_ERROR.payload;
const PROBLEM_A = PROBLEM + ADDRESS_LENGTH_EXCESS.length;
const PROBLEM_B = PROBLEM + ADDRESS_LENGTH_EXCESS.maximum;
/** An `ok` address's bytes, and an `ok` list's. */
const ADDRESS_PTR = PAYLOAD + TYPES_ADDRESS.payload + LIST.ptr;
const ADDRESS_LEN = PAYLOAD + TYPES_ADDRESS.payload + LIST.len;
const LIST_PTR = PAYLOAD + LIST.ptr;
const LIST_LEN = PAYLOAD + LIST.len;

type Fn = (...args: number[]) => number;

/** Read a LEB128 u32 at `pos`: [value, next position]. */
function leb(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= bytes.length || shift > 28) throw new RangeError('malformed section size');
    const b = bytes[pos++]!;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, pos];
  }
}

/**
 * The core modules of a component binary (its sections of id 1), in order,
 * as views of `component`. Throws a RangeError for a malformed or truncated
 * section; the caller words the error.
 */
export function* coreModuleSections<B extends ArrayBufferLike>(component: Uint8Array<B>): Generator<Uint8Array<B>> {
  let pos = 8;
  while (pos < component.length) {
    const id = component[pos++]!;
    let size: number;
    [size, pos] = leb(component, pos);
    if (pos + size > component.length) throw new RangeError('truncated section');
    if (id === 1) yield component.subarray(pos, pos + size);
    pos += size;
  }
}

/** Find the engine's core module inside the component binary: the one that exports its memory. */
export function coreModuleOf(component: Uint8Array<ArrayBuffer>): WebAssembly.Module {
  for (const bytes of coreModuleSections(component)) {
    const mod = new WebAssembly.Module(bytes);
    if (WebAssembly.Module.exports(mod).some((e) => e.name === 'cm32p2_memory')) return mod;
  }
  throw new Error('unixsock: dist/unixsock.wasm holds no engine core module; run `npm install`');
}

/**
 * One instance of the component (the engine core module): its memory, its raw
 * exports, and the canonical-ABI binding of its `address` exports. Not to be
 * confused with a SandboxEngine, which wraps an instance of its own.
 */
export class ComponentInstance {
  readonly #m: CoreMemory;
  readonly #fns: Record<string, Fn>;
  // Hot exports, looked up once.
  readonly #validate: Fn;
  readonly #validatePost: Fn;
  readonly #encode: Fn;
  readonly #encodePost: Fn;
  /** The raw exports, for the other interface bindings. */
  readonly exports: Record<string, unknown>;
  readonly memory: CoreMemory;

  constructor(module: WebAssembly.Module, imports: InstanceImports = defaultImports) {
    let memory: CoreMemory | undefined;
    const instance = new WebAssembly.Instance(module, imports(() => memory!, () => this));
    const exports = instance.exports as Record<string, unknown>;
    this.exports = exports;
    memory = new CoreMemory(exports['cm32p2_memory'] as WebAssembly.Memory, exports['cm32p2_realloc'] as Fn);
    this.#m = memory;
    this.memory = memory;
    this.#fns = {};
    for (const [name, value] of Object.entries(exports)) {
      if (name.startsWith(ADDRESS)) this.#fns[name.slice(ADDRESS.length)] = value as Fn;
    }
    this.#validate = this.#export('validate');
    this.#validatePost = this.#export('validate_post');
    this.#encode = this.#export('encode');
    this.#encodePost = this.#export('encode_post');
  }

  #export(name: string): Fn {
    const fn = this.#fns[name];
    if (fn === undefined) throw new Error(`unixsock: the engine does not export address.${name}`);
    return fn;
  }

  /** Current size of linear memory in bytes (for leak tests). */
  get memorySize(): number {
    return this.#m.size;
  }

  // Lifting.
  #failure(ret: number): WitFailure {
    const v = this.#m.view;
    return {
      tag: v.getUint8(ret + PAYLOAD),
      a: v.getUint32(ret + PROBLEM_A, true),
      b: v.getUint32(ret + PROBLEM_B, true),
    };
  }

  #liftAddressResult(ret: number, input?: WitAddress, inputPtr?: number): Outcome<WitAddress> {
    this.#m.fresh();
    const v = this.#m.view;
    if (v.getUint8(ret) !== 0) return { ok: false, failure: this.#failure(ret) };
    const kind = v.getUint8(ret + PAYLOAD);
    const ptr = v.getUint32(ret + ADDRESS_PTR, true);
    const len = v.getUint32(ret + ADDRESS_LEN, true);
    // validate answers with the input itself unless it changed the case.
    if (input !== undefined && ptr === inputPtr && kind === input.kind) return { ok: true, value: input };
    return { ok: true, value: liftAddress(this.#m, kind, ptr, len) };
  }

  #liftBytesResult(ret: number): Outcome<Buffer> {
    this.#m.fresh();
    const v = this.#m.view;
    if (v.getUint8(ret) !== 0) return { ok: false, failure: this.#failure(ret) };
    return { ok: true, value: this.#m.copy(v.getUint32(ret + LIST_PTR, true), v.getUint32(ret + LIST_LEN, true)) };
  }

  #call9(fn: Fn, a: WitAddress, o: WitOptions): number {
    const m = this.#m;
    lowerAddress(this.#m, a);
    const ptr = m.ptr;
    const len = m.len;
    let wdPtr = 0;
    let wdLen = 0;
    const hasWd = o.workingDirectory !== undefined;
    if (hasWd) {
      m.lowerString(o.workingDirectory as string);
      wdPtr = m.ptr;
      wdLen = m.len;
    }
    m.ptr = ptr;
    return fn(a.kind, ptr, len, o.platform, o.portable ? 1 : 0, o.relative, hasWd ? SOME : NONE, wdPtr, wdLen);
  }

  /** address.layout-for */
  layoutFor(platform: number): SockaddrLayout {
    const ret = this.#fns['layout-for']!(platform);
    this.#m.fresh();
    const b = this.#m.bytes;
    return {
      platform: b[ret + LAYOUT.platform]!,
      hasLengthByte: b[ret + LAYOUT.hasLengthByte] !== 0,
      pathOffset: b[ret + LAYOUT.pathOffset]!,
      pathCapacity: b[ret + LAYOUT.pathCapacity]!,
      maxPathBytes: b[ret + LAYOUT.maxPathBytes]!,
      abstractNamespace: b[ret + LAYOUT.abstractNamespace] !== 0,
      autobind: b[ret + LAYOUT.autobind] !== 0,
    };
  }

  /** address.validate */
  validate(a: WitAddress, o: WitOptions): Outcome<WitAddress> {
    const ret = this.#call9(this.#validate, a, o);
    const out = this.#liftAddressResult(ret, a, this.#m.ptr);
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
    this.#m.lowerBytes(sockaddr);
    const ret = this.#fns['decode']!(this.#m.ptr, this.#m.len, platform);
    const out = this.#liftAddressResult(ret);
    this.#fns['decode_post']!(ret);
    return out;
  }

  /** address.parse */
  parse(text: string): Outcome<WitAddress> {
    this.#m.lowerString(text);
    const ret = this.#fns['parse']!(this.#m.ptr, this.#m.len);
    const out = this.#liftAddressResult(ret);
    this.#fns['parse_post']!(ret);
    return out;
  }

  /** address.to-text */
  toText(a: WitAddress): string {
    lowerAddress(this.#m, a);
    const ret = this.#fns['to-text']!(a.kind, this.#m.ptr, this.#m.len);
    this.#m.fresh();
    const text = this.#m.utf8(this.#m.view.getUint32(ret + LIST.ptr, true), this.#m.view.getUint32(ret + LIST.len, true));
    this.#fns['to-text_post']!(ret);
    return text;
  }

  /** address.normalize */
  normalize(path: string, workingDirectory: string | undefined): Outcome<string> {
    const m = this.#m;
    m.lowerString(path);
    const ptr = m.ptr;
    const len = m.len;
    let wdPtr = 0;
    let wdLen = 0;
    if (workingDirectory !== undefined) {
      m.lowerString(workingDirectory);
      wdPtr = m.ptr;
      wdLen = m.len;
    }
    const ret = this.#fns['normalize']!(ptr, len, workingDirectory !== undefined ? SOME : NONE, wdPtr, wdLen);
    m.fresh();
    let out: Outcome<string>;
    if (m.view.getUint8(ret) !== 0) out = { ok: false, failure: this.#failure(ret) };
    else out = { ok: true, value: m.utf8(m.view.getUint32(ret + LIST_PTR, true), m.view.getUint32(ret + LIST_LEN, true)) };
    this.#fns['normalize_post']!(ret);
    return out;
  }

  /** address.is-unix-socket-path; `kind`: 0 path, 1 path-bytes, 2 bytes. */
  isUnixSocketPath(kind: number, value: string | Uint8Array, platform: number, workingDirectory: string): boolean {
    const m = this.#m;
    if (typeof value === 'string') m.lowerString(value);
    else m.lowerBytes(value);
    const ptr = m.ptr;
    const len = m.len;
    m.lowerString(workingDirectory);
    return this.#fns['is-unix-socket-path']!(kind, ptr, len, platform, m.ptr, m.len) !== 0;
  }
}

/** Builds an instance's imports; `memory()` and `instance()` are usable once instantiation returns. */
export type InstanceImports = (
  memory: () => CoreMemory,
  instance: () => ComponentInstance,
) => Record<string, Record<string, unknown>>;

/** The Node host's imports: native syscalls, and resource handles equal to reps. */
export const defaultImports: InstanceImports = (memory, instance) => ({
  'cm32p2|unixsock:ipc/syscalls@0.1': syscallImports(memory),
  'cm32p2|_ex_unixsock:ipc/sockets@0.1': {
    // Within this one binding a handle can simply be the rep: the exports
    // take reps, and the binding tracks ownership itself.
    listener_new: (rep: number) => rep,
    connection_new: (rep: number) => rep,
    datagram_new: (rep: number) => rep,
    attachment_new: (rep: number) => rep,
    attachment_rep: (handle: number) => handle,
    attachment_drop: (handle: number) => (instance().exports['cm32p2|unixsock:ipc/sockets@0.1|attachment_dtor'] as Fn)(handle),
  },
});

/** Lower a WIT address into memory: its (ptr, len) are then `m.ptr`, `m.len`. */
export function lowerAddress(m: CoreMemory, a: WitAddress): void {
  if (a.kind === KIND.path) m.lowerString(a.value as string);
  else if (a.kind === KIND.unnamed) [m.ptr, m.len] = [0, 0];
  else m.lowerBytes(a.value as Uint8Array);
}

/** Lift the WIT address stored at `at`. */
export function liftAddressAt(m: CoreMemory, at: number): WitAddress {
  const v = m.view;
  return liftAddress(m, v.getUint8(at), v.getUint32(at + TYPES_ADDRESS.payload + LIST.ptr, true), v.getUint32(at + TYPES_ADDRESS.payload + LIST.len, true));
}

/** Lift a WIT address from its case and payload. */
export function liftAddress(m: CoreMemory, kind: number, ptr: number, len: number): WitAddress {
  if (kind === KIND.path) return { kind: KIND.path, value: m.utf8(ptr, len) };
  if (kind === KIND.unnamed) return { kind: KIND.unnamed, value: undefined };
  return { kind: kind as Kind, value: m.copy(ptr, len) };
}

let shared: ComponentInstance | undefined;

/** Path of the engine component. */
export const COMPONENT_URL = new URL('../../unixsock.wasm', import.meta.url);

let compiled: WebAssembly.Module | undefined;

/** The engine's core module, read and compiled once per process (every instance shares it). */
export function componentModule(): WebAssembly.Module {
  compiled ??= coreModuleOf(readFileSync(COMPONENT_URL));
  return compiled;
}

/** The process-wide instance, instantiated on first use (every socket outside a sandbox goes through it). */
export function sharedInstance(): ComponentInstance {
  shared ??= new ComponentInstance(componentModule());
  return shared;
}
