// A stream echo server and client on one socket path: listen, accept with
// for-await, connect, half-close, peer credentials, clean shutdown.
// Run from the repository after `npm install`: node examples/stream-echo.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, listen } from '../dist/host/index.js';

const dir = mkdtempSync(join(tmpdir(), 'unixsock-'));
const path = join(dir, 'echo.sock');

const server = await listen(path, { mode: 0o600 });
(async () => {
  for await (const socket of server) socket.pipe(socket); // echo until the client ends
})();

const client = await connect(path);
console.log('connected to', client.remoteAddress, 'peer', client.peerCredentials());
client.end('hello over a unix socket');
let reply = '';
for await (const chunk of client) reply += chunk;
console.log('reply:', reply);

server.close(); // unlinks echo.sock: it is still the file this server bound
rmSync(dir, { recursive: true });
