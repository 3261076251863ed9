// host/component/generated/abi-layout.ts, the one canonical-ABI model of wit/: it is
// exactly what build/wit-abi.mjs generates from wit/ today (no drift), its
// flattening agrees with wasm-tools on every function of both worlds (core
// parameter and result types, as wasm-tools lowers them for a dummy module),
// and the shortcuts the hand-written bindings take on it hold.
import { readFileSync } from 'node:fs';
import { componentEmbed, print } from '@bytecodealliance/jco-transpile/wasm-tools';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ADDRESS_FUNCTIONS, DESCRIPTORS_FUNCTIONS, POLICY_FUNCTIONS, SOCKETS_FUNCTIONS, SYSCALLS_FUNCTIONS,
} from '../../host/component/generated/abi-layout.js';

interface CoreSignature { params: string[]; spilled: boolean; results: string[]; retArea: boolean }
interface ModelFunction { name: string; core: CoreSignature }
interface Model {
  interfaces: { name: string; functions: ModelFunction[] }[];
  worldFunctions: { world: string; name: string; dir: string; core: CoreSignature }[];
}
interface WitAbi {
  generate(): string;
  model(): Model;
  OUTPUT: URL;
}

const witAbi = (): Promise<WitAbi> => import(new URL('../../../build/wit-abi.mjs', import.meta.url).href) as Promise<WitAbi>;

const layout = suite('abi layout');

layout('should commit host/component/generated/abi-layout.ts exactly as build/wit-abi.mjs generates it from wit/', async () => {
  const { generate, OUTPUT } = await witAbi();
  assert.is(readFileSync(OUTPUT, 'utf8'), generate(), 'host/component/generated/abi-layout.ts drifted from wit/: run `node build/index.mjs --only=abi`');
});

/** Core function types of a dummy module of `world`, as wasm-tools lowers it: `import module name` / `export name` -> [params, results]. */
async function dummyCoreTypes(world: string): Promise<Map<string, [string[], string[]]>> {
  const { witSource } = (await import(new URL('../../../build/wit-source.mjs', import.meta.url).href)) as { witSource: () => string };
  const wat = await print(await componentEmbed({ dummy: true, witSource: witSource(), world }));
  const types = new Map<string, [string[], string[]]>();
  for (const m of wat.matchAll(/\(type \(;(\d+);\) \(func((?: \(param[^)]*\))?)((?: \(result[^)]*\))?)\)\)/g)) {
    const words = (s: string): string[] => s.match(/i32|i64|f32|f64/g) ?? [];
    types.set(m[1]!, [words(m[2]!), words(m[3]!)]);
  }
  const funcTypes = new Map<string, string>();
  for (const m of wat.matchAll(/\(func \(;(\d+);\) \(type (\d+)\)/g)) funcTypes.set(m[1]!, m[2]!);
  const out = new Map<string, [string[], string[]]>();
  for (const m of wat.matchAll(/\(import "([^"]+)" "([^"]+)" \(func \(;(\d+);\) \(type (\d+)\)\)\)/g)) {
    out.set(`import ${m[1]} ${m[2]}`, types.get(m[4]!)!);
  }
  for (const m of wat.matchAll(/\(export "([^"]+)" \(func (\d+)\)\)/g)) {
    const type = funcTypes.get(m[2]!);
    if (type !== undefined) out.set(`export ${m[1]}`, types.get(type)!);
  }
  return out;
}

layout('should flatten every function of both worlds as wasm-tools does', async () => {
  const { model } = await witAbi();
  const m = model();
  const engine = await dummyCoreTypes('engine');
  const plugin = await dummyCoreTypes('plugin');
  const fns = new Map(m.interfaces.map((i) => [i.name, i.functions]));
  const checked = new Set<string>();
  const check = (types: Map<string, [string[], string[]]>, key: string, core: CoreSignature, dir: 'import' | 'export'): void => {
    const expected = types.get(key);
    assert.ok(expected, `${key}: wasm-tools lowers no such function`);
    // An import takes a return-area pointer; an export returns one.
    const params = dir === 'import' && core.retArea ? [...core.params, 'i32'] : core.params;
    const results = dir === 'import' && core.retArea ? [] : core.results;
    assert.equal([params, results], expected, key);
    checked.add(`${types === engine ? 'engine' : 'plugin'} ${key}`);
  };
  for (const f of fns.get('syscalls')!) check(engine, `import cm32p2|unixsock:ipc/syscalls@0.1 ${f.name}`, f.core, 'import');
  for (const iface of ['address', 'sockets', 'descriptors', 'policy']) {
    for (const f of fns.get(iface)!) check(engine, `export cm32p2|unixsock:ipc/${iface}@0.1|${f.name}`, f.core, 'export');
  }
  for (const iface of ['address', 'sockets']) {
    for (const f of fns.get(iface)!) check(plugin, `import cm32p2|unixsock:ipc/${iface}@0.1 ${f.name}`, f.core, 'import');
  }
  for (const f of m.worldFunctions.filter((w) => w.world === 'plugin')) check(plugin, `export cm32p2||${f.name}`, f.core, 'export');
  // Every function wasm-tools lowers is in the model (resource drops and constructors aside).
  const lowered = [...[...engine.keys()].map((k) => `engine ${k}`), ...[...plugin.keys()].map((k) => `plugin ${k}`)]
    .filter((k) => /unixsock:ipc|cm32p2\|\|/.test(k) && !/_drop$|_dtor$|_new$|_rep$|_post$|_ex_/.test(k));
  assert.equal(lowered.filter((k) => !checked.has(k)), [], 'functions lowered by wasm-tools that the model lacks');
  assert.ok(checked.size > 80);
});

layout('should keep one payload offset for every result the bindings lift by a shared constant', () => {
  // host/component/sockets-binding.ts: result<T, socket-error>; host/component/component.ts: result<T, address-error>;
  // host/component/syscalls.ts: result<T, errno> for a 4-byte T; host/sandbox/policy.ts: result<_, policy-error>.
  const payloads = (fns: Record<string, object>): Set<number> =>
    new Set(Object.values(fns).flatMap((f) => ('result' in f && 'payload' in (f.result as object) ? [(f.result as { payload: number }).payload] : [])));
  assert.equal([...payloads(SOCKETS_FUNCTIONS)], [SOCKETS_FUNCTIONS['[method]connection.receive'].result.payload]);
  assert.equal([...payloads(DESCRIPTORS_FUNCTIONS)], [SOCKETS_FUNCTIONS['[method]connection.receive'].result.payload]);
  assert.equal([...payloads(ADDRESS_FUNCTIONS)], [ADDRESS_FUNCTIONS.validate.result.payload]);
  assert.equal([...payloads(POLICY_FUNCTIONS)], [POLICY_FUNCTIONS.allow.result.payload]);
  assert.equal([...payloads(SYSCALLS_FUNCTIONS)].sort(), [
    SYSCALLS_FUNCTIONS.bind.result.payload, SYSCALLS_FUNCTIONS.socket.result.payload, SYSCALLS_FUNCTIONS['path-identity'].result.payload,
  ].sort());
});

layout.run();
