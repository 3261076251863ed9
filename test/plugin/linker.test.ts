// The plugin linker (host/sandbox/plugin.ts) against the probe plugin
// (test/plugins/probe.c) and hand-written adversarial guests: handles a
// guest does not hold, pointers outside its memory, imports it may not have
// all trap the guest, poison the plugin and leave the host and its
// sockets intact.
import { join } from 'node:path';
import { parse } from '@bytecodealliance/jco-transpile/wasm-tools';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadPlugin } from '../../host/sandbox/linker.js';
import { type Plugin, PluginError, PluginTrap } from '../../host/sandbox/plugin.js';
import { assertDescriptorsAsBeforeNow, descriptorBaseline, socketsSince } from '../_helpers/descriptors.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { ALLOW_ALL, pluginBytes } from './plugins.js';

const linker = suite('plugin linker');

async function probe(): Promise<Plugin> {
  return loadPlugin(await pluginBytes('probe'), { policy: ALLOW_ALL });
}

/** The error `fn` throws (fails if it returns). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

/** A component wrapping one core module written in WAT. */
async function component(coreWat: string): Promise<Uint8Array> {
  return await parse(`(component (core module ${coreWat}))`);
}

const SOCKETS = 'cm32p2|unixsock:ipc/sockets@0.1';

linker('should run socket operations through its own engine', async () => {
  const tmp = makeTempDir('us-pl-');
  using p = await probe();
  try {
    assert.is(p.run(['pair']), 'ok');
    // unnamed (case 3) autobinds on Linux: an abstract name (case 2) of 5 hex digits.
    assert.is(p.run(['bind-unnamed']), 'ok 2 5');
    assert.is(p.run(['listen', join(tmp.path, 'l.sock')]), 'ok');
    assert.is(p.run(['connect', join(tmp.path, 'none.sock')]), 'error os no-such-path ENOENT connect');
    assert.is(p.run(['many-sockets', '20']), 'ok 20');
    assert.is(p.handleCount, 0);
  } finally {
    tmp.remove();
  }
});

linker('should throw ERR_UNIXSOCK_PLUGIN_FAILED with the text of an err result', async () => {
  using p = await probe();
  const err = thrown(() => p.run(['no-such-action'])) as PluginError;
  assert.instance(err, PluginError);
  assert.is(err.code, 'ERR_UNIXSOCK_PLUGIN_FAILED');
  assert.is(err.result, 'usage: probe <action> [args]');
  // An err result is not a trap: the plugin runs on.
  assert.is(p.run(['pair']), 'ok');
});

