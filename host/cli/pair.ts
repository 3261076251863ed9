// `unixsock pair -- CMD…`: run CMD with one end of a socketpair as its
// descriptor 3 and bridge the other end with stdio.
//
// unixsock's sockets are non-blocking, and O_NONBLOCK belongs to the open
// file, so CMD would see a non-blocking fd 3 (EAGAIN in `cat <&3`,
// BlockingIOError in Python). libuv makes a child's fds 0-2 blocking, not the
// others: so the end goes in as fd 0 and `sh` moves it to fd 3.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { DatagramSocket } from '../messages/datagram.js';
import type { MessageInfo } from '../messages/receive.js';
import type { SeqpacketSocket } from '../messages/seqpacket.js';
import type { UnixSocket } from '../socket.js';
import { socketPair } from '../streams.js';
import { bridge, Input } from './bridge.js';
import { closeFds, type Command, type Parsed, parseCommand, sleep, status, typeOption, UsageError, writeOut } from './common.js';

const USAGE = `Usage: unixsock pair [--type T] -- CMD [ARG...]

Makes a connected socket pair, runs CMD with one end as its descriptor 3, and
bridges the other end with stdio: stdin goes to CMD's fd 3 (its end
half-closes it), what CMD writes on fd 3 goes to stdout. CMD's fd 3 is a
blocking socket, as programs expect (python3: socket.socket(fileno=3)). CMD's
stdin is /dev/null and its stdout goes to stderr, so stdout carries only what
came through the socket. Ends once CMD exited and the socket is drained.
SIGINT and SIGTERM are passed on to CMD.

Options:
  --type T     stream (default), dgram or seqpacket.
  -h, --help   Show this help.
  --debug      Add stack traces to error lines.

Exit status: CMD's own; 128+N when signal N ended it; 127 when CMD cannot be
run; 1 when the pair cannot be made; 2 on a usage error.
`;

/** How long to wait for the socket's end after CMD exited (a child of CMD may still hold fd 3). */
const DRAIN_MS = 1000;

/** Options before `--` (or before the first word that is not an option), and CMD. */
function split(args: string[]): [string[], string[]] {
  const dash = args.indexOf('--');
  if (dash >= 0) return [args.slice(0, dash), args.slice(dash + 1)];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--type') i++;
    else if (!a.startsWith('-')) return [args.slice(0, i), args.slice(i)];
  }
  return [args, []];
}

function drainMessages(socket: DatagramSocket | SeqpacketSocket, input: Input): Promise<void> {
  socket.on('message', (data: Buffer, info: MessageInfo) => {
    closeFds(info.fds);
    void writeOut(data);
  });
  input.attach({ send: (chunk) => socket.send(chunk).catch((err: Error) => status(`send failed: ${err.message}`)), end: () => {} });
  // A datagram pair has no end of stream: what CMD sent is queued by the time it exited.
  return new Promise(() => {});
}

async function run(args: string[]): Promise<number> {
  const [options, cmd] = split(args);
  const p: Parsed | undefined = parseCommand(options, { type: { type: 'string' } }, USAGE);
  if (p === undefined) return 0;
  if (p.positionals.length > 0 || cmd.length === 0) throw new UsageError('pair needs a command: unixsock pair -- CMD [ARG...]');
  const type = typeOption(p) ?? 'stream';
  const [ours, theirs] = socketPair({ type, allowHalfOpen: true } as { type: 'stream' }) as unknown as [UnixSocket | DatagramSocket | SeqpacketSocket, UnixSocket | DatagramSocket | SeqpacketSocket];
  const child = spawn('/bin/sh', ['-c', 'exec "$@" 3<&0 </dev/null', 'unixsock-pair', ...cmd], { stdio: [theirs.fd, 2, 'inherit'] });
  const exited = new Promise<number>((resolve) => {
    child.once('error', (err) => {
      status(`cannot run ${cmd[0]}: ${err.message}`);
      resolve(127);
    });
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal])));
  });
  if ('destroy' in theirs) theirs.destroy();
  else void theirs.close();
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on('SIGINT', forward).on('SIGTERM', forward);
  const input = new Input();
  let drained: Promise<void>;
  if (type === 'datagram') drained = drainMessages(ours as DatagramSocket, input);
  else {
    drained = bridge(ours as UnixSocket | SeqpacketSocket, input).catch((err: Error) => status(`socket failed: ${err.message}`));
  }
  const code = await exited;
  await Promise.race([drained, sleep(type === 'datagram' ? 50 : DRAIN_MS)]);
  process.off('SIGINT', forward).off('SIGTERM', forward);
  return code;
}

export const pair: Command = { run };
