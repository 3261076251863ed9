// `unixsock demo`: the main job on an embedded default. In a private
// temporary directory it listens, connects, exchanges data, passes a
// descriptor, reads peer credentials, serves one HTTP request, shows a few
// address verdicts, then removes everything and exits 0.
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatAddress } from '../address.js';
import type { PeerCredentials } from '../native/credentials.js';
import { formatUnixUrl } from '../dial.js';
import { serveHttp } from '../http/serve.js';
import { unixAgent, unixFetch } from '../http/agent.js';
import type { MessageInfo } from '../messages/receive.js';
import { native } from '../native/native.js';
import type { UnixSocket } from '../socket.js';
import { connect, listen, socketPair } from '../streams.js';
import { verdictOf, type Verdict } from './check.js';
import { type Command, parseCommand, UsageError } from './common.js';

const USAGE = `Usage: unixsock demo [--json]

Shows unixsock at work, with nothing to set up: in a private temporary
directory it listens on a socket file (mode 600), connects, exchanges data,
reads the peer's credentials, does the same over an abstract name (Linux),
passes an open file over a seqpacket socket pair (SCM_RIGHTS), serves one
HTTP request over a socket, and prints unixsock's verdicts on a few
addresses. Then it removes the directory.

Options:
  --json       Print the results as one JSON object.
  -h, --help   Show this help.
  --debug      Add stack traces to error lines.

Exit status: 0 when every step worked; 1 otherwise.
`;

const SAMPLES = [
  '/tmp/app.sock',
  '@my-service',
  'unix:///var/run/docker.sock',
  'unixgram:/run/log.sock',
  `/tmp/${'x'.repeat(120)}.sock`,
  'unix:/tmp/a%00b',
  '',
];

interface Exchange {
  address: string;
  sent: string;
  reply: string;
  serverSees: PeerCredentials;
}

async function readAll(socket: UnixSocket): Promise<string> {
  let text = '';
  for await (const chunk of socket) text += String(chunk);
  return text;
}

/** Listen on `addr`, connect, send, read the reply; the server answers with the client's credentials. */
async function exchange(addr: string, message: string): Promise<Exchange> {
  const server = await listen(addr, { mode: 0o600 });
  let serverSees: PeerCredentials | undefined;
  server.on('connection', (s: UnixSocket) => {
    serverSees = s.peerCredentials();
    let got = '';
    s.setEncoding('utf8').on('data', (d: string) => { got += d; });
    s.on('end', () => s.end(`pong: ${got}`));
  });
  try {
    const client = await connect(addr, { allowHalfOpen: true });
    client.end(message);
    const reply = await readAll(client);
    return { address: formatAddress(server.address()!), sent: message, reply, serverSees: serverSees! };
  } finally {
    server.close();
  }
}

/** Pass an open file over a seqpacket pair and read it through the received descriptor. */
async function passDescriptor(dir: string): Promise<{ file: string; sentFd: number; receivedFd: number; content: string }> {
  const file = join(dir, 'note.txt');
  writeFileSync(file, 'a file passed by descriptor');
  const [a, b] = socketPair({ type: 'seqpacket' });
  const fd = openSync(file, 'r');
  try {
    const arrived = new Promise<MessageInfo>((resolve) => b.once('message', (_d: Buffer, info: MessageInfo) => resolve(info)));
    await a.send('here is a file', { fds: [fd] });
    const info = await arrived;
    const received = info.fds[0]!;
    // Read through /dev/fd and close with the addon: Deno's node:fs refuses
    // descriptors that Deno did not open (EBADF), and this one the kernel made.
    try {
      return { file, sentFd: fd, receivedFd: received, content: readFileSync(`/dev/fd/${received}`, 'utf8') };
    } finally {
      native.close(received);
    }
  } finally {
    closeSync(fd);
    a.close();
    b.close();
  }
}