for (const [action, reason] of [
  ['forged-handle', /handle 12345 is not one the guest holds/],
  ['stale-handle', /handle \d+ is not one the guest holds \(forged or already dropped\)/],
  ['wrong-type-handle', /handle \d+ is a datagram, not a connection/],
  ['bad-pointer', /lies outside the guest's \d+-byte memory/],
] as const) {
  linker(`should trap the guest on ${action}, poison the plugin and close what it held`, async () => {
    const before = await descriptorBaseline();
    const p = await probe();
    assert.is(p.run(['keep-pairs', '4']), 'ok 4');
    assert.is(p.handleCount, 8);
    assert.is(socketsSince(before), 8);
    const trap = thrown(() => p.run([action]));
    assert.instance(trap, PluginTrap);
    assert.instance(trap, WebAssembly.RuntimeError);
    assert.is((trap as PluginTrap).code, 'ERR_UNIXSOCK_PLUGIN_TRAP');
    assert.match(trap.message, reason);
    assert.ok(p.poisoned);
    // Everything the guest held is closed at once, before close().
    assert.is(p.handleCount, 0);
    assertDescriptorsAsBeforeNow(before);
    const again = thrown(() => p.run(['pair'])) as PluginError;
    assert.is(again.code, 'ERR_UNIXSOCK_PLUGIN_POISONED');
    assert.is(again.cause, trap);
    p.close();
    // The host and other plugins are unaffected.
    using q = await probe();
    assert.is(q.run(['pair']), 'ok');
  });
}

linker('should close every socket a guest still holds on close()', async () => {
  const before = await descriptorBaseline();
  const p = await probe();
  assert.is(p.run(['keep-pairs', '25']), 'ok 25');
  assert.is(p.handleCount, 50);
  assert.is(socketsSince(before), 50);
  p.close();
  assert.is(p.handleCount, 0);
  assertDescriptorsAsBeforeNow(before);
  assert.is((thrown(() => p.run(['pair'])) as PluginError).code, 'ERR_UNIXSOCK_PLUGIN_CLOSED');
  p.close(); // twice is fine
});

linker('should leak no descriptors over many plugins', async () => {
  const bytes = await pluginBytes('probe');
  const before = await descriptorBaseline();
  for (let i = 0; i < 30; i++) {
    using p = loadPlugin(bytes, { policy: ALLOW_ALL });
    p.run(['keep-pairs', '2']);
  }
  assertDescriptorsAsBeforeNow(before);
});

linker('should refuse a guest that imports anything but sockets and address', async () => {
  const wasm = await component(`
    (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
    (import "${SOCKETS}" "connection_drop" (func (param i32)))
    (import "env" "table" (table 1 funcref))
    (memory (export "cm32p2_memory") 1)`);
  const err = thrown(() => loadPlugin(wasm)) as PluginError;
  assert.instance(err, PluginError);
  assert.is(err.code, 'ERR_UNIXSOCK_PLUGIN_IMPORTS');
  assert.match(err.message, /wasi_snapshot_preview1 fd_write/);
  assert.match(err.message, /env table \(table\)/);
  assert.not.match(err.message, /connection_drop/);
});

linker('should refuse imports of unknown functions of the sockets interface', async () => {
  const wasm = await component(`
    (import "${SOCKETS}" "[method]connection.descriptor" (func (param i32) (result i32)))
    (memory (export "cm32p2_memory") 1)`);
  assert.is((thrown(() => loadPlugin(wasm)) as PluginError).code, 'ERR_UNIXSOCK_PLUGIN_IMPORTS');
});

linker('should refuse bad arguments with typed errors, before the guest runs', async () => {
  const plugin = await probe();
  try {
    const code = (fn: () => unknown) => (thrown(fn) as Error & { code?: string }).code;
    assert.is(code(() => plugin.run('pair' as never)), 'ERR_INVALID_ARG_TYPE');
    assert.is(code(() => plugin.run([1 as never])), 'ERR_INVALID_ARG_TYPE');
    assert.is(code(() => plugin.run(['connect', '\ud800'])), 'ERR_INVALID_ARG_VALUE');
    assert.is(code(() => loadPlugin(new Uint8Array(0))), 'ERR_UNIXSOCK_PLUGIN_INVALID');
    assert.is(code(() => loadPlugin(new Uint8Array(8), 'policy' as never)), 'ERR_INVALID_ARG_TYPE');
    assert.is(plugin.poisoned, false);
    assert.is(plugin.run(['pair']), 'ok');
  } finally {
    plugin.close();
  }
});

linker('should refuse what is not a plugin component', async () => {
  for (const bytes of [new Uint8Array([1, 2, 3]), await parse('(module (memory (export "m") 1))'), await component('(func (export "cm32p2||run"))')]) {
    const err = thrown(() => loadPlugin(bytes)) as PluginError;
    assert.instance(err, PluginError);
    assert.is(err.code, 'ERR_UNIXSOCK_PLUGIN_INVALID');
  }
  assert.is((thrown(() => loadPlugin('x' as unknown as Uint8Array)) as TypeError & { code: string }).code, 'ERR_INVALID_ARG_TYPE');
});

/** A minimal guest: bump realloc, `run` = `body`, result area at 64. */
function guest(body: string, imports = '', realloc = '(local.get 3) drop (global.get $bump)'): Promise<Uint8Array> {
  return component(`
    ${imports}
    (memory (export "cm32p2_memory") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "cm32p2_realloc") (param i32 i32 i32 i32) (result i32)
      ${realloc}
      (global.set $bump (i32.add (global.get $bump) (i32.const 256))))
    (func (export "cm32p2||run") (param i32 i32) (result i32) ${body})`);
}

linker('should trap a guest whose realloc returns memory it does not have', async () => {
  using p = loadPlugin(await guest('(i32.const 64)', '', '(i32.const 0x7ffffff0)'));
  const trap = thrown(() => p.run(['x']));
  assert.instance(trap, PluginTrap);
  assert.match(trap.message, /cm32p2_realloc result/);
  assert.ok(p.poisoned);
});

linker('should trap a guest whose result points outside its memory', async () => {
  // result<string, string> at 64: ok, ptr 0xfffff000, len 16.
  using p = loadPlugin(await guest(`
    (i32.store8 (i32.const 64) (i32.const 0))
    (i32.store (i32.const 68) (i32.const 0xfffff000))
    (i32.store (i32.const 72) (i32.const 16))
    (i32.const 64)`));
  assert.instance(thrown(() => p.run([])), PluginTrap);
});

linker('should trap a guest whose result text is not UTF-8', async () => {
  using p = loadPlugin(await guest(`
    (i32.store8 (i32.const 64) (i32.const 0))
    (i32.store (i32.const 68) (i32.const 128))
    (i32.store (i32.const 72) (i32.const 1))
    (i32.store8 (i32.const 128) (i32.const 0xff))
    (i32.const 64)`));
  assert.match(thrown(() => p.run([])).message, /not valid UTF-8/);
});

linker('should trap an import whose core signature is wrong', async () => {
  using p = loadPlugin(await guest(
    '(call $drop (i32.const 1) (i32.const 2)) (i32.const 64)',
    `(import "${SOCKETS}" "connection_drop" (func $drop (param i32 i32)))`,
  ));
  assert.match(thrown(() => p.run([])).message, /wrong core signature/);
});

linker('should trap an import called from the guest realloc', async () => {
  using p = loadPlugin(await guest(
    '(i32.const 64)',
    `(import "${SOCKETS}" "connection_drop" (func $drop (param i32)))`,
    '(call $drop (i32.const 1)) (global.get $bump)',
  ));
  assert.match(thrown(() => p.run(['x'])).message, /from its realloc or post-return/);
});

linker('should trap an out-of-range enum case before the engine sees it', async () => {
  // socket-pair(socket-type = 7, retptr 64)
  using p = loadPlugin(await guest(
    '(call $pair (i32.const 7) (i32.const 128)) (i32.const 64)',
    `(import "${SOCKETS}" "socket-pair" (func $pair (param i32 i32)))`,
  ));
  assert.match(thrown(() => p.run([])).message, /enum case 7 out of range/);
});

linker('should trap a wasm trap of the guest itself and stay poisoned', async () => {
  using p = loadPlugin(await guest('unreachable'));
  const trap = thrown(() => p.run([]));
  assert.instance(trap, WebAssembly.RuntimeError);
  assert.not.instance(trap, PluginTrap);
  assert.is((thrown(() => p.run([])) as PluginError).code, 'ERR_UNIXSOCK_PLUGIN_POISONED');
});

linker.run();
