// Socket ends handed to child processes the README's way (spawn's stdio as
// fd 3, then destroy the parent's copy) are ordinary blocking descriptors:
// stream, datagram and seqpacket pairs and fromFd ends, read by a shell
// (cat/head <&3), python with a blocking socket and a small C program, each
// started before the parent writes so that its first read has to block.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fromFd, socketPair } from '../../host/index.js';
import { native } from '../../host/native/native.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { within } from '../_helpers/wait.js';

const tmp = makeTempDir('us-bc');
const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const PYTHON = has('python3');
const CC = has('cc');

/** O_NONBLOCK on `fd`, from /proc. */
const nonblocking = (fd: number): boolean => (parseInt(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').match(/flags:\s+(\d+)/)![1]!, 8) & 0o4000) !== 0;

const C_READER = `#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
/* Reads fd 3 the ordinary blocking way until it has N bytes (or EOF) and prints them. */
int main(int argc, char** argv) {
  size_t want = (size_t)atoi(argv[1]), got = 0;
  char buf[4096];
  while (got < want) {
    ssize_t n = read(3, buf + got, want - got);
    if (n < 0) { perror("read"); return 1; }
    if (n == 0) break;
    got += (size_t)n;
  }
  fwrite(buf, 1, got, stdout);
  return 0;
}
`;

let cReader: string | undefined;
function compileReader(): string | undefined {
  if (!CC) return undefined;
  if (cReader === undefined) {
    writeFileSync(join(tmp.path, 'reader.c'), C_READER);
    cReader = join(tmp.path, 'reader');
    execFileSync('cc', ['-O2', '-o', cReader, join(tmp.path, 'reader.c')], { stdio: 'pipe', timeout: 30000 });
  }
  return cReader;
}

type PairType = 'stream' | 'datagram' | 'seqpacket';
const MESSAGE = 'hello child\n';

/** Readers of fd 3, by name: the command, or undefined (with why) when its tool is absent. */
function readers(type: PairType): [string, string[] | string][] {
  const n = String(MESSAGE.length);
  // A datagram socket has no end of stream: read exactly one message's bytes.
  const shell = type === 'datagram' ? `head -c ${n} <&3` : 'cat <&3';
  const python = `import socket, sys
s = socket.socket(fileno=3)
sys.stderr.write('blocking=%s\\n' % s.getblocking())
data = b''
while len(data) < ${n}:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode())`;
  const c = compileReader();
  return [
    ['sh', ['sh', '-c', shell]],
    ['python3', PYTHON ? ['python3', '-c', python] : 'python3 is not installed'],
    ['C read(2)', c !== undefined ? [c, n] : 'no C compiler'],
  ];
}

/** Spawn `argv` with `fd` as its fd 3; resolves with its stdout once it exits (status 0 required). */
function child(argv: string[], fd: number): { done: Promise<string>; started: Promise<void> } {
  const p = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe', fd] });
  let out = '';
  let err = '';
  p.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  p.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const started = new Promise<void>((resolve) => p.once('spawn', () => resolve()));
  const done = within(new Promise<string>((resolve, reject) => {
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${argv[0]} exited ${code}: ${err}`))));
  }), 15000, argv[0]);
  return { done, started };
}

/** The README's "destroy the parent's copy": destroy() for a stream socket, close() for a message socket. */
function closeEnd(s: { destroy?: () => void; close?: () => void }): void {
  if (typeof s.destroy === 'function') s.destroy();
  else s.close!();
}

const blockingChild = suite('socket ends for child processes');
blockingChild.after(() => tmp.remove());

for (const type of ['stream', 'datagram', 'seqpacket'] as const) {
  blockingChild(`should give a child a blocking ${type} end the README's way`, async () => {
    for (const [name, argv] of readers(type)) {
      if (typeof argv === 'string') {
        console.log(`  skipped ${name}: ${argv}`);
        continue;
      }
      const [mine, theirs] = socketPair({ type } as { type: 'stream' });
      assert.not.ok(nonblocking(theirs.fd), `${type} end handed out blocking`);
      const run = child(argv, theirs.fd);
      await run.started;
      closeEnd(theirs as never);
      // Let the child reach its read first: it has to block, not fail with EAGAIN.
      await new Promise((r) => setTimeout(r, 150));
      if (type === 'stream') {
        (mine as unknown as import('../../host/index.js').UnixSocket).end(MESSAGE);
      } else {
        const m = mine as unknown as import('../../host/index.js').SeqpacketSocket;
        await m.send(Buffer.from(MESSAGE));
        assert.ok(nonblocking(mine.fd), 'the parent\'s end is non-blocking once it has written');
        if (type === 'seqpacket') m.close();
      }
      assert.is(await run.done, MESSAGE, `${type} via ${name}`);
      closeEnd(mine as never);
    }
  });
}

blockingChild('should keep a fromFd end blocking until its first I/O here', async () => {
  const fds = new Int32Array(2);
  assert.is(native.socketPair(1, fds), 0);
  // node's own way: a non-blocking descriptor; adoption must leave it ordinary for a child.
  native.setDescriptorFlags(fds[0]!, true, true);
  const adopted = fromFd(fds[0]!) as import('../../host/index.js').UnixSocket;
  assert.not.ok(nonblocking(fds[0]!), 'blocking after adoption');
  const [name, argv] = readers('stream').find(([, a]) => typeof a !== 'string') ?? [];
  assert.ok(argv !== undefined, 'the shell reader is always there');
  const run = child(argv as string[], fds[0]!);
  await run.started;
  await new Promise((r) => setTimeout(r, 150));
  // The other end is ours and stays ours: write through it, then close.
  native.send(fds[1]!, Buffer.from(MESSAGE), 0, MESSAGE.length);
  native.close(fds[1]!);
  assert.is(await run.done, MESSAGE, String(name));
  // First I/O here: now non-blocking.
  adopted.resume();
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(adopted.destroyed || nonblocking(adopted.fd));
  adopted.destroy();
});

blockingChild.run();
