// `unixsock serve-http ADDR [DIR]`: the files under DIR over HTTP on a socket.
import { createServer } from 'node:http';
import { serveHttp } from '../http/serve.js';
import {
  addressArgument, type Command, describeTarget, modeOption, nextStopSignal, parseCommand, requireType, status, UsageError,
} from './common.js';
import { staticFiles } from './static-files.js';

const USAGE = `Usage: unixsock serve-http [--mode M] [--log] ADDR [DIR]

Serves the files under DIR (default: the current directory) over HTTP/1.1 on
the stream socket ADDR: GET and HEAD, index.html or a listing for directories,
keep-alive. Nothing outside DIR is served: a path with a '..' segment (encoded
or not), a NUL or a backslash gets 403, as does a symbolic link that leads out
of DIR. Once listening, "unixsock: serving DIR on ADDR (stream)" goes to
stderr. SIGINT or SIGTERM stops it and removes the socket file.

  curl --unix-socket /tmp/web.sock http://localhost/
  curl --abstract-unix-socket web http://localhost/    (for @web)

Options:
  --mode M     Socket file permissions, octal (e.g. 600).
  --log        One line per request on stderr: method, URL, status.
  -h, --help   Show this help.
  --debug      Add stack traces to error lines.

Exit status: 0 when stopped by SIGINT/SIGTERM; 1 when serving fails (EADDRINUSE,
EACCES, ...); 2 on a usage error (an invalid ADDR or a missing DIR: nothing
is created).
`;

async function run(args: string[]): Promise<number> {
  const p = parseCommand(args, { mode: { type: 'string' }, log: { type: 'boolean' }, type: { type: 'string' } }, USAGE);
  if (p === undefined) return 0;
  if (p.positionals.length < 1 || p.positionals.length > 2) throw new UsageError('serve-http takes ADDR and an optional DIR');
  requireType(p, 'stream', 'HTTP needs a stream socket');
  const target = addressArgument(p.positionals[0], 'stream');
  const mode = modeOption(p);
  const dir = p.positionals[1] ?? '.';
  const handler = await staticFiles(dir, p.values.log === true ? (line) => status(line) : undefined).catch((err: Error & { code?: string }) => {
    throw err.code === 'ENOENT' || err.code === 'ENOTDIR' ? new UsageError(`DIR '${dir}' is not a directory`) : err;
  });
  const stop = nextStopSignal();
  const server = createServer(handler);
  const listener = await serveHttp(server, target.input, { mode });
  status(`serving ${dir} on ${describeTarget(target)}`);
  try {
    await stop.signal;
    return 0;
  } finally {
    listener.close();
    server.closeAllConnections();
  }
}

export const serveHttpCommand: Command = { run };
