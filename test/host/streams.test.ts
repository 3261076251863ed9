// host/streams.ts, server.ts, socket.ts: the stream API as users call it,
// over real sockets.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, createConnection, createServer, listen, socketPair, UnixServer, UnixSocket } from '../../host/index.js';
import { assertDescriptorsAsBefore, descriptorBaseline } from '../_helpers/descriptors.js';
import { moduleArgv } from '../_helpers/runtime.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { event, readAll, within } from '../_helpers/wait.js';

const tmp = makeTempDir('us-t');
const at = tmp.at;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function echoServer(addr: unknown): Promise<UnixServer> {
  const server = await listen(addr);
  server.on('connection', (s: UnixSocket) => s.pipe(s));
  return server;
}

async function expectError(p: Promise<unknown> | (() => unknown), code: string): Promise<Error & { code: string; syscall?: string }> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    assert.is((err as { code: string }).code, code, String(err));
    return err as Error & { code: string };
  }
  assert.unreachable(`expected ${code}`);
  throw new Error('unreachable');
}

const basics = suite('stream sockets');

basics('should echo over a path and unlink the socket file on close', async () => {
  const path = at('echo.sock');
  const server = await echoServer(path);
  assert.equal(server.address(), { path });
  assert.is(server.path, path);
  assert.ok(lstatSync(path).isSocket());
  const c = await connect(path);
  assert.equal(c.remoteAddress, { path });
  assert.equal(c.localAddress, { unnamed: true });
  c.end('hello');
  assert.is((await readAll(c)).toString(), 'hello');
  server.close();
  await event(server, 'close');
  assert.not.ok(existsSync(path));
});

basics('should echo over an abstract name of exact length with an inner NUL', async () => {
  const name = `\0us-${process.pid}\0x`;
  const server = await echoServer(name);
  assert.equal(server.address(), { abstract: Buffer.from(name.slice(1)) });
  await expectError(connect(`\0us-${process.pid}`), 'ECONNREFUSED'); // a prefix is another name
  const c = await connect({ abstract: Buffer.from(name.slice(1)) });
  c.end('abstract');
  assert.is((await readAll(c)).toString(), 'abstract');
  server.close();
});

basics('should move 16 MiB both ways with back-pressure and no loss', async () => {
  const server = await echoServer(at('big.sock'));
  const c = await connect(at('big.sock'));
  const data = randomBytes(16 * 1024 * 1024);
  const received = readAll(c, 30000);
  for (let off = 0; off < data.length; off += 65536) {
    if (!c.write(data.subarray(off, off + 65536))) await event(c, 'drain', 10000);
  }
  c.end();
  assert.is(sha(await received), sha(data));
  server.close();
});

basics('should half-close: end() is shutdown(SHUT_WR) and the peer can still reply', async () => {
  const server = await listen(at('half.sock'), { allowHalfOpen: true });
  server.on('connection', (s: UnixSocket) => {
    // Events, not for-await: a readable's async iterator destroys it at the end.
    let got = 0;
    s.on('data', (chunk: Buffer) => { got += chunk.length; });
    s.on('end', () => s.end(`got ${got}`));
  });
  const c = await connect(at('half.sock'), { allowHalfOpen: true });
  c.end('12345');
  assert.is((await readAll(c)).toString(), 'got 5');
  server.close();
});

basics('should report EPIPE when writing after the peer closed, without a signal', async () => {
  const server = await listen(at('pipe.sock'));
  const accepted = server.accept();
  const c = await connect(at('pipe.sock'));
  (await accepted).destroy();
  await new Promise((r) => setTimeout(r, 20));
  c.on('error', () => {});
  c.write(Buffer.alloc(1024));
  const [err] = (await event(c, 'error')) as [Error & { code: string; syscall: string }];
  assert.ok(['EPIPE', 'ECONNRESET'].includes(err.code), err.code);
  server.close();
});

