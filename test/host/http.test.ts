// host/http/serve.ts: node:http served on unixsock addresses (paths, abstract
// names, autobind), reached by undici (fetch, request), Node's global fetch,
// raw sockets and curl; keep-alive, pipelining, concurrency, large bodies,
// timeouts, closing, and bad input.
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as Undici from 'undici';
import type { Agent } from 'undici';
import { connect, formatAddress, type UnixServer, UnixSocket } from '../../host/index.js';
import { forceNetHandover } from '../../host/native/net-handover.js';
import { serveHttp } from '../../host/http/serve.js';
import { unixAgent, unixFetch } from '../../host/http/agent.js';
import { formatUnixUrl } from '../../host/dial.js';
import { RUNTIME } from '../../host/native/runtime.js';
import { assertDescriptorsAsBefore, descriptorBaseline } from '../_helpers/descriptors.js';
import { expectCode } from '../_helpers/expect.js';
import { scriptArgv } from '../_helpers/runtime.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { event, readAll, within } from '../_helpers/wait.js';

// The undici package, by its file path: Bun answers `import 'undici'` with a
// built-in stand-in that ignores `dispatcher` (unixAgent() loads it the same way).
const undiciManifest = createRequire(import.meta.url).resolve('undici/package.json');
const { fetch: undiciFetch, request } = createRequire(import.meta.url)(join(dirname(undiciManifest), 'index.js')) as typeof Undici;

