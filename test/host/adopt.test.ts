// host/adopt.ts: fromFd() over real descriptors — socketpair ends, raw
// listening sockets, descriptors received with SCM_RIGHTS, blocking sockets a
// python3 parent passes down; bad input leaves the descriptor alone.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  closeFd, connect, connectSeqpacket, DatagramSocket, encodeSockaddr, fromFd, type MessageInfo, SeqpacketSocket, socketPair, UnixServer, UnixsockError, UnixSocket,
} from '../../host/index.js';
import { native } from '../../host/native/native.js';
import { assertDescriptorsAsBefore, descriptorBaseline, fileOf, tcpListenerFromPython } from '../_helpers/descriptors.js';
import { PY_ADDR, skip } from '../_helpers/peers.js';
import { moduleArgv } from '../_helpers/runtime.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { event, readAll, within } from '../_helpers/wait.js';
import { descriptorFlags, O_CLOEXEC, O_NONBLOCK, throwsArgumentError, throwsTypeError } from '../native/_support.js';

const tmp = makeTempDir('us-f');
const at = tmp.at;
const TYPES = { stream: 1, datagram: 2, seqpacket: 3 } as const;

function rawPair(type: keyof typeof TYPES): [number, number] {
  const fds = new Int32Array(2);
  const r = native.socketPair(TYPES[type], fds);
  if (r < 0) throw new Error(`socketpair: ${r}`);
  return [fds[0]!, fds[1]!];
}

function rawListener(type: 'stream' | 'seqpacket', path: string): number {
  const fd = native.socket(TYPES[type]);
  if (fd < 0 || native.bind(fd, encodeSockaddr(path)) < 0 || native.listen(fd, 16) < 0) throw new Error('raw listener');
  return fd;
}