async function httpRequest(dir: string): Promise<{ address: string; status: number; body: unknown }> {
  const path = join(dir, 'http.sock');
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ hello: 'from a unix socket', path: req.url }));
  });
  const listener = await serveHttp(server, path);
  const agent = unixAgent(path);
  try {
    const res = await unixFetch(formatUnixUrl(path, '/info'), { dispatcher: agent });
    return { address: path, status: res.status, body: await res.json() };
  } finally {
    await agent.close();
    listener.close();
  }
}

function describeVerdict(v: Verdict): string {
  if (v.valid) return `valid (${v.kind}${v.type === 'stream' ? '' : `, ${v.type}`}, ${v.bytes} bytes)`;
  const detail = v.reason === 'path-too-long' ? ` (${v.length} > ${v.maximum} bytes)` : v.reason === 'contains-nul' ? ` at byte ${v.offset}` : '';
  return `invalid: ${v.reason}${detail}`;
}

function shorten(s: string): string {
  if (s === '') return '(empty)';
  return s.length > 34 ? `${s.slice(0, 16)}…${s.slice(-12)}` : s;
}

async function run(args: string[]): Promise<number> {
  const p = parseCommand(args, { json: { type: 'boolean' } }, USAGE);
  if (p === undefined) return 0;
  if (p.positionals.length > 0) throw new UsageError('demo takes no arguments');
  const dir = mkdtempSync(join(tmpdir(), 'unixsock-demo-'));
  const out: Record<string, unknown> = { directory: dir, pid: process.pid };
  try {
    out.stream = await exchange(join(dir, 'demo.sock'), 'ping');
    if (process.platform === 'linux') out.abstract = await exchange(`\0unixsock-demo-${process.pid}`, 'hello, abstract');
    out.descriptor = await passDescriptor(dir);
    out.http = await httpRequest(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  out.removed = !existsSync(dir);
  const verdicts = SAMPLES.map((s) => verdictOf(s, undefined));
  out.verdicts = verdicts;
  if (p.values.json === true) {
    process.stdout.write(`${JSON.stringify(out, (_k, v: unknown) => (v instanceof Buffer ? v.toString('base64') : v), 2)}\n`);
    return out.removed === true ? 0 : 1;
  }
  const s = out.stream as Exchange;
  const lines = [
    `unixsock demo, in ${dir} (removed at the end)`,
    '',
    '1. Stream socket on a file',
    `   listening on ${s.address} (mode 600)`,
    `   sent "${s.sent}", got "${s.reply}"`,
    `   the server sees its peer as pid ${s.serverSees.pid}, uid ${s.serverSees.uid}, gid ${s.serverSees.gid} (this process is pid ${process.pid})`,
  ];
  const a = out.abstract as Exchange | undefined;
  lines.push('', '2. Abstract name (Linux: no file at all)');
  lines.push(a === undefined ? '   skipped: abstract names exist only on Linux' : `   listening on ${a.address}; sent "${a.sent}", got "${a.reply}"`);
  const d = out.descriptor as { sentFd: number; receivedFd: number; content: string };
  lines.push('', '3. Descriptor passing (seqpacket socket pair, SCM_RIGHTS)');
  lines.push(`   sent fd ${d.sentFd} of note.txt; it arrived as fd ${d.receivedFd}, which reads "${d.content}"`);
  const h = out.http as { status: number; body: unknown };
  lines.push('', '4. HTTP over a socket (node:http server, fetch of an http+unix:// URL)');
  lines.push(`   GET /info -> ${h.status} ${JSON.stringify(h.body)}`);
  lines.push('', '5. Address verdicts (unixsock check)');
  for (const v of verdicts) lines.push(`   ${shorten(v.input).padEnd(36)}${describeVerdict(v)}`);
  lines.push('', out.removed === true ? `cleaned up: ${dir} is gone` : `could not remove ${dir}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return out.removed === true ? 0 : 1;
}

export const demo: Command = { run };
