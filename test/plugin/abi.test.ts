// host/sandbox/plugin-abi.ts (the model's type trees) against the WIT itself: every function world `plugin`
// imports has a signature in the linker's tables, and its flattened core
// type (parameter count, return pointer, direct result) is the one
// wasm-tools derives from wit/ for a guest.
import { componentEmbed, print } from '@bytecodealliance/jco-transpile/wasm-tools';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { guestCoreModule } from '../../host/sandbox/guest.js';
import { ADDRESS, RUN, SOCKETS } from '../../host/sandbox/plugin-abi.js';
import { pluginBytes } from './plugins.js';

const abi = suite('plugin abi');

/** The plugin world's core imports and exports with their core types, as wasm-tools prints a dummy guest. */
async function dummy(): Promise<{ imports: Map<string, { params: number; results: number }>; run: { params: number; results: number } }> {
  const { witSource } = (await import(new URL('../../../build/wit-source.mjs', import.meta.url).href)) as { witSource: () => string };
  const wat = await print(await componentEmbed({ dummy: true, witSource: witSource(), world: 'plugin' }));
  const types = new Map<string, { params: number; results: number }>();
  for (const m of wat.matchAll(/\(type \(;(\d+);\) \(func((?: \(param[^)]*\))?)((?: \(result[^)]*\))?)\)\)/g)) {
    const count = (s: string): number => (s.match(/i32|i64|f32|f64/g) ?? []).length;
    types.set(m[1]!, { params: count(m[2]!), results: count(m[3]!) });
  }
  const imports = new Map<string, { params: number; results: number }>();
  for (const m of wat.matchAll(/\(import "([^"]+)" "([^"]+)" \(func \(;\d+;\) \(type (\d+)\)\)\)/g)) {
    imports.set(`${m[1]} ${m[2]}`, types.get(m[3]!)!);
  }
  const runType = /\(export "cm32p2\|\|run" \(func (\d+)\)\)/.exec(wat)![1]!;
  const runFunc = new RegExp(`\\(func \\(;${runType};\\) \\(type (\\d+)\\)`).exec(wat)![1]!;
  return { imports, run: types.get(runFunc)! };
}

abi('should describe every function the plugin world imports, with its core type', async () => {
  const { imports, run } = await dummy();
  const tables = { 'cm32p2|unixsock:ipc/sockets@0.1': SOCKETS, 'cm32p2|unixsock:ipc/address@0.1': ADDRESS };
  const described = new Set<string>();
  for (const [module, table] of Object.entries(tables)) {
    for (const [name, sig] of Object.entries(table)) {
      const key = `${module} ${name}`;
      described.add(key);
      const core = imports.get(key);
      assert.ok(core, `${key} is not imported by world plugin`);
      const direct = sig.result !== undefined && !sig.retArea ? 1 : 0;
      assert.equal({ params: sig.coreParams, results: direct }, core, key);
    }
  }
  for (const key of imports.keys()) {
    if (/_drop$/.test(key)) continue;
    assert.ok(described.has(key), `${key} has no signature in host/sandbox/plugin-abi.ts`);
  }
  // run(args: list<string>) -> result<string, string>: (ptr, len) -> return area.
  assert.equal(run, { params: 2, results: 1 });
  assert.is(RUN.result!.size, 12);
});

abi('should lay out socket-error and message as the engine binding reads them', () => {
  const receive = SOCKETS['[method]connection.receive']!.result!;
  // result<message, socket-error>: case @0, message @4 (data 8, sender 12, attachments 8, two bools), 36 bytes.
  assert.is(receive.size, 36);
  const accept = SOCKETS['[method]listener.accept']!.result!;
  assert.is(accept.size, 20);
});

abi('should build plugins that import nothing but the sockets interface (no WASI)', async () => {
  for (const name of ['echo', 'probe']) {
    const core = guestCoreModule(await pluginBytes(name));
    const modules = new Set(WebAssembly.Module.imports(core).map((i) => i.module));
    assert.equal([...modules], ['cm32p2|unixsock:ipc/sockets@0.1'], name);
    const exports = WebAssembly.Module.exports(core).map((e) => e.name);
    for (const e of ['cm32p2_memory', 'cm32p2_realloc', 'cm32p2||run', 'cm32p2||run_post']) assert.ok(exports.includes(e), `${name} exports ${e}`);
  }
});

abi.run();
