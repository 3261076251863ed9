// UnixSocket.toNetSocket(): HTTP/2 (http2.connect with createConnection,
// http2.createServer served by serveHttp) and TLS (tls.connect({ socket }),
// an https server) over an exact abstract name node:net cannot spell (bytes
// that are not UTF-8, an inner NUL), socketpair ends, and bad calls.
import { execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, serveHttp, socketPair } from '../../host/index.js';
import { forceNetHandover, netTakesDescriptors } from '../../host/native/net-handover.js';
import { assertDescriptorsAsBefore, descriptorBaseline } from '../_helpers/descriptors.js';
import { plainEnv } from '../_helpers/env.js';
import { expectCode } from '../_helpers/expect.js';
import { moduleArgv } from '../_helpers/runtime.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { event, readAll, within } from '../_helpers/wait.js';

const tmp = makeTempDir('us-nh');
const OPENSSL = spawnSync('sh', ['-c', 'command -v openssl']).status === 0;
/** An abstract name with bytes that are not UTF-8 and an inner NUL: node:net takes names as strings and cannot reach it. */
const name = (tag: string): { abstract: Buffer } => ({ abstract: Buffer.concat([Buffer.from(`us-nh-${tag}-${process.pid}-`), Buffer.from([0xff, 0x00, 0xfe])]) });

const handover = suite('toNetSocket');
handover.after(() => tmp.remove());

handover('should carry HTTP/2 over an abstract name node:net cannot spell', async () => {
  if (!(await netTakesDescriptors())) {
    console.log('  skipped: node:net on this runtime takes no descriptor');
    return;
  }
  const addr = name('h2');
  // node:net cannot name it: its string form is UTF-8, which has no 0xff.
  assert.not.ok(Buffer.from(`\0${addr.abstract.toString('latin1')}`).equals(Buffer.concat([Buffer.from([0]), addr.abstract])));
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    stream.respond({ ':status': 200, 'content-type': 'text/plain' });
    stream.end(`h2 ${String(headers[':path'])}`);
  });
  const listener = await serveHttp(server, addr);
  const socket = (await connect(addr)).toNetSocket();
  assert.ok(socket instanceof net.Socket);
  const session = http2.connect('http://localhost', { createConnection: () => socket });
  const ask = (path: string): Promise<[number, string]> => within(new Promise((resolve, reject) => {
    const req = session.request({ ':path': path });
    let status = 0;
    let body = '';
    req.on('response', (h) => { status = Number(h[':status']); });
    req.setEncoding('utf8').on('data', (d: string) => { body += d; });
    req.on('end', () => resolve([status, body]));
    req.on('error', reject);
  }), 5000, `h2 ${path}`);
  // Three streams on one session, concurrently.
  assert.equal(await Promise.all(['/a', '/b', '/c'].map(ask)), [[200, 'h2 /a'], [200, 'h2 /b'], [200, 'h2 /c']]);
  await new Promise<void>((resolve) => session.close(() => resolve()));
  await new Promise((resolve) => listener.close(resolve));
});

