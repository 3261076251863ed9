// The sandbox policy as a guest meets it: the probe plugin
// (test/plugins/probe.c) under policies given to loadPlugin. Every refusal
// is `policy-denied <permission>` before any system call, and counted.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadPlugin } from '../../host/sandbox/linker.js';
import type { Plugin, PluginOptions } from '../../host/sandbox/plugin.js';
import { moduleArgv } from '../_helpers/runtime.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { pluginBytes } from './plugins.js';

const policy = suite('plugin policy');

async function probe(options: PluginOptions = {}): Promise<Plugin> {
  return loadPlugin(await pluginBytes('probe'), options);
}

policy('should deny everything to a plugin loaded without a policy', async () => {
  const tmp = makeTempDir('us-pp-');
  using p = await probe();
  try {
    assert.is(p.run(['pair']), 'error policy-denied socket-pair');
    assert.is(p.run(['bind-unnamed']), 'error policy-denied bind');
    assert.is(p.run(['listen', join(tmp.path, 'l.sock')]), 'error policy-denied bind');
    assert.is(p.run(['listen-abstract', 'probe-deny']), 'error policy-denied bind');
    assert.is(p.run(['connect', join(tmp.path, 'none.sock')]), 'error policy-denied connect');
    assert.is(p.refusals().denied, 5);
    // Refused before any system call: no file appeared.
    assert.not.ok(existsSync(join(tmp.path, 'l.sock')));
  } finally {
    tmp.remove();
  }
});

policy('should allow a directory and nothing beside or above it', async () => {
  const tmp = makeTempDir('us-pp-');
  const app = join(tmp.path, 'app');
  mkdirSync(app);
  mkdirSync(join(tmp.path, 'apple'));
  mkdirSync(join(tmp.path, 'out'));
  symlinkSync(join(tmp.path, 'out'), join(app, 'link'));
  using p = await probe({ policy: { baseDirectory: tmp.path, rules: [{ allow: ['bind', 'listen', 'connect'], path: app }] } });
  try {
    assert.is(p.run(['listen', join(app, 's.sock')]), 'ok');
    assert.is(p.run(['listen', 'app/relative.sock']), 'ok', 'relative to the base directory');
    assert.is(p.run(['connect', join(app, 'none.sock')]), 'error os no-such-path ENOENT connect');
    assert.is(p.run(['listen', join(tmp.path, 'apple', 's.sock')]), 'error policy-denied bind', 'a sibling sharing the prefix');
    assert.is(p.run(['listen', join(app, '..', 'out', 's.sock')]), 'error policy-denied bind', '.. out of the directory');
    assert.is(p.run(['listen', join(app, 'link', 's.sock')]), 'error policy-denied bind', 'a symlink out of the directory');
    assert.is(p.run(['listen-abstract', 'app']), 'error policy-denied bind');
    assert.is(p.run(['pair']), 'error policy-denied socket-pair');
    assert.not.ok(existsSync(join(tmp.path, 'out', 's.sock')));
    assert.not.ok(existsSync(join(tmp.path, 'apple', 's.sock')));
  } finally {
    tmp.remove();
  }
});

policy('should allow abstract names by prefix', async () => {
  using p = await probe({ policy: { rules: [{ allow: ['bind', 'listen'], abstract: `probe-${process.pid}-` }] } });
  assert.is(p.run(['listen-abstract', `probe-${process.pid}-1`]), 'ok');
  assert.is(p.run(['listen-abstract', `probe-${process.pid}`]), 'error policy-denied bind');
  assert.is(p.run(['listen-abstract', 'other']), 'error policy-denied bind');
});

policy('should hold a guest to its socket limit', async () => {
  using p = await probe({ policy: { rules: [{ allow: ['socket-pair'], unnamed: true }], maxOpenSockets: 6 } });
  assert.is(p.run(['many-sockets', '10']), 'error policy-denied socket-limit after 3');
  // The limit counts open sockets: dropping them gives the room back.
  assert.is(p.run(['many-sockets', '3']), 'ok 3');
  assert.is(p.run(['keep-pairs', '3']), 'ok 3');
  assert.is(p.run(['pair']), 'error policy-denied socket-limit');
  assert.is(p.handleCount, 6);
});

policy('should check send-to against the destination', async () => {
  const tmp = makeTempDir('us-pp-');
  mkdirSync(join(tmp.path, 'ok'));
  using p = await probe({ policy: { rules: [{ allow: ['bind'], unnamed: true }, { allow: ['send-to'], path: join(tmp.path, 'ok') }] } });
  try {
    // Nothing is bound there: the OS answers, so the policy let it through.
    assert.is(p.run(['send-to', join(tmp.path, 'ok', 'd.sock')]), 'error os no-such-path ENOENT send');
    assert.is(p.run(['send-to', join(tmp.path, 'other.sock')]), 'error policy-denied send-to');
  } finally {
    tmp.remove();
  }
});

/** A child that connects to `path` (retrying until it exists), then waits for the parent to finish. */
function connector(path: string): { done: Promise<void>; kill: () => void } {
  const code = `
    import net from 'node:net';
    const start = Date.now();
    const attempt = () => {
      const s = net.createConnection(${JSON.stringify(path)});
      s.on('error', () => { if (Date.now() - start < 5000) setTimeout(attempt, 20); else process.exit(1); });
      s.on('connect', () => s.on('close', () => process.exit(0)));
    };
    attempt();
    setTimeout(() => process.exit(2), 8000);`;
  const [cmd, ...argv] = moduleArgv(code);
  const child = spawn(cmd!, argv, { stdio: 'ignore' });
  const done = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { done, kill: () => child.kill() };
}

policy('should accept only peers the rule names, dropping the others', async () => {
  const tmp = makeTempDir('us-pp-');
  const uid = process.getuid!();
  try {
    for (const [peer, answer, dropped] of [
      [{ uids: [uid] }, `ok uid ${uid}`, 0],
      [{ uids: [uid + 1] }, 'none', 1],
    ] as const) {
      const path = join(tmp.path, `a${dropped}.sock`);
      using p = await probe({ policy: { rules: [{ allow: ['bind', 'listen', 'accept'], path: tmp.path, peer }] } });
      const child = connector(path);
      try {
        // The guest blocks in wait until the child connects (another process).
        assert.is(p.run(['accept', path, '5000']), answer);
        assert.is(p.refusals().droppedConnections, dropped);
      } finally {
        child.kill();
        await child.done;
      }
    }
  } finally {
    tmp.remove();
  }
});

policy.run();
