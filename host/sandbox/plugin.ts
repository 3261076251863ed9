// The plugin linker: runs a guest component of world `unixsock:ipc/plugin`
// (see guest/c/unixsock.h) against a fresh engine instance of its own
// (host/sandbox.ts), whose locked sandbox policy decides what the guest may
// do: nothing at all unless the embedder's policy allows it.
//
// No component runtime is involved. The guest's core module is instantiated
// with one import per `sockets`/`address` function; each forwards to the
// engine core module's identical export, doing what a component runtime's
// lift/lower would: copy strings and lists from guest memory into engine
// memory (engine realloc), translate handles through the guest's handle
// table (guest handle -> engine rep; handles of the engine are its reps),
// call the engine, copy the result into the guest's return area (lists
// allocated with the guest's realloc, returned `own` handles entered in the
// table), then call the engine's post-return. `[resource-drop]` runs the
// engine's destructor.
//
// The guest is untrusted. A handle it does not hold (forged, already
// dropped, of another resource type), a pointer or length outside its
// memory, a misaligned pointer, ill-formed UTF-8, an out-of-range case, or
// an import called from its realloc or post-return traps it: a
// `PluginTrap` (a WebAssembly.RuntimeError) unwinds out of `run`, the
// engine is never entered with the bad value, and the plugin is poisoned:
// the sockets it held are closed at once and every later call throws
// `ERR_UNIXSOCK_PLUGIN_POISONED`.
//
// `run` is synchronous: a guest that waits (`wait`, with its timeout)
// blocks this thread, so its peers must live in other processes or threads.
import type { Engine } from '../component/component.js';
import { invalidArgType, invalidArgValue, optionsArgument } from '../errors.js';
import { LIST } from '../component/generated/abi-layout.js';
import { ADDRESS, type Resource, RESOURCES, RUN, type Signature, SOCKETS, type Ty } from './plugin-abi.js';
import type { PolicySpec, Refusals } from './policy.js';
import { createEngine, type SandboxEngine } from './sandbox.js';

// WebAssembly.RuntimeError, taken at run time: declaring it globally would
// clash with lib.dom in consumers' type checks.
const RuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: new (message?: string) => Error } })
  .WebAssembly.RuntimeError;

/** The guest broke the canonical ABI's rules; thrown out of `run` as a wasm trap is. */
export class PluginTrap extends RuntimeError {
  readonly code = 'ERR_UNIXSOCK_PLUGIN_TRAP';

  constructor(message: string) {
    super(`unixsock plugin trapped: ${message}`);
    this.name = 'PluginTrap';
  }
}

/** Codes of {@link PluginError}. */
export type PluginErrorCode =
  /** The binary is not a plugin component (no core module, missing exports). */
  | 'ERR_UNIXSOCK_PLUGIN_INVALID'
  /** The guest imports something other than the plugin world's functions. */
  | 'ERR_UNIXSOCK_PLUGIN_IMPORTS'
  /** `run` returned `err`; the text is `result`. */
  | 'ERR_UNIXSOCK_PLUGIN_FAILED'
  /** The plugin trapped before; it cannot run again (the trap is `cause`). */
  | 'ERR_UNIXSOCK_PLUGIN_POISONED'
  /** `close()` was called. */
  | 'ERR_UNIXSOCK_PLUGIN_CLOSED'
  /** `run` was called while the plugin was running. */
  | 'ERR_UNIXSOCK_PLUGIN_BUSY';

/** A plugin could not be loaded or run. */
export class PluginError extends Error {
  readonly code: PluginErrorCode;
  /** For `ERR_UNIXSOCK_PLUGIN_FAILED`: the `err` text the guest returned. */
  readonly result: string | undefined;

