// AsyncLocalStorage reaches socket callbacks as with node:net: a store set
// around connect(), listen() or the making of a message socket is the store
// in its 'data', 'connection' and 'message' handlers, on every runtime (the
// addon's own async context carries it only on Node 20 and 22:
// host/native/context.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import { once } from 'node:events';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, listen, socketPair, type UnixSocket } from '../../host/index.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { within } from '../_helpers/wait.js';

const Context = suite('async context');
const als = new AsyncLocalStorage<string>();

Context('should run stream data and connection handlers in the context of connect() and listen()', async () => {
  const dir = makeTempDir();
  try {
    const seen: Record<string, string | undefined> = {};
    const server = await als.run('listen', () => listen(dir.at('s.sock')));
    server.on('connection', (s: UnixSocket) => {
      seen.connection = als.getStore();
      s.on('data', (d) => { seen.serverData = als.getStore(); s.end(d); });
    });
    const client = await als.run('connect', () => connect(dir.at('s.sock')));
    const replied = new Promise<void>((resolve) => client.on('data', () => { seen.clientData = als.getStore(); resolve(); }));
    // Written outside any store: the handlers must still see their sockets' own.
    client.write('ping');
    await within(replied, 5000, 'the echo');
    client.destroy();
    server.close();
    assert.equal(seen, { connection: 'listen', serverData: 'listen', clientData: 'connect' });
  } finally {
    dir.remove();
  }
});

Context('should run message handlers in the context the socket was made in', async () => {
  const [a, b] = als.run('pair', () => socketPair({ type: 'datagram' }));
  try {
    const got = once(b, 'message');
    await a.send(Buffer.from('x'));
    await within(got, 5000, 'the datagram');
    let store: string | undefined;
    const next = new Promise<void>((resolve) => b.once('message', () => { store = als.getStore(); resolve(); }));
    await a.send(Buffer.from('y'));
    await within(next, 5000, 'the second datagram');
    assert.is(store, 'pair');
  } finally {
    await a.close();
    await b.close();
  }
});

Context.run();