const tmp = makeTempDir('us-h');
const at = tmp.at;
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
    } else if (url.pathname === '/headers') {
      res.setHeader('x-dupe', ['first', 'second']);
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('x-latin1', Buffer.from('caf\xe9', 'latin1').toString('latin1'));
      res.addTrailers({ 'x-trailer': 'last' });
      res.setHeader('trailer', 'x-trailer');
      res.end('with trailers');
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

/**
 * Whether the runtime's global fetch routes through an undici `dispatcher`:
 * Node's does; Bun's and Deno's never read the option (nor does the
 * `undici` module Bun substitutes for the package), so a request goes to its
 * URL's own host. unixsock cannot see such a call to refuse it.
 */
const FETCH_TAKES_DISPATCHER = RUNTIME.name === 'node';
/** The global fetch where it takes a dispatcher, else the undici package's. */
const runtimeFetch = (FETCH_TAKES_DISPATCHER ? fetch : undiciFetch) as typeof fetch;

/** A loopback TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Asserts that the global fetch ignores `agent`: the request goes to its URL's (closed) TCP port, not the socket. */
async function ignoresDispatcher(agent: Agent, server?: { connections: number }): Promise<void> {
  const before = server?.connections;
  const url = `http://127.0.0.1:${await closedPort()}/_ping`;
  const outcome = await fetch(url, { dispatcher: agent } as RequestInit).then((r) => `answered ${r.status}`, (err: Error) => err);
  assert.ok(outcome instanceof Error, `${RUNTIME.name}'s fetch went through the dispatcher (${String(outcome)}): it takes one now`);
  if (server !== undefined) assert.is(server.connections, before, 'nothing reached the socket');
}

async function closeAll(listener: UnixServer, ...agents: Agent[]): Promise<void> {
  for (const a of agents) await a.close();
  await new Promise<void>((resolve) => listener.close(() => resolve()));
}

// ---

const serving = suite('serveHttp + unixAgent');
/** The cases that run again on the Duplex path (runtimes whose node:net takes no descriptor). */
const cases: [string, () => Promise<void>][] = [];
const both = (name: string, fn: () => Promise<void>): void => {
  serving(name, fn);
  cases.push([name, fn]);
};

both('should answer a Docker-like API through undici fetch, Node\'s fetch and undici.request', async () => {
  const server = dockerLike();
  const listener = await serveHttp(server, at('docker.sock'), { mode: 0o600 });
  // One connection at most: a second one would mean the server did not keep it alive.
  const agent = unixAgent(at('docker.sock'), { connections: 1 });
  const info = await undiciFetch('http://localhost/v1.43/info', { dispatcher: agent });
  assert.is(info.status, 200);
  assert.is(info.headers.get('content-type'), 'application/json');
  assert.equal(await info.json(), { ID: 'unixsock-test', Containers: 3, ServerVersion: '24.0.7', OperatingSystem: 'unixsock' });
  if (!FETCH_TAKES_DISPATCHER) await ignoresDispatcher(agent, server);
  for (let i = 0; i < 10; i++) assert.is(await (await runtimeFetch('http://localhost/_ping', { dispatcher: agent } as RequestInit)).text(), 'OK');
  const body = JSON.stringify({ Image: 'alpine', Cmd: ['echo', 'hi'] });
  const created = await runtimeFetch('http://localhost/v1.43/containers/create', {
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

both('should serve abstract names and autobound addresses', async () => {
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

serving('should take undici\'s controller-API handlers (Node 26\'s fetch) with pause, resume, trailers and abort', async () => {
  const listener = await serveHttp(dockerLike(), at('handlers.sock'));
  const agent = unixAgent(at('handlers.sock'), { connections: 1 });
  type Seen = { calls: string[]; status?: number; headers?: Record<string, unknown>; raw?: unknown; body: Buffer[]; trailers?: unknown; error?: Error };
  const dispatch = (path: string, onStart?: (c: { pause(): void; resume(): void; abort(e: Error): void }) => void): Promise<Seen> => new Promise((resolve) => {
    const seen: Seen = { calls: [], body: [] };
    agent.dispatch({ origin: 'http://localhost', path, method: 'GET' }, {
      onRequestStart() { seen.calls.push('start'); },
      onResponseStart(controller: { pause(): void; resume(): void; abort(e: Error): void; rawHeaders?: unknown }, status: number, headers: Record<string, unknown>) {
        seen.calls.push('response');
        [seen.status, seen.headers, seen.raw] = [status, headers, controller.rawHeaders];
        onStart?.(controller);
      },
      onResponseData(controller: { pause(): void; resume(): void }, chunk: Buffer) {
        // Pause after every chunk; the response continues only through resume().
        seen.body.push(chunk);
        controller.pause();
        setTimeout(() => controller.resume(), 1);
      },
      onResponseEnd(_controller: unknown, trailers: unknown) {
        seen.calls.push('end');
        seen.trailers = trailers;
        resolve(seen);
      },
      onResponseError(_controller: unknown, error: Error) {
        seen.calls.push('error');
        seen.error = error;
        resolve(seen);
      },
    } as never);
  });
  const plain = await dispatch('/headers');
  assert.equal(plain.calls, ['start', 'response', 'end']);
  assert.is(plain.status, 200);
  assert.equal(plain.headers!['x-dupe'], ['first', 'second']);
  assert.equal(plain.headers!['set-cookie'], ['a=1', 'b=2']);
  // Bun's node:http sends a header value as UTF-8 (Node's and Deno's: latin1); it is read back byte for byte.
  assert.is(plain.headers!['x-latin1'], RUNTIME.name === 'bun' ? Buffer.from('caf\xe9', 'utf8').toString('latin1') : 'caf\xe9');
  assert.ok(Array.isArray(plain.raw) && (plain.raw as Buffer[]).some((b) => b.toString() === 'x-dupe'), 'raw headers on the controller');
  assert.is(Buffer.concat(plain.body).toString(), 'with trailers');
  // Bun's node:http drops res.addTrailers() (it sends Content-Length, no chunked trailer section).
  assert.equal(plain.trailers, RUNTIME.name === 'bun' ? {} : { 'x-trailer': 'last' });
  // 6 MB, paused after every chunk: nothing lost, nothing duplicated.
  const big = await dispatch('/big?n=6000000');
  assert.is(Buffer.concat(big.body).length, 6000000);
  assert.ok(big.body.length > 1, `${big.body.length} chunks`);
  const aborted = await dispatch('/big?n=6000000', (c) => c.abort(Object.assign(new Error('enough'), { code: 'ETEST' })));
  assert.equal(aborted.calls, ['start', 'response', 'error']);
  assert.is((aborted.error as { code?: string }).code, 'ETEST');
  // The connection survives for the next request.
  assert.is(Buffer.concat((await dispatch('/_ping')).body).toString(), 'OK');
  const nobody = unixAgent(at('nobody-handlers.sock'));
  const refused = await new Promise<Error>((resolve) => {
    nobody.dispatch({ origin: 'http://localhost', path: '/', method: 'GET' }, { onResponseError: (_c: unknown, e: Error) => resolve(e) } as never);
  });
  assert.is((refused as { code?: string }).code, 'ENOENT');
  // Node's own fetch, whatever undici it bundles: repeated headers joined, a big body streamed.
  if (!FETCH_TAKES_DISPATCHER) await ignoresDispatcher(agent);
  const res = await runtimeFetch('http://localhost/headers', { dispatcher: agent } as RequestInit);
  assert.is(res.headers.get('x-dupe'), 'first, second');
  assert.equal(res.headers.getSetCookie(), ['a=1', 'b=2']);
  assert.is(await res.text(), 'with trailers');
  const streamed = await runtimeFetch('http://localhost/big?n=6000000', { dispatcher: agent } as RequestInit);
  let total = 0;
  for await (const chunk of streamed.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    await new Promise((r) => setImmediate(r));
  }
  assert.is(total, 6000000);
  await closeAll(listener, agent, nobody);
});

both('should pipeline requests on one kept-alive connection', async () => {
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

both('should carry large request and response bodies', async () => {
  const listener = await serveHttp(dockerLike(), at('big.sock'));
  const agent = unixAgent(at('big.sock'));
  const payload = Buffer.alloc((16 << 20) + 1);
  for (let i = 0; i + 4 <= payload.length; i += 4096) payload.writeUInt32LE(i, i);
  const echoed = Buffer.from(await (await undiciFetch('http://localhost/echo', { method: 'POST', body: payload, dispatcher: agent })).arrayBuffer());
  assert.is(echoed.length, payload.length);
  assert.ok(echoed.equals(payload), 'echoed body intact');
  const big = Buffer.from(await (await undiciFetch(`http://localhost/big?n=${(16 << 20) + 1}`, { dispatcher: agent })).arrayBuffer());
  assert.is(big.length, (16 << 20) + 1);
  assert.ok(big.every((b) => b === 7));
  await closeAll(listener, agent);
});

both('should close idle keep-alive connections after keepAliveTimeout, and on server.timeout', async () => {
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

both('should close together: the listener, the http server and idle connections', async () => {
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

both('should give node:http the socket methods it calls', async () => {
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

both('should answer curl --unix-socket and --abstract-unix-socket, reusing the connection', async () => {
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
  const before = await descriptorBaseline();
  const bad: [unknown, string][] = [
    [dir.at('x'.repeat(120)), 'ERR_INVALID_ARG_VALUE'],
    [dir.at('nul\0inside'), 'ERR_INVALID_ARG_VALUE'],
    ['', 'ERR_INVALID_ARG_VALUE'],
    [dir.at('lone-\ud800'), 'ERR_INVALID_ARG_VALUE'],
    [`\0${'y'.repeat(120)}`, 'ERR_INVALID_ARG_VALUE'],
    [42, 'ERR_INVALID_ARG_TYPE'],
    [null, 'ERR_INVALID_ARG_TYPE'],
  ];
  for (const [addr, code] of bad) {
    await expectCode(serveHttp(http.createServer(), addr), code);
    await expectCode(() => unixAgent(addr), code);
  }
  await expectCode(serveHttp({} as http.Server, dir.at('a.sock')), 'ERR_INVALID_ARG_TYPE');
  await expectCode(serveHttp(http.createServer(), dir.at('a.sock'), 'x' as never), 'ERR_INVALID_ARG_TYPE');
  await expectCode(() => unixAgent({ unnamed: true }), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => unixAgent(dir.at('a.sock'), { connectTimeout: -1 }), 'ERR_OUT_OF_RANGE');
  for (const url of [`http+unix://${encodeURIComponent(dir.at('x'.repeat(120)))}/`, 'http+unix://%2Fa%00b/', 'http+unix:///', 'http://localhost/', 'http+unix://%2Fa\ud800/']) {
    await expectCode(unixFetch(url), 'ERR_INVALID_ARG_VALUE');
  }
  await expectCode(unixFetch(42 as unknown as string), 'ERR_INVALID_ARG_TYPE');
  assert.equal(readdirSync(dir.path), [], 'nothing created');
  await assertDescriptorsAsBefore(before, 'no descriptor leaked');
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
  const moduleUrl = new URL('../../host/http/agent.js', import.meta.url).href;
  const script = `import { createRequire } from 'node:module';
const { unixAgent } = await import(${JSON.stringify(moduleUrl)});
const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/undici/'));
const before = loaded();
await unixAgent('/x').close();
console.log(JSON.stringify([before, loaded()]));`;
  const file = at('load-undici.mjs');
  writeFileSync(file, script);
  const [cmd, ...argv] = scriptArgv(file);
  const r = spawnSync(cmd!, argv, { encoding: 'utf8', timeout: 20000 });
  unlinkSync(file);
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), [false, true]);
});

both('should run each connection on the path the runtime allows, with the peer\'s credentials', async () => {
  const seen: { net: boolean; unixsock: boolean; pid: number; uid: number }[] = [];
  const server = http.createServer((req, res) => {
    const socket = req.socket as net.Socket & { peerCredentials(): { pid: number; uid: number } };
    const { pid, uid } = socket.peerCredentials();
    seen.push({ net: !((socket as unknown) instanceof UnixSocket) && socket instanceof net.Socket, unixsock: (socket as unknown) instanceof UnixSocket, pid, uid });
    res.end(String(pid));
  });
  const listener = await serveHttp(server, at('creds.sock'));
  const agent = unixAgent(at('creds.sock'));
  assert.is(await (await undiciFetch('http://localhost/', { dispatcher: agent })).text(), String(process.pid));
  const onDescriptor = (await import('../../host/native/net-handover.js')).netHandoverKnown();
  assert.equal(seen, [{ net: onDescriptor === true, unixsock: onDescriptor === false, pid: process.pid, uid: process.getuid!() }]);
  if (CURL) {
    // Another process: its pid, not ours.
    const child = await curl(['--unix-socket', at('creds.sock'), 'http://localhost/']);
    assert.ok(Number(child.stdout) > 0 && Number(child.stdout) !== process.pid, child.stdout);
  }
  await closeAll(listener, agent);
});

both('should upgrade a connection (a WebSocket handshake) and carry bytes both ways after it', async () => {
  const server = dockerLike();
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    if (head.length > 0) socket.write(head);
    socket.on('data', (d: Buffer) => socket.write(d));
    socket.on('end', () => socket.end());
  });
  const listener = await serveHttp(server, at('ws.sock'));
  const raw = await connect(at('ws.sock'));
  raw.write('GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  let got = '';
  raw.setEncoding('latin1');
  raw.on('data', (d: string) => {
    got += d;
    if (got.endsWith('\r\n\r\n')) raw.end('ping after upgrade');
  });
  await within(event(raw, 'end'), 5000, 'upgrade echo');
  assert.match(got, /^HTTP\/1.1 101 Switching Protocols\r\n/);
  assert.match(got, /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
  assert.ok(got.endsWith('\r\n\r\nping after upgrade'), got);
  raw.destroy();
  await closeAll(listener);
});

serving.run();

const duplex = suite('serveHttp + unixAgent on the Duplex path (node:net taking no descriptor, as on Bun)');
duplex.before(() => forceNetHandover(false));
duplex.after(() => {
  forceNetHandover(undefined);
  tmp.remove();
});
if (RUNTIME.name === 'deno') {
  // Deno's node:net takes descriptors, so serveHttp never takes the Duplex
  // path there; and Deno's node:http (2.9.6) closes a connection handed in by
  // 'connection' after its first response, so forcing the path would test Deno.
  duplex('should never take the Duplex path on Deno', async () => {
    forceNetHandover(undefined);
    assert.is(await (await import('../../host/native/net-handover.js')).netTakesDescriptors(), true);
  });
} else {
  for (const [name, fn] of cases) duplex(name, fn);
}
duplex.run();
