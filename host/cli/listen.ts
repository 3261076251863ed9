// `unixsock listen ADDR`: a server bridged with stdio (nc -lU), or an echo
// server, for stream, datagram and seqpacket sockets.
import { formatAddress, type SocketAddress } from '../address.js';
import { createDatagramSocket, type DatagramSocket } from '../messages/datagram.js';
import type { MessageInfo } from '../messages/receive.js';
import { listenSeqpacket, type SeqpacketSocket } from '../messages/seqpacket.js';
import type { UnixServer } from '../server.js';
import type { UnixSocket } from '../socket.js';
import { listen } from '../streams.js';
import { bridge, Input } from './bridge.js';
import {
  addressArgument, closeFds, type Command, describeTarget, modeOption, nextStopSignal, parseCommand, status, typeOption, UsageError, writeOut, type Target,
} from './common.js';

const USAGE = `Usage: unixsock listen [--type T] [--echo] [--mode M] [--once] ADDR

Listens on ADDR and bridges each connection with stdio: what the peer sends
goes to stdout, stdin goes to the peer, and stdin's end half-closes the
connection. A connection is over when the peer is done sending and stdin
ended (or 0.5 s after the peer's end, as socat's -t). Connections are served
one at a time, in order. Once the socket
exists, "unixsock: listening on ADDR (TYPE)" goes to stderr. SIGINT or SIGTERM
stops the server and removes its socket file.

Datagrams (--type dgram, or unixgram:ADDR): each datagram goes to stdout;
stdin goes, one datagram per chunk read, to the last sender that has a name
(an unnamed sender cannot be answered; such input is reported and dropped).
Seqpacket: each record goes to stdout; each chunk read from stdin is a record.

Options:
  --type T     stream (default), dgram or seqpacket.
  --echo       Send everything back to where it came from; stdin is not read.
               Stream and seqpacket connections are served at once, any number.
  --mode M     Socket file permissions, octal (e.g. 600), in force from creation.
  --once       Stop after the first connection ends (the first datagram, for dgram).
  -h, --help   Show this help.
  --debug      Add stack traces to error lines.

Exit status: 0 when stopped (--once, SIGINT, SIGTERM); 1 when listening fails
(EADDRINUSE, EACCES, ...) or, with --once, the connection fails; 2 on a usage
error (an invalid ADDR creates nothing).
`;

interface Run {
  target: Target;
  mode: number | undefined;
  echo: boolean;
  once: boolean;
}

/** Resolves when the run is over, with its exit status. */
type Serve = (r: Run, stop: Promise<unknown>) => Promise<number>;

/** Serve connections one at a time, bridged with stdio, or echo them all. */
async function serveConnections(server: UnixServer<UnixSocket> | UnixServer<SeqpacketSocket>, r: Run, stop: Promise<unknown>): Promise<number> {
  if (r.echo) {
    let done: () => void = () => {};
    const first = new Promise<void>((resolve) => { done = resolve; });
    (server as UnixServer<UnixSocket | SeqpacketSocket>).on('connection', (s: UnixSocket | SeqpacketSocket) => {
      s.on('error', () => {});
      s.once('close', done);
      if ('pipe' in s) s.pipe(s);
      else {
        s.on('message', (m: Buffer, info: MessageInfo) => {
          closeFds(info.fds);
          s.send(m).catch(() => {});
        });
        s.once('end', () => s.close());
      }
    });
    await Promise.race([stop, r.once ? first : new Promise(() => {})]);
    return 0;
  }
  const input = new Input();
  const served = (async (): Promise<number> => {
    for (;;) {
      let socket: UnixSocket | SeqpacketSocket;
      try {
        socket = await server.accept();
      } catch {
        return 0;
      }
      let code = 0;
      try {
        await bridge(socket, input);
      } catch (err) {
        status(`connection failed: ${(err as Error).message}`);
        code = 1;
      }
      if ('destroy' in socket) socket.destroy();
      else socket.close();
      if (r.once) return code;
    }
  })();
  return Promise.race([served, stop.then(() => 0)]);
}

/** A Serve for the listener `open` makes: connections served until the run is over, then it is closed. */
function serveListener(open: (r: Run) => Promise<UnixServer<UnixSocket> | UnixServer<SeqpacketSocket>>): Serve {
  return async (r, stop) => {
    const server = await open(r);
    status(`listening on ${describeTarget(r.target)}`);
    try {
      return await serveConnections(server, r, stop);
    } finally {
      server.close();
    }
  };
}

const serveStream = serveListener((r) => listen(r.target.input, { mode: r.mode, allowHalfOpen: true }));
const serveSeqpacket = serveListener((r) => listenSeqpacket(r.target.input, { mode: r.mode }));

function named(a: SocketAddress | undefined): a is SocketAddress {
  return a !== undefined && !('unnamed' in a);
}

const serveDatagrams: Serve = async (r, stop) => {
  const socket: DatagramSocket = createDatagramSocket({ bind: r.target.input, mode: r.mode });
  status(`listening on ${describeTarget(r.target)}`);
  let lastSender: SocketAddress | undefined;
  let first: () => void = () => {};
  const firstDone = new Promise<void>((resolve) => { first = resolve; });
  socket.on('error', (err: Error) => status(`receive failed: ${err.message}`));
  socket.on('message', (data: Buffer, info: MessageInfo) => {
    closeFds(info.fds);
    const reply = r.echo && named(info.address)
      ? socket.sendTo(data, info.address).catch((err: Error) => status(`echo to ${formatAddress(info.address!)} failed: ${err.message}`))
      : r.echo ? Promise.resolve(status('an unnamed sender cannot be answered; not echoed')) : writeOut(data);
    if (named(info.address)) lastSender = info.address;
    void reply.then(() => first());
  });
  if (!r.echo) {
    new Input().attach({
      send: async (chunk) => {
        if (lastSender === undefined) {
          status(`no named sender to answer yet; ${chunk.length} bytes of input dropped`);
          return;
        }
        await socket.sendTo(chunk, lastSender).catch((err: Error) => status(`send failed: ${err.message}`));
      },
      end: () => {},
    });
  }
  try {
    await Promise.race([stop, r.once ? firstDone : new Promise(() => {})]);
    return 0;
  } finally {
    await socket.close();
  }
};

const SERVE = { stream: serveStream, datagram: serveDatagrams, seqpacket: serveSeqpacket };

async function run(args: string[]): Promise<number> {
  const p = parseCommand(args, {
    type: { type: 'string' },
    echo: { type: 'boolean' },
    mode: { type: 'string' },
    once: { type: 'boolean' },
  }, USAGE);
  if (p === undefined) return 0;
  if (p.positionals.length > 1) throw new UsageError('listen takes one ADDR');
  const target = addressArgument(p.positionals[0], typeOption(p));
  const r: Run = { target, mode: modeOption(p), echo: p.values.echo === true, once: p.values.once === true };
  const stop = nextStopSignal();
  try {
    return await SERVE[target.type](r, stop.signal);
  } finally {
    stop.dispose();
  }
}

export const listenCommand: Command = { run };
