// The other process of bench/stream.ts: a server over node:net or unixsock.
//   sink:   count bytes until the client ends, then reply with the count
//   echo:   echo everything back
//   accept: accept connections and close each one at once
// Prints "ready" once listening; exits when its parent closes stdin.
import * as net from 'node:net';
import { listen } from '../host/index.js';

const [lib, mode, path] = process.argv.slice(2) as ['net' | 'unixsock', 'sink' | 'echo' | 'accept', string];

type Sock = NodeJS.ReadWriteStream & { destroy(): void; end(data?: string): void };

function handle(s: Sock): void {
  if (mode === 'echo') {
    s.pipe(s);
    return;
  }
  if (mode === 'accept') {
    s.destroy();
    return;
  }
  let n = 0;
  s.on('data', (d: Buffer) => { n += d.length; });
  s.on('end', () => s.end(String(n)));
}

if (lib === 'net') {
  const server = net.createServer({ allowHalfOpen: true }, (s) => handle(s as unknown as Sock));
  server.listen({ path, backlog: 511 }, () => console.log('ready'));
} else {
  const server = await listen(path, { allowHalfOpen: true });
  server.on('connection', (s) => handle(s as unknown as Sock));
  console.log('ready');
}
process.stdin.on('end', () => process.exit(0)).resume();
