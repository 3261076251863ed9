// Datagrams with what only Unix sockets carry: the sender's credentials
// (SCM_CREDENTIALS, Linux) and an open file descriptor (SCM_RIGHTS). The
// server reads the file through the descriptor it received and answers the
// client, which bound itself to an autobound abstract name (Linux).
// Run from the repository after `npm install`: node examples/datagram-credentials.mjs
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeFd, createDatagramSocket } from '../dist/host/index.js';

const dir = mkdtempSync(join(tmpdir(), 'unixsock-'));
const path = join(dir, 'server.dgram');
writeFileSync(join(dir, 'note.txt'), 'contents read through a passed descriptor');

const server = createDatagramSocket({ bind: path, passCredentials: true });
server.on('message', async (data, info) => {
  // info.fds are ours now: read the file, then close it. /dev/fd and closeFd
  // work on every runtime; Deno's node:fs refuses descriptors Deno did not open.
  const text = info.fds.length > 0 ? readFileSync(`/dev/fd/${info.fds[0]}`, 'utf8') : '';
  for (const fd of info.fds) closeFd(fd);
  console.log('server got', JSON.stringify(data.toString()), 'from', info.address, 'pid matches:', info.credentials?.pid === process.pid);
  console.log('file says:', text);
  await server.sendTo(`thanks, ${data}`, info.address); // the client's autobound name
});

const client = createDatagramSocket({ bind: { unnamed: true }, connect: path });
const file = openSync(join(dir, 'note.txt'), 'r');
await client.send('hello', { fds: [file], credentials: true });
closeSync(file); // the kernel holds its own reference while the datagram is queued

const [reply] = await once(client, 'message');
console.log('client got', JSON.stringify(reply.toString()));

await client.close();
await server.close(); // unlinks server.dgram: still the file this socket bound
rmSync(dir, { recursive: true });