  constructor(code: PluginErrorCode, message: string, options?: { cause?: unknown; result?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PluginError';
    this.code = code;
    this.result = options?.result;
  }
}

export interface PluginOptions {
  /**
   * The policy the plugin's engine enforces (host/policy.ts), locked before
   * the guest starts. Without one the guest may do nothing: every socket
   * operation is `policy-denied`.
   */
  policy?: PolicySpec;
}

/** Everything a plugin exported to the host. */
export interface Plugin {
  /** Call the guest's `run`: its `ok` text, or a PluginError (`ERR_UNIXSOCK_PLUGIN_FAILED`) for `err`. */
  run(args: string[]): string;
  /** Handles the guest holds now (listeners, connections, datagram sockets, attachments). */
  readonly handleCount: number;
  /** The plugin trapped and can no longer run. */
  readonly poisoned: boolean;
  /** What its policy refused so far. */
  refusals(): Refusals;
  /** Drop every handle the guest still holds (the engine closes those sockets) and release both instances. */
  close(): void;
  [Symbol.dispose](): void;
}

const SOCKETS_MODULES = ['cm32p2|unixsock:ipc/sockets@0.1', 'unixsock:ipc/sockets@0.1.0'];
const ADDRESS_MODULES = ['cm32p2|unixsock:ipc/address@0.1', 'unixsock:ipc/address@0.1.0'];
const ENGINE_SOCKETS = 'cm32p2|unixsock:ipc/sockets@0.1|';
const ENGINE_ADDRESS = 'cm32p2|unixsock:ipc/address@0.1|';

type Fn = (...args: number[]) => number;
type Realloc = (old: number, oldSize: number, align: number, size: number) => number;

/** Everything denied: what a plugin gets without a policy. */
const DENY_ALL: PolicySpec = {};

/** Read a LEB128 u32 at `pos`: [value, next position]. */
function leb(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= bytes.length || shift > 28) throw new PluginError('ERR_UNIXSOCK_PLUGIN_INVALID', 'unixsock: not a component: malformed section size');
    const b = bytes[pos++]!;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, pos];
  }
}

/**
 * The guest's main core module: among the component's core modules (section
 * id 1), the one that exports a memory (wit-component adds shim modules that
 * have none).
 */
export function guestCoreModule(component: Uint8Array): WebAssembly.Module {
  const isComponent = component.length >= 8 && component[0] === 0 && component[1] === 0x61 && component[2] === 0x73 &&
    component[3] === 0x6d && component[6] === 1 && component[7] === 0;
  if (!isComponent) throw new PluginError('ERR_UNIXSOCK_PLUGIN_INVALID', 'unixsock: the plugin is not a WebAssembly component');
  let pos = 8;
  while (pos < component.length) {
    const id = component[pos++]!;
    let length: number;
    [length, pos] = leb(component, pos);
    if (pos + length > component.length) throw new PluginError('ERR_UNIXSOCK_PLUGIN_INVALID', 'unixsock: not a component: truncated section');
    if (id === 1) {
      let mod: WebAssembly.Module;
      try {
        mod = new WebAssembly.Module(component.slice(pos, pos + length));
      } catch (err) {
        throw new PluginError('ERR_UNIXSOCK_PLUGIN_INVALID', 'unixsock: the plugin holds an invalid core module', { cause: err });
      }
      if (WebAssembly.Module.exports(mod).some((e) => e.kind === 'memory')) return mod;
    }
    pos += length;
  }
  throw new PluginError('ERR_UNIXSOCK_PLUGIN_INVALID', 'unixsock: the plugin holds no core module with a memory');
}

/** What the linker does for one guest import. */
type ImportPlan = { kind: 'call'; iface: string; name: string; sig: Signature } | { kind: 'drop'; resource: Resource };

/** Which plugin-world function a core import is, or undefined. */
function planImport(module: string, name: string, kind: string): ImportPlan | undefined {
  if (kind !== 'function') return undefined;
  const table = SOCKETS_MODULES.includes(module) ? SOCKETS : ADDRESS_MODULES.includes(module) ? ADDRESS : undefined;
  if (table === undefined) return undefined;
  if (table === SOCKETS) {
    const drop = /^(?:\[resource-drop\](\w+)|(\w+)_drop)$/.exec(name);
    const resource = (drop?.[1] ?? drop?.[2]) as Resource | undefined;
    if (resource !== undefined && (RESOURCES as readonly string[]).includes(resource)) return { kind: 'drop', resource };
  }
  const sig = Object.hasOwn(table, name) ? table[name] : undefined;
  if (sig === undefined) return undefined;
  return { kind: 'call', iface: table === SOCKETS ? ENGINE_SOCKETS : ENGINE_ADDRESS, name, sig };
}

