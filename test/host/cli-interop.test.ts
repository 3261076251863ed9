// The CLI moving data with real peers: itself, socat and python3, over paths
// and abstract names, for stream, datagram and seqpacket sockets; `pair`
// with child processes; `serve-http` with curl. Each test that needs a peer
// tool skips with a message when it is absent.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { have, PY_ADDR, PY_HALF_CLOSE_SERVER, pyEchoClient, skip } from '../_helpers/peers.js';
import { scriptArgv, signalChild } from '../_helpers/runtime.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { within } from '../_helpers/wait.js';
import { plainEnv } from '../_helpers/env.js';

const CLI = fileURLToPath(new URL('../../host/cli.js', import.meta.url));
const SOCAT = have('socat');
const PYTHON = have('python3');
const CURL = have('curl');
const tmp = makeTempDir('us-ci');
const at = (name: string): string => join(tmp.path, name);
const tag = `us-${process.pid}`;

interface Running {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  /** Exit status (or signal name), within 20 s of the call. */
  exited: Promise<number | string>;
}

/** Spawn `cmd args`; `input` goes to stdin and closes it (undefined: stdin stays open). */
function start(cmd: string, args: string[], input?: string): Running {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: plainEnv() });
  // Listen at once: the process may be gone before anyone waits. 'close', not
  // 'exit': only then has all of its stdout and stderr been read.
  const exit = new Promise<number | string>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal ?? -1)));
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  child.stdin!.on('error', () => {});
  if (input !== undefined) child.stdin!.end(input);
  return { child, out: () => out, err: () => err, exited: within(exit, 20000, `${cmd} ${args.join(' ')}`) };
}

function cli(args: string[], input?: string): Running {
  const [cmd, ...argv] = scriptArgv(CLI, ...args);
  return start(cmd!, argv, input);
}

