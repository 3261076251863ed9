// `unixsock connect ADDR`: a client bridged with stdio (nc -U).
import { createDatagramSocket } from '../messages/datagram.js';
import type { MessageInfo } from '../messages/receive.js';
import { connectSeqpacket } from '../messages/seqpacket.js';
import { connect } from '../streams.js';
import { bridge, Input } from './bridge.js';
import {
  addressArgument, closeFds, type Command, integerOption, nextStopSignal, parseCommand, sleep, status, typeOption, UsageError, writeOut, type Target,
} from './common.js';

const USAGE = `Usage: unixsock connect [--type T] [--wait MS] ADDR

Connects to ADDR and bridges it with stdio: stdin goes to the socket, and its
end half-closes the connection (shutdown SHUT_WR); what the peer sends goes
to stdout. Exits when the peer closes: at once if stdin has ended, else once
it ends or 0.5 s later (as socat's -t), so a peer that half-closed still gets
the rest of stdin.

Seqpacket (--type seqpacket, or unixpacket:ADDR): each chunk read from stdin is
one record; records go to stdout.
Datagrams (--type dgram, or unixgram:ADDR): each chunk read from stdin is one
datagram. On Linux the socket is autobound, so the peer can reply; replies go
to stdout. Exits once stdin ended, every datagram was sent, and --wait ms
passed without a reply.

Options:
  --type T     stream (default), dgram or seqpacket.
  --wait MS    Datagrams: how long to wait for replies after the last event (default 500).
  -h, --help   Show this help.
  --debug      Add stack traces to error lines.

Exit status: 0 when the peer closed (datagrams: the wait ended); 1 when the
connect or the connection fails (ENOENT, ECONNREFUSED, EPROTOTYPE, EPIPE, ...);
2 on a usage error (an invalid ADDR creates nothing); 0 on SIGINT/SIGTERM.
`;

async function datagrams(target: Target, waitMs: number, stop: Promise<unknown>): Promise<number> {
  const socket = createDatagramSocket({ connect: target.input, ...(process.platform === 'linux' && { bind: { unnamed: true as const } }) });
  let last = Date.now();
  let failed = false;
  let sending = Promise.resolve();
  let inputDone = false;
  socket.on('error', (err: Error) => {
    status(`receive failed: ${err.message}`);
    failed = true;
  });
  socket.on('message', (data: Buffer, info: MessageInfo) => {
    closeFds(info.fds);
    last = Date.now();
    void writeOut(data);
  });
  new Input().attach({
    send: (chunk) => {
      last = Date.now();
      sending = socket.send(chunk).catch((err: Error) => {
        status(`send failed: ${err.message}`);
        failed = true;
      });
      return sending;
    },
    end: () => { inputDone = true; },
  });
  const quiet = (async (): Promise<void> => {
    for (;;) {
      await sleep(Math.max(10, Math.min(waitMs, 50)));
      if (failed || (inputDone && Date.now() - last >= waitMs)) return;
    }
  })();
  await Promise.race([quiet.then(() => sending), stop]);
  await socket.close();
  return failed ? 1 : 0;
}

async function run(args: string[]): Promise<number> {
  const p = parseCommand(args, { type: { type: 'string' }, wait: { type: 'string' } }, USAGE);
  if (p === undefined) return 0;
  if (p.positionals.length > 1) throw new UsageError('connect takes one ADDR');
  const target = addressArgument(p.positionals[0], typeOption(p));
  const waitMs = integerOption(p, 'wait', 500);
  const stop = nextStopSignal();
  try {
    if (target.type === 'datagram') return await datagrams(target, waitMs, stop.signal);
    const socket = target.type === 'stream' ? await connect(target.input, { allowHalfOpen: true }) : await connectSeqpacket(target.input);
    await Promise.race([bridge(socket, new Input()), stop.signal]);
    return 0;
  } finally {
    stop.dispose();
  }
}

export const connectCommand: Command = { run };
