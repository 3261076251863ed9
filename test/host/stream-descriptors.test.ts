// Descriptor passing on stream sockets (host/socket.ts over the native
// StreamEngine): alignment with the byte stream, queued sends holding their
// own duplicates, receive capacity and truncation, no leaks, bad input, and
// python3's socket.send_fds / recv_fds in both directions.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type DescriptorsInfo, listen, socketPair, type UnixSocket } from '../../host/index.js';
import { assertDescriptorsAsBefore, closeFd, descriptorBaseline, readFd, sameFile } from '../_helpers/descriptors.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { readAll, within } from '../_helpers/wait.js';

const tmp = makeTempDir('us-sd');
const at = tmp.at;

function fileWith(name: string, text: string): number {
  writeFileSync(at(name), text);
  return openSync(at(name), 'r');
}

/** Everything `socket` receives until the end: bytes, and each descriptor set with its info. */
async function collect(socket: UnixSocket): Promise<{ data: Buffer; sets: [number[], DescriptorsInfo][] }> {
  const sets: [number[], DescriptorsInfo][] = [];
  socket.on('descriptors', (fds: number[], info: DescriptorsInfo) => sets.push([fds, info]));
  const data = await readAll(socket);
  return { data, sets };
}

const fdPassing = suite('stream descriptor passing');

fdPassing('should deliver descriptors with the chunk holding the first byte of the write that carried them', async () => {
  const [a, b] = socketPair();
  const one = fileWith('one', 'first file');
  const two = fileWith('two', 'second file');
  const got = collect(b);
  a.write('aaa');
  const sent = a.send('B', { fds: [one] });
  a.write('ccc');
  await Promise.all([sent, a.send('D', { fds: [two, one] })]);
  a.end('eee');
  const { data, sets } = await within(got, 5000, 'the stream');
  assert.is(data.toString(), 'aaaBcccDeee');
  assert.is(sets.length, 2);
  const [[first, firstInfo], [second, secondInfo]] = sets as [[number[], DescriptorsInfo], [number[], DescriptorsInfo]];
  assert.ok(firstInfo.start <= 3 && 3 < firstInfo.end, `B at 3 in ${JSON.stringify(firstInfo)}`);
  assert.ok(secondInfo.start <= 7 && 7 < secondInfo.end, `D at 7 in ${JSON.stringify(secondInfo)}`);
  assert.is(firstInfo.truncated, false);
  assert.is(first.length, 1);
  assert.is(second.length, 2);
  assert.ok(sameFile(first[0]!, one) && sameFile(second[0]!, two) && sameFile(second[1]!, one));
  for (const fd of [...first, ...second]) closeFd(fd);
  for (const fd of [one, two]) closeSync(fd);
  a.destroy();
  b.destroy();
});

fdPassing('should send descriptors queued behind megabytes, after the caller closed its own', async () => {
  const server = await listen(at('s.sock'));
  const client = await connect(at('s.sock'));
  const peer = await server.accept();
  const file = fileWith('queued', 'still readable');
  const big = Buffer.alloc(4 << 20, 0x61);
  client.write(big);
  const sent = client.send('!', { fds: [file] });
  closeSync(file); // the engine holds its own duplicate while queued
  client.end();
  const got = collect(peer);
  await sent;
  const { data, sets } = await within(got, 10000, 'the stream');
  assert.is(data.length, big.length + 1);
  assert.is(data[big.length], '!'.charCodeAt(0));
  assert.is(sets.length, 1);
  const [[fds, info]] = sets as [[number[], DescriptorsInfo]];
  assert.ok(info.start <= big.length && big.length < info.end);
  assert.is(readFd(fds[0]!), 'still readable');
  closeFd(fds[0]!);
  peer.destroy();
  client.destroy();
  await server.close();
});

