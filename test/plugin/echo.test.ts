// The echo plugin (examples/plugin/echo.c) and the probe's echo action
// against a real echo server in another process (socat, else python3), and
// the example runner as users run it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadPlugin } from '../../host/sandbox/linker.js';
import { PluginError } from '../../host/sandbox/plugin.js';
import { assertDescriptorsAsBefore, descriptorBaseline } from '../_helpers/descriptors.js';
import { scriptArgv } from '../_helpers/runtime.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { pluginBytes, startEchoPeer } from './plugins.js';
import { plainEnv } from '../_helpers/env.js';

const echo = suite('echo plugin');

/** The err text of a run that must fail. */
function failure(run: () => unknown): string | undefined {
  try {
    run();
  } catch (err) {
    assert.instance(err, PluginError);
    assert.is((err as PluginError).code, 'ERR_UNIXSOCK_PLUGIN_FAILED');
    return (err as PluginError).result;
  }
  throw new Error('expected the plugin to fail');
}
const root = fileURLToPath(new URL('../../../', import.meta.url));

echo('should echo messages through a peer in another process', async () => {
  const tmp = makeTempDir('us-pe-');
  const path = join(tmp.path, 'echo.sock');
  // Before the peer starts: what its process takes (a pidfd, a pipe) is closed again once it has exited.
  const before = await descriptorBaseline();
  const peer = await startEchoPeer(path);
  if (typeof peer === 'string') {
    console.log(`  skipped: ${peer}`);
    tmp.remove();
    return;
  }
  // Each guest may connect under this directory, and do nothing else.
  const policy = { rules: [{ allow: ['connect'] as const, path: tmp.path }] };
  const plugin = loadPlugin(await pluginBytes('echo'), { policy });
  const probe = loadPlugin(await pluginBytes('probe'), { policy });
  try {
    assert.is(plugin.run([path, '50', '4096']), 'ok 50');
    // Larger than a socket buffer: partial sends and reads, waits both ways.
    assert.is(plugin.run([path, '3', String(1 << 20)]), 'ok 3');
    assert.is(probe.run(['echo', path, '20', '65536']), 'ok 20');
    assert.is(plugin.handleCount, 0);
  } finally {
    plugin.close();
    probe.close();
    await peer.stop();
    tmp.remove();
  }
  await assertDescriptorsAsBefore(before);
});

echo('should report a WIT error code when the connect fails', async () => {
  const tmp = makeTempDir('us-pe-');
  const plugin = loadPlugin(await pluginBytes('echo'), { policy: { rules: [{ allow: ['connect'], path: tmp.path }] } });
  try {
    assert.is(failure(() => plugin.run([join(tmp.path, 'nobody.sock'), '1', '16'])), 'connect: os no-such-path ENOENT connect');
    assert.is(failure(() => plugin.run(['x'])), 'usage: echo <address> <rounds> <size>');
    // Outside its directory the policy refuses, before any system call.
    assert.is(failure(() => plugin.run(['/tmp/elsewhere.sock', '1', '16'])), 'connect: policy-denied connect');
    assert.is(plugin.refusals().denied, 1);
  } finally {
    plugin.close();
    tmp.remove();
  }
});

echo('should run examples/plugin/run-echo.mjs', async () => {
  await pluginBytes('echo');
  const [cmd, ...argv] = scriptArgv('examples/plugin/run-echo.mjs');
  const r = spawnSync(cmd!, argv, { cwd: root, env: plainEnv(), encoding: 'utf8', timeout: 20000 });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^echo plugin: ok 3$/m);
  assert.match(r.stdout, /^echo plugin failed: connect: os no-such-path ENOENT connect$/m);
  assert.match(r.stdout, /^echo plugin failed: connect: policy-denied connect$/m);
});

echo.run();
