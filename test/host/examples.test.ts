// examples/ run as users run them, and say what the README says they say.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const root = fileURLToPath(new URL('../../../', import.meta.url));

const examples = suite('examples');

examples('should run stream-echo.mjs', () => {
  // Plain output: the runner may force colors, which console.log would honour.
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, ['examples/stream-echo.mjs'], { cwd: root, env, encoding: 'utf8', timeout: 20000 });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /connected to \{ path: '.*echo\.sock' \} peer \{ pid: \d+, uid: \d+, gid: \d+ \}/);
  assert.match(r.stdout, /reply: hello over a unix socket/);
});

examples('should run http-over-socket.mjs', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, ['examples/http-over-socket.mjs'], { cwd: root, env, encoding: 'utf8', timeout: 20000 });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /GET \/v1\.43\/info -> 200 \{ ServerVersion: 'example', Containers: 0 \}/);
  assert.match(r.stdout, /POST http\+unix:\/\/%2F.*api\.sock\/v1\.43\/containers\/create -> 201 \{ received: \{ Image: 'alpine' \} \}/);
  assert.match(r.stdout, /unix:\/\/\/var\/run\/docker\.sock is \{ type: 'stream', address: \{ path: '\/var\/run\/docker\.sock' \} \}/);
});

examples.run();
