// host/systemd.ts with a harness that plays systemd: it binds sockets, spawns
// a child with them on fds 3.. and LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES set
// (LISTEN_PID through `sh -c 'exec'`, so it is the child's own pid), and
// receives the child's notify datagrams, with credentials and stored fds.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  connect, connectSeqpacket, createDatagramSocket, type DatagramSocket, encodeSockaddr, listenFds, type MessageInfo, notify,
} from '../../host/index.js';
import { native } from '../../host/native/native.js';
import { closeFd, fileOf } from '../_helpers/descriptors.js';
import { moduleArgv } from '../_helpers/runtime.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { event, readAll, within } from '../_helpers/wait.js';

const tmp = makeTempDir('us-sd');
const at = tmp.at;
const INDEX = new URL('../../host/index.js', import.meta.url).href;

/** Run `script` as a module in a child "started by systemd" with `fds` on 3..; resolves its stdout and exit code. */
function activated(script: string, fds: number[], env: Record<string, string>): { done: Promise<{ code: number | null; out: string; err: string }> } {
  const child = spawn('sh', ['-c', 'LISTEN_PID=$$ exec "$0" "$@"', ...moduleArgv(script)], {
    stdio: ['ignore', 'pipe', 'pipe', ...fds],
    env: { NO_COLOR: '1', PATH: process.env.PATH ?? '', LISTEN_FDS: String(fds.length), ...env },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.on('close', (code) => resolve({ code, out, err })));
  return { done: within(done, 15000, 'the activated child') };
}

const TYPES = { stream: 1, datagram: 2, seqpacket: 3 } as const;

function rawSocket(type: keyof typeof TYPES, path: string, listening: boolean): number {
  const fd = native.socket(TYPES[type]);
  if (fd < 0 || native.bind(fd, encodeSockaddr(path)) < 0 || (listening && native.listen(fd, 16) < 0)) throw new Error(`raw ${type} socket`);
  return fd;
}

const sd = suite('systemd');

sd('should adopt inherited stream, datagram and seqpacket sockets by kind and name, and notify READY with a stored fd', async () => {
  // Plain descriptors, as systemd holds them: nobody in this process accepts on them.
  const web = rawSocket('stream', at('web.sock'), true);
  const log = rawSocket('datagram', at('log.sock'), false);
  const pkt = rawSocket('seqpacket', at('pkt.sock'), true);
  const notifySocket = createDatagramSocket({ bind: { abstract: Buffer.from(`us-notify-${process.pid}`) }, passCredentials: true });
  const messages: [Buffer, MessageInfo][] = [];
  notifySocket.on('message', (d: Buffer, i: MessageInfo) => messages.push([d, i]));

  const script = `
    import { listenFds, notify, UnixServer, DatagramSocket } from ${JSON.stringify(INDEX)};
    import { openSync } from 'node:fs';
    const fds = listenFds();
    const kinds = fds.map((f) => [f.fd, f.name, f.socket?.constructor.name, f.socket instanceof UnixServer ? f.socket.address() : null]);
    const env = [process.env.LISTEN_PID, process.env.LISTEN_FDS, process.env.LISTEN_FDNAMES];
    const server = fds[0].socket;
    const conn = await server.accept();
    conn.end('served by the activated child');
    const dgram = fds[1].socket;
    const [data] = await new Promise((r) => dgram.once('message', (...a) => r(a)));
    const store = openSync(process.execPath, 'r');
    await notify({ READY: 1, STATUS: 'serving' });
    await notify('FDSTORE=1\\nFDNAME=binary', { fds: [store] });
    console.log(JSON.stringify({ kinds, env, datagram: String(data), again: listenFds().length }));
    for (const f of fds) await f.socket.close?.();
    conn.destroy();`;
  const child = activated(script, [web, log, pkt], {
    LISTEN_FDNAMES: 'web:log:pkt',
    NOTIFY_SOCKET: `@us-notify-${process.pid}`,
  });
  const client = await connect(at('web.sock'));
  assert.is((await readAll(client)).toString(), 'served by the activated child');
  client.destroy();
  const sender = createDatagramSocket();
  await sender.sendTo('to the inherited datagram socket', at('log.sock'));
  await sender.close();

  const { code, out, err } = await child.done;
  assert.is(code, 0, err);
  const report = JSON.parse(out) as { kinds: unknown[]; env: unknown[]; datagram: string; again: number };
  assert.equal(report.kinds, [
    [3, 'web', 'UnixServer', { path: at('web.sock') }],
    [4, 'log', 'DatagramSocket', null],
    [5, 'pkt', 'UnixServer', { path: at('pkt.sock') }],
  ]);
  assert.equal(report.env, [null, null, null], 'the variables are cleared (JSON shows undefined as null)');
  assert.is(report.datagram, 'to the inherited datagram socket');
  assert.is(report.again, 0);

  await within((async () => { while (messages.length < 2) await new Promise((r) => setTimeout(r, 10)); })(), 5000, 'two notify datagrams');
  const [[ready, readyInfo], [store, storeInfo]] = messages as [[Buffer, MessageInfo], [Buffer, MessageInfo]];
  assert.is(ready.toString(), 'READY=1\nSTATUS=serving');
  assert.ok(readyInfo.credentials !== undefined && readyInfo.credentials.pid > 0 && readyInfo.credentials.pid !== process.pid, 'the child is the sender');
  assert.is(store.toString(), 'FDSTORE=1\nFDNAME=binary');
  assert.is(storeInfo.fds.length, 1);
  assert.is(fileOf(storeInfo.fds[0]!).type, 'regular');
  closeFd(storeInfo.fds[0]!);

  // The child closed its adopted copies without unlinking: systemd's sockets still take connections.
  const again = await connectSeqpacket(at('pkt.sock'));
  again.close();
  for (const fd of [web, log, pkt]) native.close(fd);
  await notifySocket.close();
});

sd('should return nothing when LISTEN_PID is another process, and notify false without NOTIFY_SOCKET', async () => {
  const saved = { ...process.env };
  try {
    process.env.LISTEN_PID = String(process.pid + 1);
    process.env.LISTEN_FDS = '1';
    assert.equal(listenFds(), []);
    assert.is(process.env.LISTEN_FDS, undefined);
    process.env.LISTEN_PID = String(process.pid);
    process.env.LISTEN_FDS = '1x';
    assert.equal(listenFds({ unsetEnvironment: false }), []);
    assert.is(process.env.LISTEN_FDS, '1x');
    delete process.env.NOTIFY_SOCKET;
    assert.is(await notify('READY=1'), false);
  } finally {
    process.env = saved;
  }
});

sd('should send to a path NOTIFY_SOCKET and refuse bad states and addresses with typed errors', async () => {
  const saved = process.env.NOTIFY_SOCKET;
  const receiver = createDatagramSocket({ bind: at('notify.sock') });
  try {
    process.env.NOTIFY_SOCKET = at('notify.sock');
    const got = event(receiver, 'message');
    assert.is(await notify('WATCHDOG=1'), true);
    assert.is(String((await got)[0]), 'WATCHDOG=1');
    const typed = async (call: () => Promise<unknown>, code: string) => {
      try {
        await call();
      } catch (err) {
        assert.is((err as { code?: string }).code, code, String(err));
        return;
      }
      assert.unreachable(`expected ${code}`);
    };
    await typed(() => notify(''), 'ERR_INVALID_ARG_VALUE');
    await typed(() => notify(42 as never), 'ERR_INVALID_ARG_TYPE');
    await typed(() => notify({ 'bad key': 'x' }), 'ERR_INVALID_ARG_VALUE');
    await typed(() => notify({ STATUS: 'two\nlines' }), 'ERR_INVALID_ARG_VALUE');
    await typed(() => notify('READY=1', 'x' as never), 'ERR_INVALID_ARG_TYPE');
    await typed(() => notify('READY=1', { unsetEnvironment: 'yes' } as never), 'ERR_INVALID_ARG_TYPE');
    await typed(() => notify('READY=1', { fds: 'x' } as never), 'ERR_INVALID_ARG_TYPE');
    await typed(() => notify('READY=1', { fds: [-1] }), 'ERR_OUT_OF_RANGE');
    await typed(async () => listenFds('x' as never), 'ERR_INVALID_ARG_TYPE');
    await typed(async () => listenFds({ unsetEnvironment: 1 } as never), 'ERR_INVALID_ARG_TYPE');
    for (const bad of ['relative.sock', '@', at('x'.repeat(120)), `${at('nul')}\0x`]) {
      process.env.NOTIFY_SOCKET = bad;
      await typed(() => notify('READY=1'), 'ERR_INVALID_ARG_VALUE');
    }
    process.env.NOTIFY_SOCKET = at('missing.sock');
    await typed(() => notify('READY=1'), 'ENOENT');
  } finally {
    if (saved === undefined) delete process.env.NOTIFY_SOCKET;
    else process.env.NOTIFY_SOCKET = saved;
    await (receiver as DatagramSocket).close();
  }
});

sd.after(() => tmp.remove());
sd.run();