/** Views of one instance's linear memory (the engine's CoreMemory has the same shape). */
interface Views {
  bytes: Buffer;
  view: DataView;
  /** Refresh the views after the memory grew. */
  fresh(): void;
}

/** The guest's linear memory, seen from the linker. */
class Side implements Views {
  readonly #memory: WebAssembly.Memory;
  bytes: Buffer;
  view: DataView;

  constructor(memory: WebAssembly.Memory) {
    this.#memory = memory;
    this.bytes = Buffer.from(memory.buffer);
    this.view = new DataView(memory.buffer);
  }

  fresh(): void {
    if (this.bytes.buffer !== this.#memory.buffer) {
      this.bytes = Buffer.from(this.#memory.buffer);
      this.view = new DataView(this.#memory.buffer);
    }
  }

  /** Trap unless [ptr, ptr + length) lies inside memory and ptr is aligned. */
  check(ptr: number, length: number, align: number, what: string): void {
    this.fresh();
    if (ptr % align !== 0) throw new PluginTrap(`${what}: pointer ${ptr} is not ${align}-byte aligned`);
    if (ptr + length > this.bytes.length) {
      throw new PluginTrap(`${what}: [${ptr}, ${ptr + length}) lies outside the guest's ${this.bytes.length}-byte memory`);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** No strings, lists or handles inside: a byte copy carries it. */
function plain(ty: Ty, trusted: boolean): boolean {
  switch (ty.t) {
    case 'u8': case 'u16': case 'u32': return true;
    // From the guest these need checks (case in range, bool 0/1).
    case 'bool': case 'enum': case 'flags': return trusted;
    case 'record': return ty.fields.every((f) => plain(f, trusted));
    case 'variant': return trusted && ty.cases.every((c) => c === undefined || plain(c, trusted));
    default: return false;
  }
}

function holdsOwn(ty: Ty): boolean {
  switch (ty.t) {
    case 'own': return true;
    case 'list': return holdsOwn(ty.of);
    case 'record': return ty.fields.some(holdsOwn);
    case 'variant': return ty.cases.some((c) => c !== undefined && holdsOwn(c));
    default: return false;
  }
}

function readDiscriminant(side: Views, at: number, bytes: number): number {
  return bytes === 1 ? side.view.getUint8(at) : bytes === 2 ? side.view.getUint16(at, true) : side.view.getUint32(at, true);
}

function writeDiscriminant(side: Views, at: number, bytes: number, value: number): void {
  if (bytes === 1) side.view.setUint8(at, value);
  else if (bytes === 2) side.view.setUint16(at, value, true);
  else side.view.setUint32(at, value, true);
}

/** Where a value moves: from the guest into the engine, or back. */
const IN = 0;
const OUT = 1;
type Direction = typeof IN | typeof OUT;

class Linker implements Plugin {
  readonly #sandbox: SandboxEngine;
  readonly #engine: Engine;
  readonly #engineSide: Views;
  readonly #engineRealloc: Realloc;
  readonly #engineExports: Record<string, unknown>;
  #guest!: Side;
  #guestRealloc!: Realloc;
  #run!: Fn;
  #runPost: Fn | undefined;
  /** Guest handle -> what it holds. Handles are never reused, so a stale one always traps. */
  readonly #handles = new Map<number, { resource: Resource; rep: number }>();
  #nextHandle = 1;
  /** Handles minted for a result, in the order its walk meets them. */
  #minted: number[] = [];
  /** False while the guest runs its realloc or post-return (no imports allowed then). */
  #mayLeave = true;
  #running = false;
  #closed = false;
  #poison: unknown = undefined;
  #poisoned = false;

  constructor(wasm: Uint8Array, options: PluginOptions) {
    const core = guestCoreModule(wasm);
    const imports: Record<string, Record<string, unknown>> = {};
    const refused: string[] = [];
    const plans: [string, string, ImportPlan][] = [];
    for (const imp of WebAssembly.Module.imports(core)) {
      const plan = planImport(imp.module, imp.name, imp.kind);
      if (plan === undefined) refused.push(`${imp.module} ${imp.name} (${imp.kind})`);
      else plans.push([imp.module, imp.name, plan]);
    }
    if (refused.length > 0) {
      throw new PluginError('ERR_UNIXSOCK_PLUGIN_IMPORTS',
        `unixsock: the plugin imports what a plugin may not: ${refused.join(', ')}; allowed: functions of ${[...SOCKETS_MODULES, ...ADDRESS_MODULES].join(', ')}`);
    }
    const exported = new Map(WebAssembly.Module.exports(core).map((e) => [e.name, e.kind]));
    const pick = (kind: string, ...names: string[]): string | undefined => names.find((n) => exported.get(n) === kind);
    const memoryName = pick('memory', 'cm32p2_memory', 'memory');
    const reallocName = pick('function', 'cm32p2_realloc', 'cabi_realloc');
    const runName = pick('function', 'cm32p2||run', 'run');
    if (memoryName === undefined || reallocName === undefined || runName === undefined) {
      throw new PluginError('ERR_UNIXSOCK_PLUGIN_INVALID', 'unixsock: the plugin must export its memory, cm32p2_realloc and run');
    }

    // A fresh engine instance for this guest alone: its own policy, socket limit and counters.
    this.#sandbox = createEngine({ policy: options.policy ?? DENY_ALL });
    this.#engine = this.#sandbox.core;
    this.#engineExports = this.#engine.exports;
    // The engine's own views: its syscall imports read them, so they must see every growth.
    this.#engineSide = this.#engine.memory;
    this.#engineRealloc = this.#engineExports['cm32p2_realloc'] as Realloc;
    for (const [module, name, plan] of plans) {
      imports[module] ??= {};
      imports[module]![name] = plan.kind === 'drop' ? this.#dropImport(plan.resource) : this.#callImport(plan.iface, plan.name, plan.sig);
    }

    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(core, imports);
    } catch (err) {
      throw new PluginError('ERR_UNIXSOCK_PLUGIN_INVALID', `unixsock: the plugin cannot be instantiated: ${(err as Error).message}`, { cause: err });
    }
    const x = instance.exports;
    this.#guest = new Side(x[memoryName] as WebAssembly.Memory);
    this.#guestRealloc = x[reallocName] as Realloc;
    this.#run = x[runName] as Fn;
    this.#runPost = x[pick('function', 'cm32p2||run_post', 'cabi_post_run') ?? ''] as Fn | undefined;
    const initialize = x[pick('function', 'cm32p2_initialize', '_initialize') ?? ''] as Fn | undefined;
    if (initialize !== undefined) this.#guarded(() => initialize());
  }

  get handleCount(): number {
    return this.#handles.size;
  }

  get poisoned(): boolean {
    return this.#poisoned;
  }

  refusals(): Refusals {
    return this.#sandbox.refusals();
  }

  run(args: string[]): string {
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw invalidArgType('args', 'an array of strings', args);
    // Lowering a lone surrogate to UTF-8 would silently change the text.
    const bad = args.findIndex((a) => !a.isWellFormed());
    if (bad >= 0) throw invalidArgValue(`args[${bad}]`, 'is not well-formed UTF-16 (a lone surrogate)');
    this.#usable();
    if (this.#running) throw new PluginError('ERR_UNIXSOCK_PLUGIN_BUSY', 'unixsock: the plugin is already running');
    this.#running = true;
    try {
      const [ok, text] = this.#guarded(() => this.#callRun(args));
      if (!ok) throw new PluginError('ERR_UNIXSOCK_PLUGIN_FAILED', `unixsock plugin failed: ${text}`, { result: text });
      return text;
    } finally {
      this.#running = false;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#releaseHandles();
    this.#sandbox.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #usable(): void {
    if (this.#closed) throw new PluginError('ERR_UNIXSOCK_PLUGIN_CLOSED', 'unixsock: the plugin is closed');
    if (this.#poisoned) {
      throw new PluginError('ERR_UNIXSOCK_PLUGIN_POISONED', 'unixsock: the plugin trapped earlier and cannot run again', { cause: this.#poison });
    }
  }

  /** Run guest code; any throw poisons the plugin and closes what it held. */
  #guarded<T>(body: () => T): T {
    try {
      return body();
    } catch (err) {
      this.#poisoned = true;
      this.#poison = err;
      this.#mayLeave = true;
      this.#releaseHandles();
      throw err;
    }
  }

  #releaseHandles(): void {
    const held = [...this.#handles.values()];
    this.#handles.clear();
    for (const { resource, rep } of held) {
      try {
        (this.#engineExports[`${ENGINE_SOCKETS}${resource}_dtor`] as Fn)(rep);
      } catch {
        // The engine itself trapped earlier; nothing more can be done for this socket.
      }
    }
  }

  /** Lower `args` (list<string>) into the guest, call run, lift result<string, string>, post-return. */
  #callRun(args: string[]): [boolean, string] {
    const encoded = args.map((a) => Buffer.from(a, 'utf8'));
    const list = encoded.length === 0 ? LIST.align : this.#guestAlloc(LIST.align, LIST.size * encoded.length);
    for (let i = 0; i < encoded.length; i++) {
      const b = encoded[i]!;
      const ptr = b.length === 0 ? 1 : this.#guestAlloc(1, b.length);
      this.#guest.bytes.set(b, ptr);
      this.#guest.view.setUint32(list + LIST.size * i + LIST.ptr, ptr, true);
      this.#guest.view.setUint32(list + LIST.size * i + LIST.len, b.length, true);
    }
    const ret = this.#run(list, encoded.length) >>> 0;
    const g = this.#guest;
    const result = RUN.result as Ty & { t: 'variant' };
    g.check(ret, result.size, result.align, 'run result');
    const disc = readDiscriminant(g, ret, result.discriminant);
    if (disc >= result.cases.length) throw new PluginTrap(`run returned result case ${disc}`);
    const ptr = g.view.getUint32(ret + result.payload + LIST.ptr, true);
    const len = g.view.getUint32(ret + result.payload + LIST.len, true);
    g.check(ptr, len, 1, 'run result text');
    const text = this.#decode(g.bytes.subarray(ptr, ptr + len), 'run result text');
    if (this.#runPost !== undefined) {
      this.#mayLeave = false;
      this.#runPost(ret);
      this.#mayLeave = true;
    }
    return [disc === 0, text];
  }

  #decode(bytes: Uint8Array, what: string): string {
    try {
      return utf8.decode(bytes);
    } catch {
      throw new PluginTrap(`${what} is not valid UTF-8`);
    }
  }

  /** A block in guest memory from the guest's realloc, checked. */
  #guestAlloc(align: number, length: number): number {
    this.#mayLeave = false;
    const ptr = this.#guestRealloc(0, 0, align, length) >>> 0;
    this.#mayLeave = true;
    this.#guest.check(ptr, length, align, 'cm32p2_realloc result');
    return ptr;
  }

  #engineAlloc(align: number, length: number): number {
    const ptr = this.#engineRealloc(0, 0, align, length);
    this.#engineSide.fresh();
    return ptr;
  }

  #enter(): void {
    if (!this.#mayLeave) throw new PluginTrap('the guest called an import from its realloc or post-return');
    if (this.#closed || this.#poisoned) throw new PluginTrap('the plugin is closed');
  }

  // Handles.

  #mint(resource: Resource, rep: number): number {
    const handle = this.#nextHandle++;
    if (handle > 0x7fffffff) throw new PluginTrap('the guest ran out of handles');
    this.#handles.set(handle, { resource, rep });
    return handle;
  }

  #lookup(handle: number, resource: Resource): number {
    const entry = this.#handles.get(handle);
    if (entry === undefined) throw new PluginTrap(`handle ${handle} is not one the guest holds (forged or already dropped)`);
    if (entry.resource !== resource) throw new PluginTrap(`handle ${handle} is a ${entry.resource}, not a ${resource}`);
    return entry.rep;
  }

  #take(handle: number, resource: Resource): number {
    const rep = this.#lookup(handle, resource);
    this.#handles.delete(handle);
    return rep;
  }

  #dropImport(resource: Resource): (handle: number) => void {
    const dtor = this.#engineExports[`${ENGINE_SOCKETS}${resource}_dtor`] as Fn | undefined;
    if (dtor === undefined) throw new PluginError('ERR_UNIXSOCK_PLUGIN_INVALID', `unixsock: the engine has no ${resource} destructor`);
    return (...args: unknown[]) => {
      this.#enter();
      if (args.length !== 1 || typeof args[0] !== 'number') throw new PluginTrap(`${resource}_drop: wrong core signature`);
      dtor(this.#take(args[0] >>> 0, resource));
    };
  }

  // Calls.

  #callImport(iface: string, name: string, sig: Signature): (...args: unknown[]) => number | undefined {
    const fn = this.#engineExports[iface + name] as Fn | undefined;
    if (fn === undefined) throw new PluginError('ERR_UNIXSOCK_PLUGIN_INVALID', `unixsock: the engine does not export ${name}`);
    const post = this.#engineExports[`${iface}${name}_post`] as Fn | undefined;
    // No plugin function passes its parameters in memory (build/wit-abi.mjs refuses to generate one).
    const count = sig.coreParams;
    const result = sig.result;
    const retptr = result !== undefined && sig.retArea;
    const resultSize = result === undefined ? 0 : result.size;
    const resultAlign = result === undefined ? 1 : result.align;
    const plainResult = result !== undefined && plain(result, true);
    const ownsInResult = result !== undefined && holdsOwn(result);
    return (...args: unknown[]) => {
      this.#enter();
      if (args.length !== count || !args.every((a) => typeof a === 'number')) throw new PluginTrap(`${name}: wrong core signature`);
      const flat = args as number[];
      const g = this.#guest;
      const lowered: number[] = [];
      let i = 0;
      for (const p of sig.params) i = this.#lowerFlat(p, flat, i, lowered, name);
      if (!retptr) return fn(...lowered);
      const out = flat[i]! >>> 0;
      g.check(out, resultSize, resultAlign, `${name} return area`);
      const ret = fn(...lowered) >>> 0;
      const e = this.#engineSide;
      e.fresh();
      try {
        if (ownsInResult) {
          const owns: [Resource, number][] = [];
          this.#collectOwns(result, e, ret, owns);
          this.#minted = owns.map(([resource, rep]) => this.#mint(resource, rep));
        }
        if (plainResult) {
          g.fresh();
          e.bytes.copy(g.bytes, out, ret, ret + resultSize);
        } else {
          this.#move(result, e, ret, g, out, OUT);
        }
      } finally {
        post?.(ret);
      }
      return undefined;
    };
  }

  /** Lower one parameter's flat guest values at `i` into engine values; the next index. */
  #lowerFlat(ty: Ty, flat: number[], i: number, out: number[], what: string): number {
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
        for (const f of ty.fields) i = this.#lowerFlat(f, flat, i, out, what);
        return i;
      case 'variant': {
        const disc = v >>> 0;
        if (disc >= ty.cases.length) throw new PluginTrap(`${what}: variant case ${disc} out of range`);
        out.push(disc);
        const width = ty.flat - 1;
        const c = ty.cases[disc];
        const start = out.length;
        if (c !== undefined) this.#lowerFlat(c, flat, i + 1, out, what);
        while (out.length - start < width) out.push(0);
        return i + 1 + width;
      }
      case 'borrow': out.push(this.#lookup(v >>> 0, ty.resource)); return i + 1;
      case 'own': out.push(this.#take(v >>> 0, ty.resource)); return i + 1;
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
    if (elem === undefined) this.#decode(g.bytes.subarray(ptr, ptr + total), what);
    if (len === 0) return [ealign, 0];
    const ep = this.#engineAlloc(ealign, total);
    const e = this.#engineSide;
    if (elem === undefined || plain(elem, false)) {
      g.bytes.copy(e.bytes, ep, ptr, ptr + total);
    } else {
      for (let k = 0; k < len; k++) this.#move(elem, g, ptr + k * esize, e, ep + k * esize, IN);
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
    const e = this.#engineSide;
    e.fresh();
    if (elem === undefined || plain(elem, true)) {
      e.bytes.copy(this.#guest.bytes, gp, ptr, ptr + total);
    } else {
      for (let k = 0; k < len; k++) this.#move(elem, e, ptr + k * esize, this.#guest, gp + k * esize, OUT);
    }
    return [gp, len];
  }

  /** Engine reps of every `own` in the value at `at`, in walk order. */
  #collectOwns(ty: Ty, side: Views, at: number, out: [Resource, number][]): void {
    switch (ty.t) {
      case 'own': out.push([ty.resource, side.view.getUint32(at, true)]); return;
      case 'list': {
        if (!holdsOwn(ty.of)) return;
        const ptr = side.view.getUint32(at + LIST.ptr, true);
        const len = side.view.getUint32(at + LIST.len, true);
        for (let k = 0; k < len; k++) this.#collectOwns(ty.of, side, ptr + k * ty.of.size, out);
        return;
      }
      case 'record': {
        const offsets = ty.offsets;
        ty.fields.forEach((f, k) => this.#collectOwns(f, side, at + offsets[k]!, out));
        return;
      }
      case 'variant': {
        const c = ty.cases[readDiscriminant(side, at, ty.discriminant)];
        if (c !== undefined) this.#collectOwns(c, side, at + ty.payload, out);
        return;
      }
      default:
    }
  }

  /** Store the value at `from[src]` into `to[dst]`, translating pointers and handles. */
  #move(ty: Ty, from: Views, src: number, to: Views, dst: number, dir: Direction): void {
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
        ty.fields.forEach((f, k) => this.#move(f, from, src + offsets[k]!, to, dst + offsets[k]!, dir));
        return;
      }
      case 'variant': {
        const bytes = ty.discriminant;
        const disc = readDiscriminant(from, src, bytes);
        if (disc >= ty.cases.length) throw new PluginTrap(`variant case ${disc} out of range`);
        writeDiscriminant(to, dst, bytes, disc);
        const c = ty.cases[disc];
        if (c !== undefined) this.#move(c, from, src + ty.payload, to, dst + ty.payload, dir);
        return;
      }
      case 'borrow': {
        if (dir === OUT) throw new Error('unixsock: a borrow cannot be returned');
        to.view.setUint32(dst, this.#lookup(from.view.getUint32(src, true), ty.resource), true);
        return;
      }
      case 'own': {
        if (dir === IN) to.view.setUint32(dst, this.#take(from.view.getUint32(src, true), ty.resource), true);
        else to.view.setUint32(dst, this.#minted.shift()!, true);
        return;
      }
    }
  }
}

/**
 * Load a plugin component (world `unixsock:ipc/plugin`) and link it to a
 * fresh engine instance of its own that enforces `options.policy` (locked;
 * without a policy every socket operation is `policy-denied`).
 *
 * @throws PluginError `ERR_UNIXSOCK_PLUGIN_INVALID` (not a plugin component)
 *   or `ERR_UNIXSOCK_PLUGIN_IMPORTS` (imports anything but the `sockets` and
 *   `address` functions).
 */
export function loadPlugin(wasm: Uint8Array, options?: PluginOptions): Plugin {
  if (!(wasm instanceof Uint8Array)) throw invalidArgType('wasm', 'a Uint8Array', wasm);
  return new Linker(wasm, optionsArgument(options));
}
