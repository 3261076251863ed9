// Runs the echo plugin (examples/plugin/echo.c, built by `npm install` into
// dist/plugins/echo.wasm) against an echo server in a child process: the
// plugin blocks in `wait`, so its peer cannot share this event loop.
// Run from the repository after `npm install`: node examples/plugin/run-echo.mjs
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen, loadPlugin } from '../../dist/host/index.js';

if (process.argv[2] === 'serve') {
  // The child: a unixsock echo server; "ready" once listening, gone when stdin ends.
  const server = await listen(process.argv[3]);
  server.on('connection', (socket) => socket.pipe(socket));
  console.log('ready');
  process.stdin.on('end', () => server.close()).resume();
} else {
  const dir = mkdtempSync(join(tmpdir(), 'unixsock-'));
  const path = join(dir, 'echo.sock');
  const server = spawn(process.execPath, [process.argv[1], 'serve', path], { stdio: ['pipe', 'pipe', 'inherit'] });
  await once(server.stdout, 'data');
  // One engine instance for this plugin alone, whose policy lets the guest
  // connect under `dir` and do nothing else. The guest holds handles, never descriptors.
  const plugin = loadPlugin(readFileSync(new URL('../../dist/plugins/echo.wasm', import.meta.url)), {
    policy: { rules: [{ allow: ['connect'], path: dir }] },
  });
  try {
    console.log('echo plugin:', plugin.run([path, '3', '4096']));
    for (const target of [join(dir, 'nobody.sock'), '/run/elsewhere.sock']) {
      try {
        plugin.run([target, '1', '16']);
      } catch (err) {
        console.log('echo plugin failed:', err.result);
      }
    }
  } finally {
    plugin.close(); // closes any socket the guest still holds
    server.stdin.end();
    await once(server, 'exit');
    rmSync(dir, { recursive: true });
  }
}
