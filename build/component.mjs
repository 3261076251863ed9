// dist/unixsock.core.wasm + wit/ -> dist/unixsock.wasm, a component of world
// `unixsock:ipc/engine`.
//   1. rename the AssemblyScript exports to canonical-ABI names
//      (`address_to_text` -> `cm32p2|unixsock:ipc/address@0.1|to-text`);
//   2. embed the WIT (component-type custom section), utf8 strings;
//   3. `component new`.
// Uses the wasm-tools bundled in the pinned @bytecodealliance/jco-transpile.
import { readFileSync, writeFileSync } from 'node:fs';
import { componentEmbed, componentNew } from '@bytecodealliance/jco-transpile/wasm-tools';
import { renameExports } from './wasm-sections.mjs';
import { witSource } from './wit-source.mjs';

const PACKAGE = 'unixsock:ipc';
const VERSION = '0.1'; // cm32p2 names carry major.minor
const INTERFACES = ['address', 'sockets', 'descriptors', 'policy'];
const RESOURCES = ['listener', 'connection', 'datagram', 'attachment'];

/** Canonical core export name for an AssemblyScript export name. */
export function canonicalName(name) {
  if (name === 'memory') return 'cm32p2_memory';
  if (name === 'cabi_realloc') return 'cm32p2_realloc';
  const cut = name.indexOf('_');
  const iface = name.slice(0, cut);
  if (cut < 0 || !INTERFACES.includes(iface)) throw new Error(`export ${name} names no WIT interface`);
  let fn = name.slice(cut + 1);
  const post = fn.endsWith('_post');
  if (post) fn = fn.slice(0, -'_post'.length);
  const prefix = `cm32p2|${PACKAGE}/${iface}@${VERSION}|`;
  // Resource destructors keep their name: `listener_dtor`.
  if (RESOURCES.some((r) => fn === `${r}_dtor`)) return prefix + fn;
  // `static_listener_listen` -> `[static]listener.listen`; `method_…` -> `[method]…`.
  const member = /^(static|method)_([a-z]+)_(.+)$/.exec(fn);
  if (member && RESOURCES.includes(member[2])) {
    fn = `[${member[1]}]${member[2]}.${member[3].replaceAll('_', '-')}`;
  } else {
    fn = fn.replaceAll('_', '-');
  }
  return `${prefix}${fn}${post ? '_post' : ''}`;
}

export async function run() {
  const dist = new URL('../dist/', import.meta.url);
  const core = readFileSync(new URL('unixsock.core.wasm', dist));
  const renamed = renameExports(core, canonicalName);
  const embedded = await componentEmbed({
    binary: renamed,
    witSource: witSource(),
    world: 'engine',
    stringEncoding: 'utf8',
  });
  writeFileSync(new URL('unixsock.wasm', dist), await componentNew(embedded));
}