basics('should give peer credentials of this process', async () => {
  const server = await listen(at('cred.sock'));
  const accepted = server.accept();
  const c = await connect(at('cred.sock'));
  const s = await accepted;
  assert.equal(s.peerCredentials(), { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
  assert.equal(c.peerCredentials(), { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
  c.destroy();
  s.destroy();
  server.close();
});

basics('should accept with accept(), acceptReady(), the async iterator, and abort', async () => {
  const server = await listen(at('acc.sock'));
  assert.is(server.acceptReady(), false);
  const c1 = await connect(at('acc.sock'));
  assert.is(server.acceptReady(), true);
  const s1 = await within(server.accept());
  const ac = new AbortController();
  const pending = server.accept({ signal: ac.signal });
  ac.abort();
  await expectError(pending, 'ABORT_ERR');
  const clients = [await connect(at('acc.sock')), await connect(at('acc.sock'))];
  const seen: UnixSocket[] = [];
  for await (const s of server) {
    seen.push(s);
    if (seen.length === 2) break;
  }
  assert.is(seen.length, 2);
  const waiting = server.accept();
  server.close();
  await expectError(waiting, 'ERR_SERVER_NOT_RUNNING');
  for (const s of [c1, s1, ...clients, ...seen]) s.destroy();
});

basics('should work node:net style with createServer and createConnection', async () => {
  const path = at('net.sock');
  const server = createServer((s) => s.pipe(s));
  server.listen(path);
  await event(server, 'listening');
  const c = createConnection(path);
  await event(c, 'connect');
  c.end('net style');
  assert.is((await readAll(c)).toString(), 'net style');
  server.close();
  const failed = createConnection(at('missing.sock'));
  const [err] = (await event(failed, 'error')) as [{ code: string }];
  assert.is(err.code, 'ENOENT');
});

basics('should pair sockets and hand one end to a child process', async () => {
  const [a, b] = socketPair();
  a.write('ping');
  assert.is(String((await event(b, 'data'))[0]), 'ping');
  const [parent, child] = socketPair();
  // The child adopts its fd 3 (node:fs would not do on Deno: it refuses descriptors Deno did not open).
  const script = `import { fromFd } from ${JSON.stringify(new URL('../../host/index.js', import.meta.url).href)};
    fromFd(3).end('from child');`;
  const { spawn } = await import('node:child_process');
  const [cmd, ...argv] = moduleArgv(script);
  const proc = spawn(cmd!, argv, { stdio: ['ignore', 'inherit', 'inherit', child.fd] });
  child.destroy();
  await event(proc, 'exit', 10000);
  assert.is((await readAll(parent.setEncoding('utf8') as unknown as AsyncIterable<string>)).toString(), 'from child');
  for (const s of [a, b]) s.destroy();
});

basics('should apply mode with no wider window', async () => {
  const path = at('mode.sock');
  const server = await listen(path, { mode: 0o600 });
  assert.is(statSync(path).mode & 0o777, 0o600);
  server.close();
});

basics.run();

// ---

const faults = suite('stream sockets: faults');
faults.after(() => tmp.remove());

faults('should map connect failures: ENOENT, ECONNREFUSED for a file and a stale socket', async () => {
  const e = await expectError(connect(at('none.sock')), 'ENOENT');
  assert.is(e.syscall, 'connect');
  writeFileSync(at('plain'), '');
  await expectError(connect(at('plain')), 'ECONNREFUSED');
  const stale = await listen(at('stale.sock'), { unlinkOnClose: false });
  stale.close();
  await event(stale, 'close');
  await expectError(connect(at('stale.sock')), 'ECONNREFUSED');
  const revived = await listen(at('stale.sock'));
  const c = await connect(at('stale.sock'));
  c.destroy();
  revived.close();
});

faults('should refuse a live server\'s path with EADDRINUSE and leave it serving', async () => {
  const path = at('live.sock');
  const server = await echoServer(path);
  const e = await expectError(listen(path), 'EADDRINUSE');
  assert.is(e.syscall, 'bind');
  const c = await connect(path);
  c.end('still here');
  assert.is((await readAll(c)).toString(), 'still here');
  server.close();
});

faults('should reject bad input at every entry point, creating nothing', async () => {
  const before = readdirSync(tmp.path).sort();
  const cases: [unknown, string][] = [
    [at('x'.repeat(120)), 'ERR_INVALID_ARG_VALUE'],
    [at('a\0b'), 'ERR_INVALID_ARG_VALUE'],
    ['', 'ERR_INVALID_ARG_VALUE'],
    [Buffer.from([0x2f, 0xff, 0]), 'ERR_INVALID_ARG_VALUE'],
    [`${tmp.path}/\ud800`, 'ERR_INVALID_ARG_VALUE'],
    [42, 'ERR_INVALID_ARG_TYPE'],
    [null, 'ERR_INVALID_ARG_TYPE'],
    [{ port: 80 }, 'ERR_INVALID_ARG_TYPE'],
  ];
  for (const [addr, code] of cases) {
    await expectError(listen(addr), code);
    await expectError(connect(addr), code);
    await expectError(() => createServer().bind(addr), code);
    await expectError(() => createConnection(addr), code);
  }
  await expectError(listen(at('o.sock'), { backlog: -1 }), 'ERR_OUT_OF_RANGE');
  await expectError(listen(at('o.sock'), { mode: 0o7777 }), 'ERR_OUT_OF_RANGE');
  assert.equal(readdirSync(tmp.path).sort(), before);
});

faults('should leave the fd count unchanged after 10,000 connect/accept/close cycles', async () => {
  const server = await listen(at('cycle.sock'));
  const fds = await descriptorBaseline();
  for (let i = 0; i < 10000; i++) {
    const accepted = server.accept();
    const c = await connect(at('cycle.sock'));
    const s = await accepted;
    c.destroy();
    s.destroy();
  }
  await new Promise((r) => setImmediate(r));
  await assertDescriptorsAsBefore(fds);
  server.close();
});

faults('should surface EMFILE and keep serving once descriptors free up', () => {
  const path = JSON.stringify(at('emfile.sock'));
  const script = `
    import { closeSync, openSync } from 'node:fs';
    import { listen, connect } from ${JSON.stringify(new URL('../../host/index.js', import.meta.url).href)};
    const server = await listen(${path});
    const errors = [];
    server.on('error', (e) => errors.push(e.code + ':' + e.syscall));
    const accepted = new Promise((resolve) => server.once('connection', resolve));
    const hog = [];
    try { for (;;) hog.push(openSync('/dev/null', 'r')); } catch {}
    closeSync(hog.pop()); // exactly one descriptor left: the client's socket
    const client = await connect(${path});
    await new Promise((r) => setTimeout(r, 200)); // the server's accept meets EMFILE
    for (const fd of hog) closeSync(fd);
    const socket = await Promise.race([accepted, new Promise((r) => setTimeout(r, 3000))]);
    console.log(JSON.stringify({ errors: [...new Set(errors)], accepted: socket !== undefined }));
    process.exit(0);
  `;
  const r = spawnSync('sh', ['-c', 'ulimit -n 64 && exec "$0" "$@"', ...moduleArgv(script)], {
    encoding: 'utf8', timeout: 20000,
  });
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { errors: string[]; accepted: boolean };
  assert.equal(out.errors, ['EMFILE:accept'], JSON.stringify(out));
  assert.ok(out.accepted, 'the pending connection was accepted after descriptors were freed');
});

faults.run();
