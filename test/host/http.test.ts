// host/http.ts: node:http served on unixsock addresses (paths, abstract
// names, autobind), reached by undici (fetch, request), Node's global fetch,
// raw sockets and curl; keep-alive, pipelining, concurrency, large bodies,
// timeouts, closing, and bad input.
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Agent, fetch as undiciFetch, request } from 'undici';
import { connect, formatAddress, type UnixServer } from '../../host/index.js';
import { serveHttp, unixAgent, unixFetch } from '../../host/http.js';
import { formatUnixUrl } from '../../host/dial.js';
import { expectCode } from '../_helpers/expect.js';
import { NODE } from '../_helpers/node.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { event, openFds, readAll, within } from '../_helpers/wait.js';

const tmp = makeTempDir('us-h');
const at = (name: string): string => join(tmp.path, name);
const CURL = spawnSync('sh', ['-c', 'command -v curl']).status === 0;

/** A server shaped like Docker's API, counting the connections it was handed. */
function dockerLike(options: http.ServerOptions = {}): http.Server & { connections: number } {
  const server = http.createServer(options, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/v1.43/info') {
      json(200, { ID: 'unixsock-test', Containers: 3, ServerVersion: '24.0.7', OperatingSystem: 'unixsock' });
    } else if (req.method === 'GET' && url.pathname === '/_ping') {
      res.end('OK');
    } else if (req.method === 'POST' && url.pathname === '/v1.43/containers/create') {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => { body += d; });
      req.on('end', () => json(201, { Id: createHash('sha256').update(body).digest('hex'), Warnings: [], Image: JSON.parse(body).Image }));
    } else if (req.method === 'POST' && url.pathname === '/echo') {
      req.pipe(res);
    } else if (url.pathname === '/big') {
      const n = Number(url.searchParams.get('n'));
      res.writeHead(200, { 'content-length': n });
      res.end(Buffer.alloc(n, 7));
    } else if (url.pathname === '/slow') {
      setTimeout(() => res.end(url.searchParams.get('id')), Number(url.searchParams.get('ms')));
    } else {
      json(404, { message: 'page not found' });
    }
  }) as http.Server & { connections: number };
  server.connections = 0;
  server.on('connection', () => { server.connections++; });
  return server;
}

function curl(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return within(new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '--max-time', '10', ...args], { timeout: 15000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`curl ${args.join(' ')}: ${err.message} ${stderr}`));
      else resolve({ stdout, stderr });
    });
  }), 20000, 'curl');
}

async function closeAll(listener: UnixServer, ...agents: Agent[]): Promise<void> {
  for (const a of agents) await a.close();
  await new Promise<void>((resolve) => listener.close(() => resolve()));
}

// ---

const serving = suite('serveHttp + unixAgent');
serving.after(() => tmp.remove());

serving('should answer a Docker-like API through undici fetch, Node\'s fetch and undici.request', async () => {
  const server = dockerLike();
  const listener = await serveHttp(server, at('docker.sock'), { mode: 0o600 });
  // One connection at most: a second one would mean the server did not keep it alive.
  const agent = unixAgent(at('docker.sock'), { connections: 1 });
  const info = await undiciFetch('http://localhost/v1.43/info', { dispatcher: agent });
  assert.is(info.status, 200);
  assert.is(info.headers.get('content-type'), 'application/json');
  assert.equal(await info.json(), { ID: 'unixsock-test', Containers: 3, ServerVersion: '24.0.7', OperatingSystem: 'unixsock' });
  for (let i = 0; i < 10; i++) assert.is(await (await fetch('http://localhost/_ping', { dispatcher: agent } as RequestInit)).text(), 'OK');
  const body = JSON.stringify({ Image: 'alpine', Cmd: ['echo', 'hi'] });
  const created = await fetch('http://localhost/v1.43/containers/create', {
    method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher: agent,
  } as RequestInit);
  assert.is(created.status, 201);
  assert.equal(await created.json(), { Id: createHash('sha256').update(body).digest('hex'), Warnings: [], Image: 'alpine' });
  const { statusCode, body: ping } = await request('http://localhost/_ping', { dispatcher: agent });
  assert.is(statusCode, 200);
  assert.is(await ping.text(), 'OK');
  const missing = await request('http://localhost/nope', { dispatcher: agent });
  assert.is(missing.statusCode, 404);
  await missing.body.dump();
  assert.is(server.connections, 1, 'every request on one kept-alive connection');
  await closeAll(listener, agent);
});

