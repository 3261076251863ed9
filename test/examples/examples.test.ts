// examples/ run as users run them (node examples/NAME.mjs, 20 s at most), and
// say what the README says they say. Every file in examples/ has a test here.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { plainEnv } from '../_helpers/env.js';
import { scriptArgv } from '../_helpers/runtime.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Runs an example from the repository root on this runtime. Its stdout comes
 * back on one line: console.log's object layout differs between runtimes (Bun
 * breaks objects over lines with trailing commas, Deno quotes strings with
 * ", and colours under uvu despite NO_COLOR), so colour codes go, whitespace
 * runs become one space and a trailing comma goes.
 */
function runExample(script: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  const [cmd, ...args] = scriptArgv(script);
  const r = spawnSync(cmd!, args, { cwd: root, env, encoding: 'utf8', timeout: 20000 });
  const plain = r.stdout.replace(/\u001b\[[0-9;]*m/g, '');
  return { ...r, stdout: plain.replace(/\s+/g, ' ').replace(/, \}/g, ' }') };
}

const examples = suite('examples');

/** The examples this file runs; a new example needs a test below and its name here. */
const TESTED = ['datagram-credentials.mjs', 'http-over-socket.mjs', 'stream-echo.mjs'];

examples('should have a test for every example', () => {
  const present = readdirSync(new URL('examples/', `file://${root}`)).filter((f) => /\.(mjs|js|ts)$/.test(f)).sort();
  assert.equal(present, TESTED);
});

examples('should run stream-echo.mjs', () => {
  const r = runExample('examples/stream-echo.mjs', plainEnv());
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /connected to \{ path: ['"].*echo\.sock['"] \} peer \{ pid: \d+, uid: \d+, gid: \d+ \}/, r.stdout);
  assert.match(r.stdout, /reply: hello over a unix socket/);
});

examples('should run http-over-socket.mjs', () => {
  const r = runExample('examples/http-over-socket.mjs', plainEnv());
  assert.is(r.status, 0, r.stderr);
  // Bun's and Deno's console.log quote strings with ", Node's with '.
  assert.match(r.stdout, /GET \/v1\.43\/info -> 200 \{ ServerVersion: ['"]example['"], Containers: 0 \}/, r.stdout);
  assert.match(r.stdout, /POST http\+unix:\/\/%2F.*api\.sock\/v1\.43\/containers\/create -> 201 \{ received: \{ Image: ['"]alpine['"] \} \}/, r.stdout);
  assert.match(r.stdout, /unix:\/\/\/var\/run\/docker\.sock is \{ type: ['"]stream['"], address: \{ path: ['"]\/var\/run\/docker\.sock['"] \} \}/, r.stdout);
});

examples('should run datagram-credentials.mjs', () => {
  if (process.platform !== 'linux') {
    console.log('  skipped: credentials and autobind are Linux-only');
    return;
  }
  const r = runExample('examples/datagram-credentials.mjs', plainEnv());
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /server got "hello" from \{ abstract: <Buffer [0-9a-f ]+> \} pid matches: true/, r.stdout);
  assert.match(r.stdout, /file says: contents read through a passed descriptor/);
  assert.match(r.stdout, /client got "thanks, hello"/);
});

examples.run();