fdPassing('should close descriptors past maxDescriptors and report truncation, and close all without a listener', async () => {
  const before = await descriptorBaseline();
  const [a, b] = socketPair({ maxDescriptors: 1 });
  const file = fileWith('many', 'x');
  const got = collect(b);
  await a.send('x', { fds: [file, file, file] });
  a.end();
  const { sets } = await within(got, 5000, 'the stream');
  assert.is(sets.length, 1);
  assert.is(sets[0]![0].length, 1);
  assert.is(sets[0]![1].truncated, true);
  closeFd(sets[0]![0][0]!);
  a.destroy();
  b.destroy();

  const [c, d] = socketPair();
  await c.send('y', { fds: [file, file] });
  c.end();
  assert.is((await within(readAll(d), 5000, 'the stream')).toString(), 'y');
  c.destroy();
  d.destroy();
  closeSync(file);
  await new Promise((r) => setTimeout(r, 20));
  await assertDescriptorsAsBefore(before, 'no descriptor left open');
});

fdPassing('should deliver a backlog of descriptor chunks in order, aligned, through pauses (many per data event)', async () => {
  const before = await descriptorBaseline();
  const [a, b] = socketPair();
  const file = fileWith('backlog', 'x');
  // More chunks than one readable wakeup takes (64), all queued before the reader starts.
  const count = 150;
  const letters = Array.from({ length: count }, (_, i) => String.fromCharCode(65 + (i % 26)));
  const infos: DescriptorsInfo[] = [];
  b.on('descriptors', (fds: number[], info: DescriptorsInfo) => {
    assert.is(fds.length, 1);
    assert.ok(sameFile(fds[0]!, file));
    closeFd(fds[0]!);
    infos.push(info);
  });
  const sends = letters.map((letter) => a.send(letter, { fds: [file] }));
  await new Promise((r) => setTimeout(r, 20));
  let data = '';
  let paused = 0;
  let events = 0;
  b.on('data', (chunk: Buffer) => {
    data += chunk.toString();
    events++;
    // Each byte's 'descriptors' event came before the byte (while paused,
    // pushed chunks wait in the Readable with theirs already emitted).
    assert.ok(infos.length > 0 && infos[infos.length - 1]!.end >= data.length);
    // Back-pressure after each chunk: the rest waits in the kernel.
    paused++;
    b.pause();
    setImmediate(() => b.resume());
  });
  await within(Promise.all(sends), 5000, 'the sends');
  a.end();
  await within(new Promise((r) => b.once('end', r)), 5000, 'the end');
  assert.is(data, letters.join(''));
  assert.is(infos.length, count);
  infos.forEach((info, i) => {
    assert.is(info.start, i);
    assert.is(info.end, i + 1);
    assert.is(info.truncated, false);
  });
  assert.ok(paused >= 2, `paused ${paused} times`);
  // The kernel ends a recv at each chunk; one data event gathers many.
  assert.ok(events < count / 4, `${count} chunks came in ${events} data events`);
  a.destroy();
  b.destroy();
  closeSync(file);
  await new Promise((r) => setTimeout(r, 20));
  await assertDescriptorsAsBefore(before, 'no descriptor left open');
});

fdPassing('should receive descriptors only while a listener is attached, and close the rest', async () => {
  const before = await descriptorBaseline();
  const [a, b] = socketPair();
  const file = fileWith('toggle', 'x');
  b.resume();
  // No listener yet: read with plain recv, the kernel closes them.
  await a.send('1', { fds: [file] });
  await new Promise((r) => setTimeout(r, 20));
  const got: number[][] = [];
  const onFds = (fds: number[]): void => void got.push(fds);
  b.on('descriptors', onFds);
  await a.send('2', { fds: [file, file] });
  const deadline = Date.now() + 5000;
  while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.is(got.length, 1);
  assert.is(got[0]!.length, 2);
  for (const fd of got[0]!) closeFd(fd);
  b.off('descriptors', onFds);
  await a.send('3', { fds: [file] });
  a.end();
  await new Promise((r) => b.once('end', r));
  assert.is(got.length, 1, 'none after the listener left');
  a.destroy();
  b.destroy();
  closeSync(file);
  await new Promise((r) => setTimeout(r, 20));
  await assertDescriptorsAsBefore(before, 'no descriptor left open');
});

