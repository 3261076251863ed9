// `unixsock send ADDR MESSAGE`: one datagram, optionally carrying descriptors.
import { text } from 'node:stream/consumers';
import { createDatagramSocket } from '../messages/datagram.js';
import { addressArgument, type Command, parseCommand, requireType, UsageError } from './common.js';

const USAGE = `Usage: unixsock send [--fd N]... ADDR MESSAGE

Sends MESSAGE (its UTF-8 bytes; '-' reads stdin to its end) as one datagram to
the datagram socket at ADDR. Returns once the kernel took it.

Options:
  --fd N       Pass descriptor N of this process along (SCM_RIGHTS); repeatable.
               'unixsock send ADDR note --fd 0 < file' passes the file.
  -h, --help   Show this help.
  --debug      Add stack traces to error lines.

Exit status: 0 when sent; 1 when sending fails (ENOENT, ECONNREFUSED, EMSGSIZE,
EBADF for a bad --fd, ...); 2 on a usage error (an invalid ADDR creates nothing).
`;

async function run(args: string[]): Promise<number> {
  const p = parseCommand(args, { fd: { type: 'string', multiple: true }, type: { type: 'string' } }, USAGE);
  if (p === undefined) return 0;
  if (p.positionals.length !== 2) throw new UsageError('send takes ADDR and MESSAGE');
  const [addr, message] = p.positionals as [string, string];
  requireType(p, 'datagram', 'send sends datagrams only');
  const target = addressArgument(addr, 'datagram');
  const fds = ((p.values.fd as string[] | undefined) ?? []).map((v) => {
    if (!/^\d+$/.test(v) || Number(v) > 0x7fffffff) throw new UsageError(`--fd must be a descriptor number, not '${v}'`);
    return Number(v);
  });
  const data = message === '-' ? await text(process.stdin) : message;
  const socket = createDatagramSocket({ connect: target.input });
  try {
    await socket.send(data, { fds });
  } finally {
    await socket.close();
  }
  return 0;
}

export const send: Command = { run };