serving('should serve abstract names and autobound addresses', async () => {
  const server = dockerLike();
  const name = `\0us-http-${process.pid}`;
  const listener = await serveHttp(server, name);
  const agent = unixAgent(name);
  assert.is((await (await undiciFetch('http://localhost/_ping', { dispatcher: agent })).text()), 'OK');
  assert.is((await (await unixFetch(`http+unix://@us-http-${process.pid}/_ping`)).text()), 'OK');
  await closeAll(listener, agent);

  const auto = await serveHttp(dockerLike(), { unnamed: true });
  const address = auto.address()!;
  assert.ok('abstract' in address, formatAddress(address));
  const autoAgent = unixAgent(address);
  assert.is((await (await undiciFetch('http://localhost/_ping', { dispatcher: autoAgent })).text()), 'OK');
  await closeAll(auto, autoAgent);
});

serving('should pipeline requests on one kept-alive connection', async () => {
  const server = dockerLike();
  const listener = await serveHttp(server, at('pipe.sock'));
  // Raw: two requests in one write; the second asks the server to close.
  const raw = await connect(at('pipe.sock'));
  raw.write('GET /slow?ms=30&id=first HTTP/1.1\r\nHost: x\r\n\r\nGET /slow?ms=0&id=second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  const text = (await readAll(raw, 5000)).toString();
  const first = text.indexOf('\r\n\r\nfirst');
  const second = text.indexOf('\r\n\r\nsecond');
  assert.ok(first > 0 && second > first, text);
  assert.match(text, /Connection: close/i);
  // undici: one connection, pipelining 8.
  const pipelined = unixAgent(at('pipe.sock'), { connections: 1, pipelining: 8 });
  const before = server.connections;
  const replies = await Promise.all(Array.from({ length: 24 }, async (_, i) => {
    const r = await request(`http://localhost/slow?ms=${i % 3}&id=${i}`, { dispatcher: pipelined });
    return r.body.text();
  }));
  assert.equal(replies, Array.from({ length: 24 }, (_, i) => String(i)));
  assert.is(server.connections - before, 1, 'all 24 on one connection');
  await closeAll(listener, pipelined);
});

serving('should serve 400 concurrent requests over a bounded pool', async () => {
  const server = dockerLike();
  const listener = await serveHttp(server, at('many.sock'), { backlog: 64 });
  const agent = unixAgent(at('many.sock'), { connections: 32 });
  const replies = await within(Promise.all(Array.from({ length: 400 }, async (_, i) => {
    const r = await undiciFetch(`http://localhost/slow?ms=${i % 5}&id=${i}`, { dispatcher: agent });
    return r.text();
  })), 20000, '400 requests');
  assert.equal(replies, Array.from({ length: 400 }, (_, i) => String(i)));
  assert.ok(server.connections > 1 && server.connections <= 32, `${server.connections} connections`);
  await closeAll(listener, agent);
});

serving('should carry large request and response bodies', async () => {
  const listener = await serveHttp(dockerLike(), at('big.sock'));
  const agent = unixAgent(at('big.sock'));
  const payload = Buffer.alloc(8 << 20);
  for (let i = 0; i < payload.length; i += 4096) payload.writeUInt32LE(i, i);
  const echoed = Buffer.from(await (await undiciFetch('http://localhost/echo', { method: 'POST', body: payload, dispatcher: agent })).arrayBuffer());
  assert.is(echoed.length, payload.length);
  assert.ok(echoed.equals(payload), 'echoed body intact');
  const big = Buffer.from(await (await undiciFetch('http://localhost/big?n=6000000', { dispatcher: agent })).arrayBuffer());
  assert.is(big.length, 6000000);
  assert.ok(big.every((b) => b === 7));
  await closeAll(listener, agent);
});

serving('should close idle keep-alive connections after keepAliveTimeout, and on server.timeout', async () => {
  const server = dockerLike({ keepAliveTimeout: 200 });
  const listener = await serveHttp(server, at('ka.sock'));
  const raw = await connect(at('ka.sock'));
  raw.write('GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n');
  const start = Date.now();
  const all = (await readAll(raw, 8000)).toString();
  assert.match(all, /^HTTP\/1.1 200 OK/);
  assert.match(all, /Keep-Alive: timeout=0?\.?2?/i);
  assert.ok(Date.now() - start >= 150, `closed after ${Date.now() - start} ms`);

  server.timeout = 300;
  const idle = await connect(at('ka.sock'));
  const t0 = Date.now();
  assert.is((await readAll(idle, 5000)).length, 0);
  assert.ok(Date.now() - t0 >= 250, `idle connection closed after ${Date.now() - t0} ms`);
  idle.destroy();
  await closeAll(listener);
});

serving('should close together: the listener, the http server and idle connections', async () => {
  const server = dockerLike();
  const listener = await serveHttp(server, at('close.sock'));
  const raw = await connect(at('close.sock'));
  raw.write('GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n');
  await event(raw, 'data');
  const ended = readAll(raw, 5000);
  const closed = event(server, 'close');
  listener.close();
  await closed;
  await ended;
  assert.equal(readdirSync(tmp.path).filter((f) => f === 'close.sock'), [], 'socket file removed');

  const server2 = dockerLike();
  const listener2 = await serveHttp(server2, at('close2.sock'));
  const listenerClosed = event(listener2, 'close');
  server2.close();
  await listenerClosed;
  assert.is(listener2.listening, false);
});

serving('should give node:http the socket methods it calls', async () => {
  let seen: string[] = [];
  const server = http.createServer((req, res) => {
    const s = req.socket as unknown as Record<string, unknown>;
    seen = ['setTimeout', 'setNoDelay', 'setKeepAlive', 'destroySoon'].filter((m) => typeof s[m] === 'function');
    res.end();
  });
  const listener = await serveHttp(server, at('methods.sock'));
  const agent = unixAgent(at('methods.sock'));
  await (await undiciFetch('http://localhost/', { dispatcher: agent })).text();
  assert.equal(seen, ['setTimeout', 'setNoDelay', 'setKeepAlive', 'destroySoon']);
  await closeAll(listener, agent);
});

serving('should answer curl --unix-socket and --abstract-unix-socket, reusing the connection', async () => {
  if (!CURL) {
    console.log('  skipped: curl is not installed');
    return;
  }
  const server = dockerLike();
  const listener = await serveHttp(server, at('curl.sock'));
  const two = await curl(['-v', '--unix-socket', at('curl.sock'), 'http://localhost/v1.43/info', 'http://localhost/_ping']);
  assert.match(two.stdout, /"ServerVersion":"24.0.7",[^}]*\}OK$/);
  assert.match(two.stderr, /Re-using existing connection/);
  assert.is(server.connections, 1);
  const posted = await curl(['--unix-socket', at('curl.sock'), '-H', 'content-type: application/json', '-d', '{"Image":"busybox"}', 'http://localhost/v1.43/containers/create']);
  assert.is(JSON.parse(posted.stdout).Image, 'busybox');
  await closeAll(listener);

  const name = `us-curl-${process.pid}`;
  const abs = await serveHttp(dockerLike(), `\0${name}`);
  assert.is((await curl(['--abstract-unix-socket', name, 'http://localhost/_ping'])).stdout, 'OK');
  await closeAll(abs);
});

