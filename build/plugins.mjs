// C plugins -> dist/plugins/<name>.wasm, components of world
// `unixsock:ipc/plugin` (host/sandbox/linker.ts links them to an engine).
//   1. compile the plugin and guest/c/unixsock.c with @yowasp/clang (LLVM in
//      wasm, from npm: no system toolchain), in ONE clang run per plugin,
//      since each run first compiles the 75 MB LLVM module (~7 s);
//   2. check the core module imports nothing but `sockets`/`address`;
//   3. embed the WIT (utf8 strings) and `component new`.
// A plugin whose inputs (sources, header, WIT, clang version, flags) hash
// to its stamp file is skipped.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { componentEmbed, componentNew } from '@bytecodealliance/jco-transpile/wasm-tools';
import { witSource } from './wit-source.mjs';

const ROOT = new URL('../', import.meta.url);
const OUT = new URL('dist/plugins/', ROOT);
const GUEST = ['guest/c/unixsock.h', 'guest/c/unixsock.c'];

/** Every plugin: its name and main source. */
const PLUGINS = [
  { name: 'echo', source: 'examples/plugin/echo.c' },
  { name: 'probe', source: 'test/plugins/probe.c' },
];

const FLAGS = [
  '--target=wasm32-wasip1', '-O2', '-std=c11', '-Wall', '-Wextra', '-Werror',
  '-mexec-model=reactor', '-Wl,--export-memory=cm32p2_memory', '-Wl,--strip-all',
];

/** Import modules a plugin's core module may use. */
const ALLOWED_IMPORTS = ['cm32p2|unixsock:ipc/sockets@0.1', 'cm32p2|unixsock:ipc/address@0.1'];

function clangVersion() {
  return JSON.parse(readFileSync(new URL('node_modules/@yowasp/clang/package.json', ROOT), 'utf8')).version;
}

/** A plugin's compiler inputs, named as clang sees them. */
function sourcesOf(plugin) {
  return {
    'unixsock.h': readFileSync(new URL(GUEST[0], ROOT)),
    'unixsock.c': readFileSync(new URL(GUEST[1], ROOT)),
    'plugin.c': readFileSync(new URL(plugin.source, ROOT)),
  };
}

/** What a plugin's build depends on: compiler, flags, WIT and sources. */
function stampOf(files, version, wit) {
  const hash = createHash('sha256');
  for (const part of [version, FLAGS.join(' '), wit, ...Object.values(files)]) hash.update(part).update('\0');
  return hash.digest('hex');
}

let llvmLoaded = false;

async function compile(plugin, files) {
  const { commands, runLLVM } = await import('@yowasp/clang');
  if (!llvmLoaded) {
    // Load LLVM once, quietly (clang's first internal run prints progress otherwise).
    await runLLVM(null, {}, { fetchProgress: () => {} });
    llvmLoaded = true;
  }
  let stderr = '';
  const decoder = new TextDecoder();
  try {
    const out = await commands.clang([...FLAGS, '-I.', 'plugin.c', 'unixsock.c', '-o', 'plugin.wasm'], files, {
      stdout: (bytes) => { if (bytes) stderr += decoder.decode(bytes, { stream: true }); },
      stderr: (bytes) => { if (bytes) stderr += decoder.decode(bytes, { stream: true }); },
      fetchProgress: () => {},
    });
    return out['plugin.wasm'];
  } catch (err) {
    process.stderr.write(stderr.replaceAll('plugin.c', plugin.source).replaceAll('unixsock.c', GUEST[1]));
    throw new Error(`clang failed on ${plugin.source}: ${err.message}`);
  }
}

/** Refuse a core module that imports anything but the plugin world's interfaces. */
function checkImports(core, what) {
  const stray = WebAssembly.Module.imports(new WebAssembly.Module(core)).filter((i) => !ALLOWED_IMPORTS.includes(i.module));
  if (stray.length > 0) {
    throw new Error(`${what} imports ${stray.map((i) => `${i.module} ${i.name}`).join(', ')}; a plugin may import only ${ALLOWED_IMPORTS.join(', ')}`);
  }
}

export async function run() {
  mkdirSync(OUT, { recursive: true });
  const wit = witSource();
  const version = clangVersion();
  for (const plugin of PLUGINS) {
    const wasm = new URL(`${plugin.name}.wasm`, OUT);
    const stampFile = new URL(`${plugin.name}.stamp`, OUT);
    const files = sourcesOf(plugin);
    const stamp = stampOf(files, version, wit);
    if (existsSync(wasm) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) continue;
    const core = await compile(plugin, files);
    checkImports(core, plugin.source);
    const embedded = await componentEmbed({ binary: core, witSource: wit, world: 'plugin', stringEncoding: 'utf8' });
    writeFileSync(wasm, await componentNew(embedded));
    writeFileSync(stampFile, stamp);
  }
}
