#!/usr/bin/env node
// The `unixsock` command line: nc -U / socat-lite. One module per command in
// host/cli/, loaded on demand. Exit codes: 0 success, 1 the operation failed,
// 2 usage error (an invalid ADDR included), `pair`: the command's own status.
// One line per error; stack traces only with --debug.
import type { Command } from './cli/common.js';
import { UsageError } from './cli/common.js';

const USAGE = `Usage: unixsock <command> [options]

Commands:
  check ADDR...          Say whether each address is valid for a Unix socket, and why not.
  listen ADDR            Listen; bridge each connection with stdin/stdout (or --echo).
  connect ADDR           Connect; stdin goes to the socket, the socket to stdout.
  send ADDR MESSAGE      Send one datagram.
  recv ADDR              Receive datagrams and print them.
  pair -- CMD...         Run CMD with a socketpair end on fd 3, bridged to stdin/stdout.
  serve-http ADDR [DIR]  Serve the files under DIR over HTTP on a socket.
  demo                   Show unixsock at work in a private temporary directory.
  bench                  A quick benchmark summary (a few seconds).

ADDR (the dial grammar; docs/dial.md):
  /abs/path, rel/path      a path, taken literally
  unix:path, unix:///abs   a path with %NN escapes (gRPC, Docker)
  @name                    an abstract name (Linux); \\xNN is any byte, \\\\ a backslash
  unix-abstract:name       an abstract name with %NN escapes (gRPC)
  unixgram:ADDR            a datagram socket; unixpacket:ADDR a seqpacket socket

Run 'unixsock <command> --help' for a command's options. --debug adds stack
traces to error lines.

Exit status: 0 success; 1 the operation failed (for check: an address is
invalid); 2 usage error, an invalid ADDR included (nothing is created then);
pair: the status of CMD.
`;

const COMMANDS: Record<string, () => Promise<Command>> = {
  check: async () => (await import('./cli/check.js')).check,
  listen: async () => (await import('./cli/listen.js')).listenCommand,
  connect: async () => (await import('./cli/connect.js')).connectCommand,
  send: async () => (await import('./cli/send.js')).send,
  recv: async () => (await import('./cli/recv.js')).recv,
  pair: async () => (await import('./cli/pair.js')).pair,
  'serve-http': async () => (await import('./cli/serve-http.js')).serveHttpCommand,
  demo: async () => (await import('./cli/demo.js')).demo,
  bench: async () => (await import('./cli/bench.js')).bench,
};

/** What an errno code means, for the one error line. */
const ERRNO_HINT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ECONNREFUSED: 'nothing is listening there',
  EADDRINUSE: 'the address is in use',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EPROTOTYPE: 'the socket there is of another type',
  EMSGSIZE: 'the message is too long',
  ETIMEDOUT: 'timed out',
  ENOTDIR: 'a component of the path is not a directory',
  EPIPE: 'the peer closed the connection',
  ECONNRESET: 'the peer reset the connection',
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (load === undefined) throw new UsageError(`unknown command '${name}'`);
  return (await load()).run(rest);
}

function report(err: unknown, command: string | undefined, debug: boolean): number {
  const e = err as Error & { code?: string };
  const usage = err instanceof UsageError || (typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS'));
  // unixsock's OS errors are terse ("connect ENOENT /x"); Node's own already explain themselves.
  const hint = e?.name === 'UnixsockError' && typeof e.code === 'string' && ERRNO_HINT[e.code] !== undefined ? ` (${ERRNO_HINT[e.code]})` : '';
  const see = usage ? ` (see 'unixsock ${command !== undefined && Object.hasOwn(COMMANDS, command) ? `${command} ` : ''}--help')` : '';
  process.stderr.write(`unixsock: ${String(e?.message ?? err).split('\n')[0]}${hint}${see}\n`);
  if (debug) process.stderr.write(`${e?.stack ?? ''}\n`);
  return usage ? 2 : 1;
}

/** Exit once stdout and stderr took everything written. */
function exitFlushed(code: number): void {
  let pending = 2;
  const done = (): void => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

const argv = process.argv.slice(2);
const end = argv.indexOf('--');
const debug = (end < 0 ? argv : argv.slice(0, end)).includes('--debug');
// A reader that went away (`unixsock recv … | head -c1`) ends the run quietly.
process.stdout.on('error', () => process.exit(1));
main(argv).then(
  (code) => exitFlushed(code),
  (err: unknown) => exitFlushed(report(err, argv[0], debug)),
);