/** Wait for the CLI's status line saying the socket exists. */
async function ready(r: Running): Promise<void> {
  const deadline = Date.now() + 10000;
  while (!/unixsock: (listening on|bound to|serving)/.test(r.err())) {
    if (r.child.exitCode !== null) throw new Error(`exited ${r.child.exitCode} before it was ready: ${r.err()}`);
    if (Date.now() > deadline) throw new Error(`not ready within 10 s: ${r.err()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Run to completion; resolves with stdout when the exit status is `status`. */
async function finish(r: Running, status: number | string = 0): Promise<string> {
  const code = await r.exited;
  assert.is(code, status, `exit ${code}; stderr: ${r.err()}`);
  return r.out();
}

// ---

const stream = suite('CLI stream sockets');

stream('should bridge CLI listen and CLI connect both ways, with half-close', async () => {
  const server = cli(['listen', '--once', at('cc.sock')], 'from the server');
  await ready(server);
  const client = cli(['connect', at('cc.sock')], 'from the client');
  assert.is(await finish(client), 'from the server');
  assert.is(await finish(server), 'from the client');
  assert.not.ok(existsSync(at('cc.sock')), 'socket file removed');
});

stream('should talk to socat over a path and an abstract name, both directions', async () => {
  if (!SOCAT) return skip('socat is not installed');
  for (const [ours, theirs] of [[at('so.sock'), `UNIX-CONNECT:${at('so.sock')}`], [`@${tag}-so`, `ABSTRACT-CONNECT:${tag}-so`]] as const) {
    const server = cli(['listen', '--once', ours], 'cli says hi');
    await ready(server);
    assert.is(await finish(start('socat', ['-t5', '-', theirs], 'socat says hi')), 'cli says hi');
    assert.is(await finish(server), 'socat says hi');
  }
  for (const [listenSpec, addr] of [[`UNIX-LISTEN:${at('sl.sock')}`, at('sl.sock')], [`ABSTRACT-LISTEN:${tag}-sl`, `unix-abstract:${tag}-sl`]] as const) {
    const socat = start('socat', ['-t5', listenSpec, 'EXEC:tr a-z A-Z']);
    let out = '';
    for (let i = 0; i < 100; i++) {
      const client = cli(['connect', addr], 'shout this');
      if (await client.exited === 0) {
        out = client.out();
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.is(out, 'SHOUT THIS');
    await finish(socat);
  }
});

stream('should echo for python3 clients over a path and an abstract name with an inner NUL', async () => {
  if (!PYTHON) return skip('python3 is not installed');
  const py = pyEchoClient('echo me');
  for (const [ours, theirs] of [[at('py.sock'), at('py.sock')], [`@${tag}\\x00py`, `\\x00${tag}\\x00py`]] as const) {
    const server = cli(['listen', '--echo', '--once', ours]);
    await ready(server);
    assert.is(await finish(start('python3', ['-c', py, theirs])), 'echo me');
    await finish(server);
  }
});

stream('should connect to a python3 server that answers after our half-close', async () => {
  if (!PYTHON) return skip('python3 is not installed');
  const server = start('python3', ['-c', PY_HALF_CLOSE_SERVER, `\\x00${tag}-pys`]);
  while (!server.out().includes('ready')) {
    if (server.child.exitCode !== null) throw new Error(server.err());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.is(await finish(cli(['connect', `@${tag}-pys`], 'the request')), 'python got the request');
  await finish(server);
});

stream('should stop on SIGTERM, remove its socket file and exit 0', async () => {
  for (const args of [['listen', at('term.sock')], ['listen', '--echo', '--type', 'seqpacket', at('term.sock')], ['recv', '--count', '0', at('term.sock')]]) {
    const server = cli(args);
    await ready(server);
    assert.ok(existsSync(at('term.sock')));
    signalChild(server.child, 'SIGTERM');
    await finish(server, 0);
    assert.not.ok(existsSync(at('term.sock')), `${args.join(' ')}: socket file removed`);
  }
});

stream.run();

// ---

const dgram = suite('CLI datagram and seqpacket sockets');

dgram('should exchange datagrams with socat (recv and send)', async () => {
  if (!SOCAT) return skip('socat is not installed');
  const recv = cli(['recv', '--json', '--timeout', '10000', `unixgram:${at('r.sock')}`]);
  await ready(recv);
  await finish(start('socat', ['-u', '-', `UNIX-SENDTO:${at('r.sock')}`], 'one datagram'));
  const got = JSON.parse(await finish(recv)) as { text: string; length: number; credentials: { pid: number } };
  assert.is(got.text, 'one datagram');
  assert.is(got.length, 12);
  assert.ok(got.credentials.pid > 0);
  const socat = start('socat', ['-u', `UNIX-RECV:${at('s.sock')}`, '-']);
  for (let i = 0; i < 100 && !existsSync(at('s.sock')); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  await finish(cli(['send', at('s.sock'), 'from the cli']));
  await new Promise((resolve) => setTimeout(resolve, 100));
  socat.child.kill('SIGTERM');
  await socat.exited;
  assert.is(socat.out(), 'from the cli');
});

dgram('should exchange datagrams with python3 over abstract names, and echo to named senders', async () => {
  if (!PYTHON) return skip('python3 is not installed');
  const recv = cli(['recv', '--count', '2', '--timeout', '10000', `unixgram:@${tag}-r`]);
  await ready(recv);
  const sender = `${PY_ADDR}
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b'one;', addr(sys.argv[1])); s.sendto(b'two', addr(sys.argv[1]))
`;
  await finish(start('python3', ['-c', sender, `\\x00${tag}-r`]));
  assert.is(await finish(recv), 'one;two');

  const echo = cli(['listen', '--type', 'dgram', '--echo', '--once', at('e.sock')]);
  await ready(echo);
  const client = `${PY_ADDR}
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(addr(sys.argv[2]))
s.settimeout(10)
s.sendto(b'bounce', addr(sys.argv[1]))
sys.stdout.write(s.recv(100).decode())
`;
  assert.is(await finish(start('python3', ['-c', client, at('e.sock'), `\\x00${tag}-c`])), 'bounce');
  await finish(echo);

  const server = `${PY_ADDR}
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(addr(sys.argv[1]))
print('ready', flush=True)
s.settimeout(10)
data, peer = s.recvfrom(100)
s.sendto(b'python heard ' + data, peer)
`;
  const py = start('python3', ['-c', server, at('p.sock')]);
  while (!py.out().includes('ready')) {
    if (py.child.exitCode !== null) throw new Error(py.err());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.is(await finish(cli(['connect', '--wait', '300', `unixgram:${at('p.sock')}`], 'a question')), 'python heard a question');
  await finish(py);
  const missing = cli(['send', `@${tag}-nobody`, 'x']);
  assert.is(await missing.exited, 1);
  assert.match(missing.err(), /^unixsock: connect ECONNREFUSED/);
});

dgram('should carry seqpacket records between the CLI and python3', async () => {
  if (!PYTHON) return skip('python3 is not installed');
  const server = cli(['listen', '--once', `unixpacket:${at('q.sock')}`], 'reply');
  await ready(server);
  const py = `${PY_ADDR}
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(addr(sys.argv[1]))
s.send(b'rec1'); s.send(b'rec2')
s.shutdown(socket.SHUT_WR)
got = []
while True:
    m = s.recv(100)
    if not m: break
    got.append(m.decode())
sys.stdout.write('|'.join(got))
`;
  assert.is(await finish(start('python3', ['-c', py, at('q.sock')])), 'reply');
  assert.is(await finish(server), 'rec1rec2');
  const echo = cli(['listen', '--echo', '--once', '--type', 'seqpacket', at('q2.sock')]);
  await ready(echo);
  assert.is(await finish(cli(['connect', `unixpacket:${at('q2.sock')}`], 'round trip')), 'round trip');
  await finish(echo);
});

dgram.run();

// ---

const pair = suite('CLI pair');

pair('should give CMD a blocking socket on fd 3 and bridge it with stdio', async () => {
  assert.is(await finish(cli(['pair', '--', 'sh', '-c', 'tr a-z A-Z <&3 >&3'], 'through the child')), 'THROUGH THE CHILD');
  if (!PYTHON) return skip('python3 is not installed');
  const py = `${PY_ADDR}import fcntl, os
assert not fcntl.fcntl(3, fcntl.F_GETFL) & os.O_NONBLOCK, 'fd 3 is non-blocking'
s = socket.socket(fileno=3)
s.sendall(b'child got ' + read_all(s, 100))
print('to stderr, not stdout')
sys.exit(3)
`;
  const r = cli(['pair', '--', 'python3', '-c', py], 'input');
  assert.is(await finish(r, 3), 'child got input');
  assert.match(r.err(), /to stderr, not stdout/);
  const records = "import socket\ns = socket.socket(fileno=3)\ns.send(b'r1'); s.send(b'r2')\n";
  assert.is(await finish(cli(['pair', '--type', 'seqpacket', '--', 'python3', '-c', records], '')), 'r1r2');
  assert.is(await finish(cli(['pair', '--type', 'dgram', 'python3', '-c', records], '')), 'r1r2');
});

pair('should pass on the exit status of CMD, 128+N for a signal, 127 when it cannot run', async () => {
  assert.is(await cli(['pair', '--', 'sh', '-c', 'exit 7'], '').exited, 7);
  assert.is(await cli(['pair', '--', 'sh', '-c', 'kill -TERM $$'], '').exited, 143);
  assert.is(await cli(['pair', '--', `no-such-command-${process.pid}`], '').exited, 127);
});

pair.run();

// ---

const web = suite('CLI serve-http');
web.after(() => tmp.remove());

web('should serve files to curl, never outside DIR', async () => {
  if (!CURL) return skip('curl is not installed');
  const root = at('www');
  mkdirSync(join(root, 'sub'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<h1>home</h1>');
  writeFileSync(join(root, 'sub', 'data.json'), '{"ok":true}');
  writeFileSync(at('secret.txt'), 'secret');
  symlinkSync(at('secret.txt'), join(root, 'escape'));
  symlinkSync(join(root, 'sub', 'data.json'), join(root, 'inside'));
  const server = cli(['serve-http', '--log', at('web.sock'), root]);
  await ready(server);
  const get = async (path: string, ...extra: string[]): Promise<string> => {
    const r = start('curl', ['-sS', '--path-as-is', '--max-time', '10', '-w', ' %{http_code}', '--unix-socket', at('web.sock'), ...extra, `http://localhost${path}`]);
    return finish(r);
  };
  assert.is(await get('/'), '<h1>home</h1> 200');
  assert.is(await get('/sub/data.json'), '{"ok":true} 200');
  assert.is(await get('/inside'), '{"ok":true} 200');
  assert.match(await get('/sub/'), /<a href="data.json">data.json<\/a>[\s\S]* 200$/);
  assert.match(await get('/sub'), / 301$/);
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/sub/..%2f..%2fsecret.txt', '/sub/%2E%2E/%2E%2E/secret.txt', '/escape', '/a%00b', '/..%5csecret.txt']) {
    const r = await get(path);
    assert.match(r, / 403$/, `${path}: ${r}`);
    assert.not.match(r, /secret/, path);
  }
  assert.match(await get('/%zz'), / 400$/);
  assert.match(await get('/nope'), / 404$/);
  assert.match(await get('/', '-X', 'POST'), / 405$/);
  assert.match(await get('/sub/data.json', '-I'), /content-type: application\/json[\s\S]* 200$/i);
  signalChild(server.child, 'SIGTERM');
  await finish(server);
  assert.match(server.err(), /GET \/..\/secret.txt 403/);
  assert.not.ok(existsSync(at('web.sock')));

  const abs = cli(['serve-http', `@${tag}-web`, root]);
  await ready(abs);
  assert.is(await finish(start('curl', ['-sS', '--max-time', '10', '--abstract-unix-socket', `${tag}-web`, 'http://localhost/'])), '<h1>home</h1>');
  signalChild(abs.child, 'SIGINT');
  await finish(abs);
});

web.run();