serving('should fetch http+unix URLs with unixFetch', async () => {
  const listener = await serveHttp(dockerLike(), at('uf.sock'));
  const res = await unixFetch(formatUnixUrl(at('uf.sock'), '/v1.43/info'));
  assert.is((await res.json() as { ID: string }).ID, 'unixsock-test');
  const posted = await unixFetch(`${formatUnixUrl(at('uf.sock'))}v1.43/containers/create`, { method: 'POST', body: '{"Image":"x"}' });
  assert.is(posted.status, 201);
  await posted.text();
  await closeAll(listener);
});

serving('should refuse bad input at every entry point, creating nothing', async () => {
  const dir = makeTempDir('us-hb');
  const before = await openFds();
  const bad: [unknown, string][] = [
    [join(dir.path, 'x'.repeat(120)), 'ERR_INVALID_ARG_VALUE'],
    [join(dir.path, 'nul\0inside'), 'ERR_INVALID_ARG_VALUE'],
    ['', 'ERR_INVALID_ARG_VALUE'],
    [join(dir.path, 'lone-\ud800'), 'ERR_INVALID_ARG_VALUE'],
    [`\0${'y'.repeat(120)}`, 'ERR_INVALID_ARG_VALUE'],
    [42, 'ERR_INVALID_ARG_TYPE'],
    [null, 'ERR_INVALID_ARG_TYPE'],
  ];
  for (const [addr, code] of bad) {
    await expectCode(serveHttp(http.createServer(), addr), code);
    await expectCode(() => unixAgent(addr), code);
  }
  await expectCode(serveHttp({} as http.Server, join(dir.path, 'a.sock')), 'ERR_INVALID_ARG_TYPE');
  await expectCode(serveHttp(http.createServer(), join(dir.path, 'a.sock'), 'x' as never), 'ERR_INVALID_ARG_TYPE');
  await expectCode(() => unixAgent({ unnamed: true }), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => unixAgent(join(dir.path, 'a.sock'), { connectTimeout: -1 }), 'ERR_INVALID_ARG_VALUE');
  for (const url of [`http+unix://${encodeURIComponent(join(dir.path, 'x'.repeat(120)))}/`, 'http+unix://%2Fa%00b/', 'http+unix:///', 'http://localhost/', 'http+unix://%2Fa\ud800/']) {
    await expectCode(unixFetch(url), 'ERR_INVALID_ARG_VALUE');
  }
  await expectCode(unixFetch(42 as unknown as string), 'ERR_INVALID_ARG_TYPE');
  assert.equal(readdirSync(dir.path), [], 'nothing created');
  assert.is(await openFds(), before, 'no descriptor leaked');
  dir.remove();
});