fdPassing('should pass listen() readCap and maxDescriptors on to accepted sockets', async () => {
  const server = await listen(at('caps.sock'), { maxDescriptors: 1, readCap: 4 });
  try {
    const client = await connect(at('caps.sock'));
    const accepted = await server.accept();
    const file = fileWith('cap', 'x');
    const got = collect(accepted);
    await client.send('abcdefgh', { fds: [file, file] });
    client.end();
    const { data, sets } = await within(got, 5000, 'the stream');
    assert.is(data.toString(), 'abcdefgh');
    assert.is(sets.length, 1);
    assert.is(sets[0]![0].length, 1, 'maxDescriptors applied');
    assert.is(sets[0]![1].truncated, true);
    assert.ok(sets[0]![1].end - sets[0]![1].start <= 4, 'readCap applied');
    closeFd(sets[0]![0][0]!);
    closeSync(file);
    client.destroy();
    accepted.destroy();
  } finally {
    server.close();
  }
});

fdPassing('should refuse bad send arguments with typed errors and send nothing', async () => {
  const [a, b] = socketPair();
  const file = fileWith('bad', 'x');
  const code = (call: () => unknown): string | undefined => {
    try {
      call();
    } catch (err) {
      return (err as { code?: string }).code;
    }
    return undefined;
  };
  assert.is(code(() => a.send('', { fds: [file] })), 'ERR_INVALID_ARG_VALUE');
  assert.is(code(() => a.send(Buffer.alloc(0), { fds: [file] })), 'ERR_INVALID_ARG_VALUE');
  assert.is(code(() => a.send('x', { fds: [-1] })), 'ERR_OUT_OF_RANGE');
  assert.is(code(() => a.send('x', { fds: 'x' as never })), 'ERR_INVALID_ARG_TYPE');
  assert.is(code(() => a.send(42, { fds: [file] })), 'ERR_INVALID_ARG_TYPE');
  assert.is(code(() => a.send('x', 'y' as never)), 'ERR_INVALID_ARG_TYPE');
  assert.is(code(() => a.send('x', { fds: new Array(2000).fill(file) })), 'ERR_INVALID_ARG_VALUE');
  const closed = openSync(at('bad'), 'r');
  closeSync(closed);
  await a.send('x', { fds: [closed] }).then(() => assert.unreachable('EBADF expected'), (err) => assert.is(err.code, 'EBADF'));
  assert.not.ok(a.destroyed, 'refused before anything was written');
  a.end('ok');
  assert.is((await within(readAll(b), 5000, 'the stream')).toString(), 'ok', 'nothing of the refused sends arrived');
  a.destroy();
  b.destroy();
  closeSync(file);
});

const python = spawnSync('python3', ['-c', 'import socket; socket.send_fds'], { stdio: 'ignore' }).status === 0;

fdPassing('should exchange descriptors with python3 send_fds / recv_fds in both directions', async () => {
  if (!python) {
    console.log('  skipped: python3 >= 3.9 is not installed');
    return;
  }
  const server = await listen(at('py.sock'));
  const script = `
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
data, fds, flags, addr = socket.recv_fds(s, 100, 4)
print(data.decode(), os.read(fds[0], 100).decode(), flush=True)
r, w = os.pipe()
os.write(w, b'from python')
os.close(w)
socket.send_fds(s, [b'P'], [r])
s.shutdown(socket.SHUT_WR)
s.recv(1)
`;
  const child = spawn('python3', ['-c', script, at('py.sock')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  const peer = await within(server.accept(), 5000, 'python connecting');
  const file = fileWith('to-python', 'from node');
  await peer.send('N', { fds: [file] });
  closeSync(file);
  const got = new Promise<[number[], Buffer]>((resolve) => {
    let fds: number[] = [];
    peer.once('descriptors', (f: number[]) => (fds = f));
    peer.once('data', (d: Buffer) => resolve([fds, d]));
  });
  const [fds, data] = await within(got, 5000, 'python sending');
  assert.is(data.toString(), 'P');
  assert.is(readFd(fds[0]!), 'from python');
  closeFd(fds[0]!);
  peer.end();
  assert.is(await within(exit, 5000, 'python exiting'), 0, err);
  assert.is(out.trim(), 'N from node');
  peer.destroy();
  await server.close();
});

fdPassing.after(() => tmp.remove());
fdPassing.run();
