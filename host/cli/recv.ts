// `unixsock recv ADDR`: bind a datagram socket and print what arrives.
import { formatAddress } from '../address.js';
import { createDatagramSocket } from '../messages/datagram.js';
import type { MessageInfo } from '../messages/receive.js';
import {
  addressArgument, closeFds, type Command, describeTarget, integerOption, modeOption, nextStopSignal, parseCommand, sleep, status,
  requireType, UsageError, writeOut,
} from './common.js';

const USAGE = `Usage: unixsock recv [--count N] [--timeout MS] [--mode M] [--json] ADDR

Binds a datagram socket to ADDR, prints each datagram that arrives (its bytes
as they are), and after --count datagrams removes the socket file and exits.
Once bound, "unixsock: bound to ADDR (dgram)" goes to stderr. Descriptors that
arrive with a datagram are counted and closed.

Options:
  --count N      Datagrams to receive (default 1; 0: until SIGINT/SIGTERM).
  --timeout MS   Give up after MS milliseconds (exit 1); default: wait forever.
  --mode M       Socket file permissions, octal (e.g. 600).
  --json         One JSON object per datagram and line: {"length", "text" (the
                 UTF-8 text, or null), "base64", "truncated", "from" (sender
                 address or null), "credentials" ({pid, uid, gid}), "fds"}.
  -h, --help     Show this help.
  --debug        Add stack traces to error lines.

Exit status: 0 after --count datagrams (or a signal); 1 on a timeout or a
failure (EADDRINUSE, EACCES, ...); 2 on a usage error (an invalid ADDR creates nothing).
`;

function asJson(data: Buffer, info: MessageInfo): string {
  const text = data.toString('utf8');
  return JSON.stringify({
    length: info.length,
    text: Buffer.from(text, 'utf8').equals(data) ? text : null,
    base64: data.toString('base64'),
    truncated: info.truncated,
    from: info.address === undefined || 'unnamed' in info.address ? null : formatAddress(info.address),
    credentials: info.credentials ?? null,
    fds: info.fds.length,
  });
}

async function run(args: string[]): Promise<number> {
  const p = parseCommand(args, {
    count: { type: 'string' },
    timeout: { type: 'string' },
    mode: { type: 'string' },
    json: { type: 'boolean' },
    type: { type: 'string' },
  }, USAGE);
  if (p === undefined) return 0;
  if (p.positionals.length !== 1) throw new UsageError('recv takes one ADDR');
  requireType(p, 'datagram', 'recv receives datagrams only');
  const target = addressArgument(p.positionals[0], 'datagram');
  const count = integerOption(p, 'count', 1);
  const timeout = integerOption(p, 'timeout', 0, 1) || undefined;
  const mode = modeOption(p);
  const json = p.values.json === true;
  const socket = createDatagramSocket({ bind: target.input, mode, passCredentials: process.platform === 'linux' });
  const stop = nextStopSignal();
  let received = 0;
  let failure: Error | undefined;
  try {
    status(`bound to ${describeTarget(target)}`);
    const done = new Promise<void>((resolve) => {
      socket.on('error', (err: Error) => {
        failure = err;
        resolve();
      });
      socket.on('message', (data: Buffer, info: MessageInfo) => {
        closeFds(info.fds);
        if (count > 0 && received >= count) return;
        received++;
        const written = writeOut(json ? `${asJson(data, info)}\n` : data);
        if (count > 0 && received === count) void written.then(resolve);
      });
    });
    const timedOut = timeout === undefined ? new Promise<never>(() => {}) : sleep(timeout).then(() => 'timeout' as const);
    const outcome = await Promise.race([done, stop.signal, timedOut]);
    if (failure !== undefined) throw failure;
    if (outcome === 'timeout') {
      status(`recv: ${received} of ${count} datagrams within ${timeout} ms`);
      return 1;
    }
    return 0;
  } finally {
    stop.dispose();
    await socket.close();
  }
}

export const recv: Command = { run };
