// The guest side of a plugin, as the linker keeps it: its main core module
// found in the component, its linear memory (every access checked: a bad
// pointer traps the guest, never the host), and its handle table.
import { MemoryView } from '../component/abi.js';
import { coreModuleSections } from '../component/component.js';
import { PluginError, PluginTrap } from './plugin.js';
import type { GuestResource } from './plugin-abi.js';

/**
 * The guest's main core module: among the component's core modules, the one
 * that exports a memory (wit-component adds shim modules that have none).
 */
export function guestCoreModule(component: Uint8Array): WebAssembly.Module {
  const isComponent = component.length >= 8 && component[0] === 0 && component[1] === 0x61 && component[2] === 0x73 &&
    component[3] === 0x6d && component[6] === 1 && component[7] === 0;
  if (!isComponent) throw new PluginError('ERR_UNIXSOCK_PLUGIN_INVALID', 'unixsock: the plugin is not a WebAssembly component');
  try {
    for (const bytes of coreModuleSections(component)) {
      let mod: WebAssembly.Module;
      try {
        // A copy: the caller's bytes (perhaps shared memory) may change under us.
        mod = new WebAssembly.Module(bytes.slice());
      } catch (err) {
        throw new PluginError('ERR_UNIXSOCK_PLUGIN_INVALID', 'unixsock: the plugin holds an invalid core module', { cause: err });
      }
      if (WebAssembly.Module.exports(mod).some((e) => e.kind === 'memory')) return mod;
    }
  } catch (err) {
    if (err instanceof RangeError) throw new PluginError('ERR_UNIXSOCK_PLUGIN_INVALID', `unixsock: not a component: ${err.message}`);
    throw err;
  }
  throw new PluginError('ERR_UNIXSOCK_PLUGIN_INVALID', 'unixsock: the plugin holds no core module with a memory');
}

/** The guest's linear memory, seen from the linker. */
export class GuestMemory extends MemoryView {
  /** Trap unless [ptr, ptr + length) lies inside memory and ptr is aligned. */
  check(ptr: number, length: number, align: number, what: string): void {
    this.fresh();
    if (ptr % align !== 0) throw new PluginTrap(`${what}: pointer ${ptr} is not ${align}-byte aligned`);
    if (ptr + length > this.bytes.length) {
      throw new PluginTrap(`${what}: [${ptr}, ${ptr + length}) lies outside the guest's ${this.bytes.length}-byte memory`);
    }
  }
}

/**
 * Guest handle -> the engine rep it stands for. Handles are never reused,
 * so a stale one always traps.
 */
export class HandleTable {
  readonly #entries = new Map<number, { resource: GuestResource; rep: number }>();
  #next = 1;

  get size(): number {
    return this.#entries.size;
  }

  /** A new handle for `rep`. */
  mint(resource: GuestResource, rep: number): number {
    const handle = this.#next++;
    if (handle > 0x7fffffff) throw new PluginTrap('the guest ran out of handles');
    this.#entries.set(handle, { resource, rep });
    return handle;
  }

  /** The rep behind a handle the guest lends (borrow); it keeps the handle. */
  lookup(handle: number, resource: GuestResource): number {
    const entry = this.#entries.get(handle);
    if (entry === undefined) throw new PluginTrap(`handle ${handle} is not one the guest holds (forged or already dropped)`);
    if (entry.resource !== resource) throw new PluginTrap(`handle ${handle} is a ${entry.resource}, not a ${resource}`);
    return entry.rep;
  }

  /** The rep behind a handle the guest gives away (own); the handle is gone. */
  take(handle: number, resource: GuestResource): number {
    const rep = this.lookup(handle, resource);
    this.#entries.delete(handle);
    return rep;
  }

  /** Empty the table: what every handle held. */
  drain(): { resource: GuestResource; rep: number }[] {
    const held = [...this.#entries.values()];
    this.#entries.clear();
    return held;
  }
}