serving('should fail requests with the connect error, and refuse https', async () => {
  const agent = unixAgent(at('nobody.sock'));
  try {
    await undiciFetch('http://localhost/', { dispatcher: agent });
    assert.unreachable('fetched from nothing');
  } catch (err) {
    assert.is(((err as Error).cause as { code: string }).code, 'ENOENT');
  }
  const listener = await serveHttp(dockerLike(), at('tls.sock'));
  const tls = unixAgent(at('tls.sock'));
  try {
    await undiciFetch('https://localhost/_ping', { dispatcher: tls });
    assert.unreachable('https went out in clear text');
  } catch (err) {
    assert.is(((err as Error).cause as { code: string }).code, 'ERR_INVALID_ARG_VALUE');
  }
  await closeAll(listener, agent, tls);
});

serving('should load undici only when an HTTP client is first made', () => {
  const moduleUrl = new URL('../../host/http.js', import.meta.url).href;
  const script = `import { createRequire } from 'node:module';
const { unixAgent } = await import(${JSON.stringify(moduleUrl)});
const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/undici/'));
const before = loaded();
await unixAgent('/x').close();
console.log(JSON.stringify([before, loaded()]));`;
  const r = spawnSync(NODE[0]!, [...NODE.slice(1), '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20000 });
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), [false, true]);
});

serving.run();