function codeOf(call: () => unknown): string | undefined {
  try {
    call();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

const adopt = suite('fromFd');

adopt('should adopt socketpair ends of each type as the matching object', async () => {
  const [a, b] = rawPair('stream');
  const sa = fromFd(a);
  const sb = fromFd(b);
  assert.instance(sa, UnixSocket);
  assert.instance(sb, UnixSocket);
  (sa as UnixSocket).end('over adopted ends');
  assert.is((await readAll(sb as UnixSocket)).toString(), 'over adopted ends');
  (sa as UnixSocket).destroy();
  (sb as UnixSocket).destroy();

  const [c, d] = rawPair('seqpacket');
  const [pc, pd] = [fromFd(c), fromFd(d)];
  assert.instance(pc, SeqpacketSocket);
  const got = event(pd as SeqpacketSocket, 'message');
  await (pc as SeqpacketSocket).send('record');
  assert.is(String((await got)[0]), 'record');
  (pc as SeqpacketSocket).close();
  (pd as SeqpacketSocket).close();

  const [e, f] = rawPair('datagram');
  const [de, df] = [fromFd(e), fromFd(f)];
  assert.instance(de, DatagramSocket);
  const dgram = event(df as DatagramSocket, 'message');
  await (de as DatagramSocket).send('datagram');
  assert.is(String((await dgram)[0]), 'datagram');
  await (de as DatagramSocket).close();
  await (df as DatagramSocket).close();
});

adopt('should adopt a listening socket as a server that accepts and never unlinks its file', async () => {
  for (const type of ['stream', 'seqpacket'] as const) {
    const path = at(`l-${type}.sock`);
    const server = fromFd(rawListener(type, path)) as UnixServer<UnixSocket | SeqpacketSocket>;
    assert.instance(server, UnixServer);
    assert.equal(server.address(), { path });
    const accepted = within(server.accept(), 5000, 'accept');
    const client = type === 'stream' ? await connect(path) : await connectSeqpacket(path);
    const peer = await accepted;
    assert.instance(peer, type === 'stream' ? UnixSocket : SeqpacketSocket);
    if (client instanceof UnixSocket) client.destroy();
    else client.close();
    if (peer instanceof UnixSocket) peer.destroy();
    else peer.close();
    await server.close();
    assert.ok(existsSync(path), 'an adopted listener did not bind the file, so it leaves it');
  }
});

adopt('should adopt a descriptor received with SCM_RIGHTS', async () => {
  const [x, y] = socketPair({ type: 'datagram' });
  const [mine, theirs] = socketPair();
  const got = event(y, 'message');
  await x.send('take this', { fds: [theirs] });
  const [, info] = (await got) as [Buffer, { fds: number[] }];
  theirs.destroy();
  const adopted = fromFd(info.fds[0]!) as UnixSocket;
  assert.instance(adopted, UnixSocket);
  mine.end('through the received end');
  assert.is((await readAll(adopted)).toString(), 'through the received end');
  mine.destroy();
  adopted.destroy();
  await x.close();
  await y.close();
});

const python = spawnSync('python3', ['-c', 'import socket; socket.socketpair'], { stdio: 'ignore' }).status === 0;

adopt('should refuse a regular file, a closed descriptor and a TCP socket, leaving each as it was', async () => {
  const before = await descriptorBaseline();
  const file = openSync(at('plain'), 'w');
  assert.is(codeOf(() => fromFd(file)), 'ENOTSOCK');
  assert.is(fileOf(file).type, 'regular', 'the file descriptor is still open');
  closeSync(file);
  assert.is(codeOf(() => fromFd(file)), 'EBADF');

  const tcpFd = await tcpListenerFromPython(tmp.path);
  if (tcpFd === undefined) skip('the TCP case needs python3');
  else {
    const flags = descriptorFlags(tcpFd);
    assert.is(codeOf(() => fromFd(tcpFd)), 'EAFNOSUPPORT');
    assert.is(fileOf(tcpFd).type, 'socket', 'the TCP socket is still open');
    assert.is(descriptorFlags(tcpFd), flags, 'and its flags are unchanged');
    closeFd(tcpFd);
  }
  await assertDescriptorsAsBefore(before);
});

adopt('should refuse bad arguments with a TypeError before touching anything', () => {
  const [a, b] = rawPair('stream');
  for (const bad of [-1, 1.5, Number.NaN, 2 ** 31, '3', null, undefined, {}]) {
    throwsArgumentError(() => fromFd(bad as number), `fromFd(${String(bad)})`);
  }
  throwsTypeError(() => fromFd(a, 'x' as never), 'options of the wrong type');
  throwsArgumentError(() => fromFd(a, { maxDescriptors: 0 }), 'a bad message option');
  assert.is(fileOf(a).type, 'socket', 'still open after the refusals');
  (fromFd(a) as UnixSocket).destroy();
  (fromFd(b) as UnixSocket).destroy();
});

adopt('should make inherited sockets close-on-exec at once and non-blocking at their first I/O (python3 parent)', async () => {
  if (!python) {
    console.log('  skipped: python3 is not installed');
    return;
  }
  const index = new URL('../../host/index.js', import.meta.url).href;
  const child = `
    import { fromFd } from ${JSON.stringify(index)};
    import { readFileSync } from 'node:fs';
    const flags = (fd) => parseInt(/^flags:\\s+([0-7]+)$/m.exec(readFileSync('/proc/self/fdinfo/' + fd, 'utf8'))[1], 8);
    const fd = Number(process.argv.at(-1));
    const before = flags(fd);
    const s = fromFd(fd);
    const after = flags(fd);
    s.end('hi from the child');
    const afterIo = flags(fd);
    s.on('close', () => console.log(JSON.stringify({ before, after, afterIo })));
    s.resume();`;
  const parent = `${PY_ADDR}import json, subprocess
a, b = socket.socketpair()
p = subprocess.Popen(json.loads(sys.argv[1]) + [str(b.fileno())], pass_fds=(b.fileno(),), stdout=subprocess.PIPE, env={'NO_COLOR': '1'})
b.close()
data = read_all(a, 100)
a.close()
out, _ = p.communicate(timeout=10)
print(data.decode())
print(out.decode().strip())`;
  const r = spawnSync('python3', ['-c', parent, JSON.stringify(moduleArgv(child))], { encoding: 'utf8', timeout: 15000 });
  assert.is(r.status, 0, r.stderr);
  const [data, json] = r.stdout.trim().split('\n');
  assert.is(data, 'hi from the child');
  const { before, after, afterIo } = JSON.parse(json!) as { before: number; after: number; afterIo: number };
  assert.is(before & O_NONBLOCK, 0, 'python passed a blocking socket');
  // Still blocking for the other programs sharing it, until unixsock's own first I/O.
  assert.is(after & O_NONBLOCK, 0);
  assert.is(after & O_CLOEXEC, O_CLOEXEC);
  assert.is(afterIo & O_NONBLOCK, O_NONBLOCK);
});

adopt('closeFd should close a received descriptor, refuse one that is not open with EBADF, and refuse bad arguments touching nothing', async () => {
  const before = await descriptorBaseline();
  const [x, y] = socketPair({ type: 'datagram' });
  const file = openSync(at('to-close'), 'w');
  const got = event(y, 'message');
  await x.send('a file', { fds: [file] });
  closeSync(file);
  const [, info] = (await got) as [Buffer, MessageInfo];
  const received = info.fds[0]!;
  assert.is(fileOf(received).type, 'regular');
  for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '3', '', '\0', '\uD800', null, undefined, {}, 3n]) {
    throwsArgumentError(() => closeFd(bad as number), `closeFd(${String(bad)})`);
  }
  assert.is(fileOf(received).type, 'regular', 'still open after the refusals');
  closeFd(received);
  assert.throws(() => fileOf(received), /errno 9/, 'closed');
  // Not `received` again: another thread of the runtime may have been given its number by now.
  let err: unknown;
  try {
    closeFd(2 ** 31 - 1);
  } catch (e) {
    err = e;
  }
  assert.instance(err, UnixsockError);
  assert.is((err as UnixsockError).code, 'EBADF');
  assert.is((err as UnixsockError).syscall, 'close');
  await x.close();
  await y.close();
  await assertDescriptorsAsBefore(before);
});

adopt.after(() => tmp.remove());
adopt.run();
