// Interop with real peers: socat and python3's socket module, over paths and
// abstract names (exact length, inner NULs), both directions, with half-close.
// Each test skips with a message when its peer is not installed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, listen, type UnixSocket } from '../../host/index.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { have, PY_HALF_CLOSE_SERVER, pyEchoClient, skip } from '../_helpers/peers.js';
import { event, readAll, within } from '../_helpers/wait.js';

const SOCAT = have('socat');
const PYTHON = have('python3');
const tmp = makeTempDir('us-i');

/** Run `cmd args` with `input` on stdin; resolve with its stdout once it exits. */
function run(cmd: string, args: string[], input?: string): Promise<string> {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  if (input !== undefined) child.stdin.end(input);
  return within(new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}`))));
  }), 10000, cmd);
}

const PY_ECHO_CLIENT = pyEchoClient('from python');

async function echoServer(addr: unknown) {
  const server = await listen(addr, { allowHalfOpen: true });
  server.on('connection', (s: UnixSocket) => {
    let got = '';
    s.setEncoding('utf8').on('data', (d: string) => { got += d; });
    s.on('end', () => s.end(`unixsock got ${got}`));
  });
  return server;
}

const interop = suite('interop');
interop.after(() => tmp.remove());

interop('should serve socat clients over a path and an abstract name', async () => {
  if (!SOCAT) return skip('socat is not installed');
  const path = join(tmp.path, 'socat.sock');
  const server = await echoServer(path);
  assert.is(await run('socat', ['-t5', '-', `UNIX-CONNECT:${path}`], 'hi'), 'unixsock got hi');
  server.close();
  const name = `us-${process.pid}-socat`;
  const abs = await echoServer(`\0${name}`);
  assert.is(await run('socat', ['-t5', '-', `ABSTRACT-CONNECT:${name}`], 'abs'), 'unixsock got abs');
  abs.close();
});

interop('should connect to socat servers over a path and an abstract name', async () => {
  if (!SOCAT) return skip('socat is not installed');
  for (const [listenSpec, addr] of [
    [`UNIX-LISTEN:${join(tmp.path, 's2.sock')}`, join(tmp.path, 's2.sock')],
    [`ABSTRACT-LISTEN:us-${process.pid}-s2`, `\0us-${process.pid}-s2`],
  ] as const) {
    const child = spawn('socat', ['-t5', listenSpec, 'EXEC:cat'], { stdio: 'ignore' });
    // Listen for 'exit' now: socat may be gone before the transfer is read.
    const exited = event(child, 'exit', 15000);
    let c: UnixSocket | undefined;
    for (let i = 0; i < 100 && c === undefined; i++) {
      c = await connect(addr).catch(async () => { await new Promise((r) => setTimeout(r, 50)); return undefined; });
    }
    assert.ok(c, `connected to ${listenSpec}`);
    c!.end('through cat');
    assert.is((await readAll(c!)).toString(), 'through cat');
    await exited;
  }
});

interop('should serve python3 clients, abstract names exact (inner NUL)', async () => {
  if (!PYTHON) return skip('python3 is not installed');
  const path = join(tmp.path, 'py.sock');
  const server = await echoServer(path);
  assert.is((await run('python3', ['-c', PY_ECHO_CLIENT, path])).trim(), 'unixsock got from python');
  server.close();
  const name = `us-${process.pid}\0py`;
  const abs = await echoServer(`\0${name}`);
  const escaped = `\\x00${name.replace('\0', '\\x00')}`;
  assert.is((await run('python3', ['-c', PY_ECHO_CLIENT, escaped])).trim(), 'unixsock got from python');
  abs.close();
});

interop('should connect to python3 servers with half-close', async () => {
  if (!PYTHON) return skip('python3 is not installed');
  const path = join(tmp.path, 'pys.sock');
  const child = spawn('python3', ['-c', PY_HALF_CLOSE_SERVER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = event(child, 'exit', 15000);
  await event(child.stdout, 'data', 10000);
  const c = await connect(path, { allowHalfOpen: true });
  c.end('request');
  assert.is((await readAll(c)).toString(), 'python got request');
  await exited;
});

interop.run();
