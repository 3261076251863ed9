// HTTP over a Unix socket: a node:http server served with serveHttp() on a
// socket file, and clients through an undici Agent and through an
// http+unix:// URL, Docker style. On Node the global fetch takes the Agent
// too (`fetch(url, { dispatcher: agent })`); Bun's and Deno's ignore
// `dispatcher`, so this uses the Agent's own request(), which runs everywhere.
// Run from the repository after `npm install`: node examples/http-over-socket.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatUnixUrl, parseDial, serveHttp, unixAgent, unixFetch } from '../dist/host/index.js';

const dir = mkdtempSync(join(tmpdir(), 'unixsock-'));
const path = join(dir, 'api.sock');

// A tiny API in the shape of Docker's: GET /v1.43/info, POST /v1.43/containers/create.
const api = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/v1.43/info') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ServerVersion: 'example', Containers: 0 }));
    return;
  }
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    res.statusCode = req.method === 'POST' ? 201 : 404;
    res.end(JSON.stringify({ received: body ? JSON.parse(body) : null }));
  });
});
const listener = await serveHttp(api, path, { mode: 0o600 });

// An Agent whose connections all go to the socket; the URL's host is only the Host header.
const agent = unixAgent(path);
const info = await agent.request({ origin: 'http://localhost', path: '/v1.43/info', method: 'GET' });
console.log('GET /v1.43/info ->', info.statusCode, await info.body.json());

// The same socket, named by a URL (the host part is the percent-encoded socket path).
const url = formatUnixUrl(path, '/v1.43/containers/create');
const created = await unixFetch(url, { method: 'POST', body: JSON.stringify({ Image: 'alpine' }) });
console.log('POST', url, '->', created.status, await created.json());

// DOCKER_HOST-style dial strings name the socket and its type.
console.log('unix:///var/run/docker.sock is', parseDial('unix:///var/run/docker.sock'));

await agent.close();
listener.close(); // also closes the http server and unlinks api.sock
rmSync(dir, { recursive: true });
