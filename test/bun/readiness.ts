// Child process of the smoke suite (test/bun/smoke.ts): the parts of the
// public API that wait on readiness (native/src/readiness.h; the reactor on
// Bun): listen, connect, a stream echo, and socketPair. Run in its own
// process because a wrong backend choice would abort the process (Bun's
// uv_poll_init panics), which no JS code can catch. Prints
// "readiness: ok" and exits 0 when everything worked; argv[2] is a
// directory for the socket file.
import { join } from 'node:path';
import { connect, listen, socketPair, type UnixSocket } from '../../host/index.js';

const deadline = setTimeout(() => {
  console.error('readiness: did not finish within 8 s');
  process.exit(3);
}, 8000);

function echoOnce(socket: UnixSocket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('data', (d: Buffer) => resolve(d.toString()));
    socket.once('error', reject);
    socket.write(text);
  });
}

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: readiness.js <directory>');
const server = await listen(join(dir, 'ready.sock'));
server.on('connection', (s: UnixSocket) => s.pipe(s));
const client = await connect(join(dir, 'ready.sock'));
const echoed = await echoOnce(client, 'over the reactor');
if (echoed !== 'over the reactor') throw new Error(`echo gave ${JSON.stringify(echoed)}`);
client.destroy();
server.close();

const [a, b] = socketPair();
const got = new Promise<string>((resolve) => b.once('data', (d: Buffer) => resolve(d.toString())));
a.write('pair');
if ((await got) !== 'pair') throw new Error('socketPair did not carry the bytes');
a.destroy();
b.destroy();

clearTimeout(deadline);
console.log('readiness: ok');
