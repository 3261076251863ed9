// host/component/generated/: the TypeScript declarations stock `jco transpile` emits for
// dist/unixsock.wasm (what an embedder using jco sees). Committed, and
// test/host/component.test.ts fails when they drift from the component.
// `npm run types` rewrites them after a WIT change.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { transpileBytes } from '@bytecodealliance/jco-transpile';

export const GENERATED = new URL('../host/component/generated/', import.meta.url);

/** Path -> text of every declaration file jco generates for the component. */
export async function generatedTypes(componentBytes) {
  const { files } = await transpileBytes(componentBytes, {
    name: 'unixsock',
    instantiation: { tag: 'sync' },
    noComponentErrorWrapping: false,
  });
  const out = {};
  for (const [name, data] of Object.entries(files)) {
    if (name.endsWith('.d.ts')) out[name] = new TextDecoder().decode(data);
  }
  return out;
}

export async function run() {
  const component = readFileSync(new URL('../dist/unixsock.wasm', import.meta.url));
  // Only jco's files: abi-layout.ts beside them is build/wit-abi.mjs's.
  rmSync(new URL('interfaces/', GENERATED), { recursive: true, force: true });
  for (const [name, text] of Object.entries(await generatedTypes(component))) {
    const file = new URL(name, GENERATED);
    mkdirSync(dirname(file.pathname), { recursive: true });
    writeFileSync(file, text);
  }
}
