// The plugin linker. No component runtime is involved: the guest's core
// module is instantiated with one import per `sockets`/`address` function;
// each forwards to the engine core module's identical export, doing what a
// component runtime's lift/lower would: copy strings and lists from guest
// memory into engine memory (engine realloc), translate handles through the
// guest's handle table (guest handle -> engine rep; handles of the engine are
// its reps), call the engine, copy the result into the guest's return area
// (lists allocated with the guest's realloc, returned `own` handles entered
// in the table), then call the engine's post-return. `[resource-drop]` runs
// the engine's destructor. What the guest may get wrong, and what then
// happens, is in plugin.ts.
import type { MemoryView } from '../component/abi.js';
import type { ComponentInstance } from '../component/component.js';
import { LIST } from '../component/generated/abi-layout.js';
import { invalidArgType, invalidArgValue, optionsArgument } from '../arguments.js';
import { Carrier, OUT } from './carry.js';
import { GuestMemory, guestCoreModule, HandleTable } from './guest.js';
import { type Plugin, PluginError, type PluginOptions, PluginTrap } from './plugin.js';
import { ADDRESS_MODULES, ENGINE_SOCKETS, holdsOwn, type ImportPlan, plain, planImport, readDiscriminant, type GuestResource, RUN, type Signature, SOCKETS_MODULES, type Ty } from './plugin-abi.js';
import type { PolicySpec, Refusals } from './policy.js';
import { createEngine, type SandboxEngine } from './sandbox.js';

type Fn = (...args: number[]) => number;
type Realloc = (old: number, oldSize: number, align: number, size: number) => number;

/** Everything denied: what a plugin gets without a policy. */
const DENY_ALL: PolicySpec = {};

class Linker implements Plugin {
  readonly #sandbox: SandboxEngine;
  readonly #engine: ComponentInstance;
  readonly #engineSide: MemoryView;
  readonly #engineRealloc: Realloc;
  readonly #engineExports: Record<string, unknown>;
  #guest!: GuestMemory;
  #guestRealloc!: Realloc;
  #run!: Fn;
  #runPost: Fn | undefined;
  readonly #handles = new HandleTable();
  #carry!: Carrier;
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
    this.#guest = new GuestMemory(x[memoryName] as WebAssembly.Memory);
    this.#guestRealloc = x[reallocName] as Realloc;
    this.#run = x[runName] as Fn;
    this.#carry = new Carrier(this.#guest, this.#engineSide, this.#handles,
      (align, length) => this.#guestAlloc(align, length), (align, length) => this.#engineAlloc(align, length));
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
    for (const { resource, rep } of this.#handles.drain()) {
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
    const text = this.#carry.decode(g.bytes.subarray(ptr, ptr + len), 'run result text');
    if (this.#runPost !== undefined) {
      this.#mayLeave = false;
      this.#runPost(ret);
      this.#mayLeave = true;
    }
    return [disc === 0, text];
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

  #dropImport(resource: GuestResource): (handle: number) => void {
    const dtor = this.#engineExports[`${ENGINE_SOCKETS}${resource}_dtor`] as Fn | undefined;
    if (dtor === undefined) throw new PluginError('ERR_UNIXSOCK_PLUGIN_INVALID', `unixsock: the engine has no ${resource} destructor`);
    return (...args: unknown[]) => {
      this.#enter();
      if (args.length !== 1 || typeof args[0] !== 'number') throw new PluginTrap(`${resource}_drop: wrong core signature`);
      dtor(this.#handles.take(args[0] >>> 0, resource));
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
      for (const p of sig.params) i = this.#carry.lowerFlat(p, flat, i, lowered, name);
      if (!retptr) return fn(...lowered);
      const out = flat[i]! >>> 0;
      g.check(out, resultSize, resultAlign, `${name} return area`);
      const ret = fn(...lowered) >>> 0;
      const e = this.#engineSide;
      e.fresh();
      try {
        if (ownsInResult) {
          const owns: [GuestResource, number][] = [];
          this.#carry.collectOwns(result, e, ret, owns);
          this.#carry.minted = owns.map(([resource, rep]) => this.#handles.mint(resource, rep));
        }
        if (plainResult) {
          g.fresh();
          e.bytes.copy(g.bytes, out, ret, ret + resultSize);
        } else {
          this.#carry.move(result, e, ret, g, out, OUT);
        }
      } finally {
        post?.(ret);
      }
      return undefined;
    };
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
