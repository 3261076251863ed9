// Child process for the fault tests (faults.test.ts): a peer that does one
// thing with unixsock until it is killed, or, for `emfile`, runs the
// descriptor-exhaustion scenario under a low RLIMIT_NOFILE and prints what
// happened as JSON. It prints "ready" once set up.
//   node _peer.js stream-send <path>      connect, write forever
//   node _peer.js stream-idle <path>      connect, never read
//   node _peer.js seqpacket-send <path>   connect, send records forever
//   node _peer.js datagram-send <path>    send datagrams to <path> forever
//   node _peer.js datagram-bind <path>    bind <path>, never read
//   node _peer.js echo-server <path>      listen on <path> (stale recovery on), echo every connection
//   node _peer.js emfile <path>           see emfile() below
import { closeSync, openSync } from 'node:fs';
import {
  connect, connectSeqpacket, createDatagramSocket, listen, type UnixSocket,
} from '../../host/index.js';

const [mode, path] = process.argv.slice(2) as [string, string];
const ready = (): void => void process.stdout.write('ready\n');
const chunk = Buffer.alloc(64 * 1024, 0x5a);

async function streamSend(): Promise<void> {
  const s = await connect(path);
  ready();
  const pump = (): void => {
    while (s.write(chunk));
    s.once('drain', pump);
  };
  pump();
}

async function streamIdle(): Promise<void> {
  const s = await connect(path);
  s.pause();
  ready();
  setInterval(() => {}, 1000);
}

async function seqpacketSend(): Promise<void> {
  const s = await connectSeqpacket(path);
  ready();
  for (let i = 0; ; i++) await s.send(chunk.subarray(0, 1 + (i % 4096)));
}

async function datagramSend(): Promise<void> {
  const s = createDatagramSocket({});
  ready();
  for (let i = 0; ; i++) await s.sendTo(chunk.subarray(0, 1 + (i % 1024)), path);
}

async function datagramBind(): Promise<void> {
  createDatagramSocket({ bind: path }).pause();
  ready();
  setInterval(() => {}, 1000);
}

async function echoServer(): Promise<void> {
  const server = await listen(path);
  server.on('connection', (s: UnixSocket) => {
    s.on('error', () => s.destroy());
    s.pipe(s);
  });
  server.on('error', () => {});
  ready();
}

/** Error fields worth reporting. */
function fields(err: unknown): Record<string, unknown> {
  const e = err as { name?: string; code?: string; syscall?: string; condition?: string; errno?: number; message?: string };
  return { name: e.name, code: e.code, syscall: e.syscall, condition: e.condition, errno: e.errno, message: e.message };
}

/**
 * Under a low descriptor limit: a few live connections; then every free
 * descriptor taken by /dev/null, so connect() fails; one freed and a client
 * connected, so the server's accept hits EMFILE with the connection pending;
 * one more connect(); then everything freed: the pending connection must be
 * accepted and a new one echoed.
 */
async function emfile(): Promise<void> {
  const server = await listen(path);
  const acceptErrors: Record<string, unknown>[] = [];
  const accepted: UnixSocket[] = [];
  server.on('error', (err) => acceptErrors.push(fields(err)));
  server.on('connection', (s: UnixSocket) => {
    accepted.push(s);
    s.on('error', () => s.destroy());
    s.pipe(s);
  });
  const clients: UnixSocket[] = [];
  for (let i = 0; i < 5; i++) clients.push(await connect(path));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const files: number[] = [];
  for (;;) {
    try {
      files.push(openSync('/dev/null', 'r'));
    } catch {
      break;
    }
  }
  const attempt = async (): Promise<Record<string, unknown> | undefined> => {
    try {
      clients.push(await connect(path));
      return undefined;
    } catch (err) {
      return fields(err);
    }
  };
  const connectError = await attempt();
  closeSync(files.pop()!);
  clients.push(await connect(path));
  const acceptedBefore = accepted.length;
  await new Promise((resolve) => setTimeout(resolve, 200));
  const stalled = accepted.length === acceptedBefore;
  const secondConnectError = await attempt();
  for (const fd of files) closeSync(fd);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const pendingAccepted = accepted.length > acceptedBefore;
  const probe = await connect(path);
  const echoed = await new Promise<string>((resolve, reject) => {
    probe.once('data', (d: Buffer) => resolve(d.toString()));
    probe.once('error', reject);
    probe.write('still serving');
  });
  probe.destroy();
  process.stdout.write(`${JSON.stringify({ connections: clients.length, filled: files.length + 1, connectError, acceptErrors: acceptErrors.slice(0, 3), acceptErrorCount: acceptErrors.length, secondConnectError, stalled, pendingAccepted, echoed })}\n`);
  for (const s of [...accepted, ...clients]) s.destroy();
  server.close();
}

const MODES: Record<string, () => Promise<void>> = {
  'stream-send': streamSend,
  'stream-idle': streamIdle,
  'seqpacket-send': seqpacketSend,
  'datagram-send': datagramSend,
  'datagram-bind': datagramBind,
  'echo-server': echoServer,
  emfile,
};

const run = MODES[mode];
if (run === undefined) {
  process.stderr.write(`_peer: unknown mode ${mode}\n`);
  process.exit(2);
}
run().catch((err: unknown) => {
  process.stderr.write(`_peer ${mode}: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