handover('should carry TLS (tls.connect({ socket })) to an https server over an abstract name', async () => {
  if (!OPENSSL) {
    console.log('  skipped: openssl is not installed (needed for a test certificate)');
    return;
  }
  if (!(await netTakesDescriptors())) {
    console.log('  skipped: node:net on this runtime takes no descriptor');
    return;
  }
  const [key, cert] = [join(tmp.path, 'key.pem'), join(tmp.path, 'cert.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore', timeout: 20000 });
  const ca = readFileSync(cert);
  const server = https.createServer({ key: readFileSync(key), cert: ca }, (req, res) => {
    res.end(`tls ${req.url} ${(req.socket as tls.TLSSocket).getProtocol()}`);
  });
  const addr = name('tls');
  const listener = await serveHttp(server, addr);
  const secure = tls.connect({ socket: (await connect(addr)).toNetSocket(), ca, servername: 'localhost' });
  await event(secure, 'secureConnect');
  assert.ok(secure.authorized, String(secure.authorizationError));
  secure.write('GET /secret HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
  const text = (await readAll(secure, 5000)).toString();
  assert.match(text, /^HTTP\/1.1 200 OK/);
  assert.match(text, /\r\n\r\ntls \/secret TLSv1.3$/);
  await new Promise((resolve) => listener.close(resolve));
});

handover('should hand over a socketpair end: bytes both ways, half-close, no descriptor left', async () => {
  if (!(await netTakesDescriptors())) {
    console.log('  skipped: node:net on this runtime takes no descriptor');
    return;
  }
  const before = await descriptorBaseline();
  const [a, b] = socketPair({ allowHalfOpen: true });
  const closed = event(a, 'close');
  const s = a.toNetSocket();
  // Listening from the start: once both directions have ended, the
  // net.Socket destroys itself (autoDestroy), and on Deno its 'close' can
  // come before the exchange below has returned.
  const netClosed = once(s, 'close');
  await closed;
  assert.is(a.fd, -1, 'the UnixSocket let go of its descriptor');
  s.write('to b');
  b.write('to a');
  b.end();
  const [fromB, fromA] = await Promise.all([readAll(s), (async () => {
    const chunks: Buffer[] = [];
    b.on('data', (c: Buffer) => {
      chunks.push(c);
      if (Buffer.concat(chunks).length === 4) s.end();
    });
    await event(b, 'end');
    return Buffer.concat(chunks);
  })()]);
  assert.is(fromB.toString(), 'to a');
  assert.is(fromA.toString(), 'to b');
  s.destroy();
  b.destroy();
  await within(netClosed, 5000, 'the net.Socket\'s \'close\'');
  await assertDescriptorsAsBefore(before, 'no descriptor leaked');
});

handover('should refuse a closed, a reading, a written or a descriptor-listening socket, leaving it as it was', async () => {
  const before = await descriptorBaseline();
  const [a, b] = socketPair();
  // A 'descriptors' listener: a net.Socket would drop what it waits for.
  const onFds = (): void => {};
  a.on('descriptors', onFds);
  await expectCode(() => a.toNetSocket(), 'ERR_INVALID_STATE');
  a.off('descriptors', onFds);
  // Written: refused; the socket still works.
  a.write('x');
  await expectCode(() => a.toNetSocket(), 'ERR_INVALID_STATE');
  b.once('data', (d: Buffer) => b.write(d));
  const [echo] = await event(a, 'data') as [Buffer];
  assert.is(echo.toString(), 'x');
  // Flowing (a 'data' listener, before any read happened): refused.
  const [c, d] = socketPair();
  c.on('data', () => {});
  await expectCode(() => c.toNetSocket(), 'ERR_INVALID_STATE');
  // Where node:net takes no descriptor: refused with ERR_NOT_SUPPORTED, the socket unchanged.
  forceNetHandover(false);
  try {
    await expectCode(() => d.toNetSocket(), 'ERR_NOT_SUPPORTED');
  } finally {
    forceNetHandover(undefined);
  }
  assert.ok(d.fd >= 0 && !d.destroyed);
  // Closed.
  d.destroy();
  await expectCode(() => d.toNetSocket(), 'ERR_SOCKET_CLOSED');
  for (const s of [a, b, c]) s.destroy();
  await event(c, 'close');
  await assertDescriptorsAsBefore(before, 'no descriptor leaked');
});

handover('should probe node:net right when the event loop is blocked past the probe\'s time at the start', async () => {
  // A fresh process: the verdict is probed once per process. It starts the
  // probe, then blocks its loop for 1.5 s (longer than the probe waits).
  const probe = new URL('../../host/native/net-handover.js', import.meta.url).href;
  const child = `
    import { netTakesDescriptors } from ${JSON.stringify(probe)};
    const verdict = netTakesDescriptors();
    const started = performance.now();
    while (performance.now() - started < 1500);
    console.log(JSON.stringify({ verdict: await verdict }));`;
  const [command, ...args] = moduleArgv(child);
  const r = spawnSync(command!, args, { encoding: 'utf8', timeout: 20000, env: plainEnv() });
  assert.is(r.status, 0, `the child: ${r.error?.message ?? r.signal ?? ''} ${r.stderr}`);
  // The same verdict as this process's unblocked probe: true on Node and Deno, false on Bun.
  assert.equal(JSON.parse(r.stdout.trim()), { verdict: await netTakesDescriptors() });
});

handover.run();
