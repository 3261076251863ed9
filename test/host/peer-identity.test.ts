// The peer's identity beyond SO_PEERCRED, as read-only socket options:
// SO_PEERPIDFD (a pidfd of the peer), SO_PEERGROUPS (its supplementary
// groups) and SO_PEERSEC (its security label, null when none), checked
// against a real python3 peer on both ends of each connected socket type.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  closeFd, connect, connectSeqpacket, createDatagramSocket, listen, listenSeqpacket, socketPair,
} from '../../host/index.js';
import { errnoError } from '../../host/component/failures.js';
import { native, SOCKET_OPTION } from '../../host/native/native.js';
import { assertDescriptorsAsBefore, descriptorBaseline } from '../_helpers/descriptors.js';
import { within } from '../_helpers/wait.js';
import { python3 } from '../fuzz/_python-peer.js';

const test = suite('peer identity: SO_PEERPIDFD, SO_PEERGROUPS, SO_PEERSEC');

const linux = process.platform === 'linux';
const root = process.getuid?.() === 0;
/** Kernel >= 6.5 has SO_PEERPIDFD. */
const [major, minor] = (linux ? readFileSync('/proc/sys/kernel/osrelease', 'utf8') : '0.0').split('.').map(Number);
const pidfds = linux && (major! > 6 || (major === 6 && minor! >= 5));

function skipReason(): string | undefined {
  if (!linux) return 'Linux only';
  if (!python3()) return 'needs python3';
  return undefined;
}

/** The pid a pidfd refers to (-1 once the process is gone), from /proc/self/fdinfo. */
function pidOf(pidfd: number): number {
  const m = /^Pid:\s*(-?\d+)$/m.exec(readFileSync(`/proc/self/fdinfo/${pidfd}`, 'utf8'));
  assert.ok(m, `fdinfo of ${pidfd} names a pid`);
  return Number(m[1]);
}

/** The descriptor's open flags include O_CLOEXEC (octal 02000000 in fdinfo's flags). */
function closeOnExec(fd: number): boolean {
  const m = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
  return m !== null && (parseInt(m[1]!, 8) & 0o2000000) !== 0;
}

/** What the kernel should report as `pid`'s label: /proc/<pid>/attr/current, or null without an LSM. */
function labelOf(pid: number): string | null {
  try {
    const label = readFileSync(`/proc/${pid}/attr/current`, 'utf8').replace(/\0$/, '').trim();
    return label === '' ? null : label;
  } catch {
    return null; // EINVAL: no LSM provides a label
  }
}

/** Supplementary groups the python peer takes (root only), so the answer is not the trivial empty list. */
const GROUPS = [4242, 4343, 0];

/** A python3 peer: sets its groups, runs `body`, prints "ready <pid> <groups as json>", waits for stdin to close. */
function pythonPeer(body: string): { child: ChildProcess; ready: Promise<{ pid: number; groups: number[] }>; exited: Promise<unknown> } {
  const py = `
import json, os, socket, sys
if os.getuid() == 0:
    os.setgroups(${JSON.stringify(GROUPS)})
${body}
print('ready', os.getpid(), json.dumps(os.getgroups()), flush=True)
sys.stdin.read()
`;
  const child = spawn('python3', ['-c', py], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const ready = new Promise<{ pid: number; groups: number[] }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready (\d+) (\[.*\])\n/.exec(out);
      if (m) resolve({ pid: Number(m[1]), groups: JSON.parse(m[2]!) as number[] });
    });
    child.once('exit', (code) => reject(new Error(`python3 exited ${code} before it was ready`)));
  });
  return { child, ready, exited };
}

async function stop(peer: { child: ChildProcess; exited: Promise<unknown> }): Promise<void> {
  peer.child.stdin!.end();
  await within(peer.exited, 5000, 'python3 exit').catch(() => peer.child.kill('SIGKILL'));
}

interface OptionReader {
  getOption(name: 'SO_PEERPIDFD'): number;
  getOption(name: 'SO_PEERGROUPS'): number[];
  getOption(name: 'SO_PEERSEC'): string | null;
}

/** Reads the three options and checks them against the peer's own view. */
function checkIdentity(socket: OptionReader, peer: { pid: number; groups: number[] }, what: string, python = true): void {
  assert.equal([...socket.getOption('SO_PEERGROUPS')].sort(), [...peer.groups].sort(), `${what}: groups`);
  if (root && python) assert.equal([...socket.getOption('SO_PEERGROUPS')].sort(), [...GROUPS].sort(), `${what}: the groups python set`);
  assert.is(socket.getOption('SO_PEERSEC'), labelOf(peer.pid), `${what}: label`);
  if (!pidfds) {
    console.log(`  ${what}: SO_PEERPIDFD skipped: kernel older than 6.5`);
    return;
  }
  const pidfd = socket.getOption('SO_PEERPIDFD');
  try {
    assert.is(pidOf(pidfd), peer.pid, `${what}: the pidfd is the peer's`);
    assert.ok(closeOnExec(pidfd), `${what}: the pidfd is close-on-exec`);
  } finally {
    closeFd(pidfd);
  }
}

test.before(async () => {
  // The reactor's epoll descriptor opens with the first watched socket; open it before any baseline.
  const server = await listen({ abstract: `us-peerid-${process.pid}-warm` });
  const client = await connect({ abstract: `us-peerid-${process.pid}-warm` });
  (await server.accept()).destroy();
  client.destroy();
  server.close();
});

test('should report a python3 client\'s pidfd, groups and label to a stream server, and nothing leaks', async () => {
  const skip = skipReason();
  if (skip !== undefined) return console.log(`  skipped: ${skip}`);
  const before = await descriptorBaseline();
  const name = `us-peerid-${process.pid}-s`;
  const server = await listen({ abstract: name });
  const peer = pythonPeer(`s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\ns.connect(b'\\0${name}')`);
  try {
    const accepted = within(server.accept(), 10000, 'accept');
    const ids = await within(peer.ready, 10000, 'python3 ready');
    const socket = await accepted;
    checkIdentity(socket, ids, 'accepted stream');
    socket.destroy();
  } finally {
    server.close();
    await stop(peer);
  }
  await assertDescriptorsAsBefore(before);
});

test('should report a python3 server\'s pidfd, groups and label to a stream and a seqpacket client', async () => {
  const skip = skipReason();
  if (skip !== undefined) return console.log(`  skipped: ${skip}`);
  const before = await descriptorBaseline();
  for (const type of ['SOCK_STREAM', 'SOCK_SEQPACKET'] as const) {
    const name = `us-peerid-${process.pid}-${type}`;
    const peer = pythonPeer(`l = socket.socket(socket.AF_UNIX, socket.${type})\nl.bind(b'\\0${name}')\nl.listen(1)`);
    try {
      const ids = await within(peer.ready, 10000, 'python3 ready');
      const socket = type === 'SOCK_STREAM' ? await connect({ abstract: name }) : await connectSeqpacket({ abstract: name });
      // The kernel records the listener's credentials at connect(2), before python accepts.
      checkIdentity(socket, ids, `${type} client`);
      if ('destroy' in socket) socket.destroy(); else socket.close();
    } finally {
      await stop(peer);
    }
  }
  await assertDescriptorsAsBefore(before);
});

test('should keep naming the exited peer: its pidfd then refers to no process (PID reuse cannot fool it)', async () => {
  const skip = skipReason() ?? (pidfds ? undefined : 'kernel older than 6.5');
  if (skip !== undefined) return console.log(`  skipped: ${skip}`);
  const before = await descriptorBaseline();
  const name = `us-peerid-${process.pid}-exit`;
  const server = await listen({ abstract: name });
  const peer = pythonPeer(`s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\ns.connect(b'\\0${name}')`);
  const accepted = within(server.accept(), 10000, 'accept');
  const ids = await within(peer.ready, 10000, 'python3 ready');
  const socket = await accepted;
  const pidfd = socket.getOption('SO_PEERPIDFD');
  try {
    assert.is(pidOf(pidfd), ids.pid);
    await stop(peer);
    // The kernel recorded the peer at connect(2): a pidfd taken after it exits is of the dead process too.
    const late = socket.getOption('SO_PEERPIDFD');
    try {
      assert.is(pidOf(pidfd), -1, 'the peer has exited');
      assert.is(pidOf(late), -1, 'a pidfd taken after the exit names the exited process, not a newcomer');
    } finally {
      closeFd(late);
    }
  } finally {
    closeFd(pidfd);
    socket.destroy();
    server.close();
  }
  await assertDescriptorsAsBefore(before);
});

test('should answer on every socketpair type and on a connected datagram socket, with this process as the peer', async () => {
  if (!linux) return console.log('  skipped: Linux only');
  const before = await descriptorBaseline();
  const self = { pid: process.pid, groups: readFileSync('/proc/self/status', 'utf8').match(/^Groups:[ \t]*(.*)$/m)![1]!.trim().split(/\s+/).filter(Boolean).map(Number) };
  for (const type of ['stream', 'seqpacket', 'datagram'] as const) {
    const pair = type === 'stream' ? socketPair() : type === 'seqpacket' ? socketPair({ type }) : socketPair({ type });
    checkIdentity(pair[0], self, `${type} socketpair`, false);
    for (const s of pair) if ('destroy' in s) s.destroy(); else s.close();
  }
  const name = `us-peerid-${process.pid}-dgram`;
  const server = createDatagramSocket({ bind: { abstract: name } });
  const client = createDatagramSocket({ connect: { abstract: name } });
  try {
    // A datagram connect(2) records no peer credentials in Linux (ENODATA): reported as ENOTCONN, nothing opened.
    assert.throws(() => client.getOption('SO_PEERGROUPS'), (e: NodeJS.ErrnoException) => e.code === 'ENOTCONN' && e.syscall === 'getsockopt');
    if (pidfds) assert.throws(() => client.getOption('SO_PEERPIDFD'), (e: NodeJS.ErrnoException) => e.code === 'ENOTCONN');
  } finally {
    client.close();
    server.close();
  }
  await assertDescriptorsAsBefore(before);
});

test('should refuse bad input with typed errors and leak nothing', async () => {
  if (!linux) return console.log('  skipped: Linux only');
  const before = await descriptorBaseline();
  // Unconnected: a datagram socket without a default peer.
  const raw = createDatagramSocket();
  try {
    assert.throws(() => raw.getOption('SO_PEERGROUPS'), (e: NodeJS.ErrnoException) => e.code === 'ENOTCONN');
    if (pidfds) assert.throws(() => raw.getOption('SO_PEERPIDFD'), (e: NodeJS.ErrnoException) => e.code === 'ENOTCONN');
    // Read-only: refused before any system call.
    for (const name of ['SO_PEERGROUPS', 'SO_PEERSEC', 'SO_PEERPIDFD'] as const) {
      assert.throws(() => raw.setOption(name, 1 as never), (e: NodeJS.ErrnoException) => e.code === 'ERR_INVALID_ARG_VALUE' && /read-only/.test(e.message));
    }
  } finally {
    raw.close();
  }
  // Closed socket.
  const [a, b] = socketPair();
  a.destroy();
  b.destroy();
  for (const name of ['SO_PEERGROUPS', 'SO_PEERSEC', 'SO_PEERPIDFD'] as const) assert.throws(() => a.getOption(name));
  // Not a socket, a closed descriptor, the wrong kind of buffer (the addon, below the typed API).
  const { EBADF, ENOTSOCK } = constants.errno;
  const out = new Uint8Array(64);
  const file = openSync('/dev/null', 'r');
  try {
    assert.is(native.getSocketOption(file, SOCKET_OPTION.SO_PEERGROUPS, out), -ENOTSOCK);
    assert.is(native.getSocketOption(file, SOCKET_OPTION.SO_PEERSEC, out), -ENOTSOCK, 'no label is not the answer for a non-socket');
    assert.is(native.getSocketOption(file, SOCKET_OPTION.SO_PEERPIDFD, new Int32Array(1)), -ENOTSOCK);
  } finally {
    closeSync(file);
  }
  const closed = 1 << 20;
  assert.is(native.getSocketOption(closed, SOCKET_OPTION.SO_PEERGROUPS, out), -EBADF);
  assert.is(native.getSocketOption(closed, SOCKET_OPTION.SO_PEERSEC, out), -EBADF, 'no label is not the answer for a closed descriptor');
  assert.is(native.getSocketOption(closed, SOCKET_OPTION.SO_PEERPIDFD, new Int32Array(1)), -EBADF);
  assert.throws(() => native.getSocketOption(closed, SOCKET_OPTION.SO_PEERGROUPS, new Int32Array(4)), TypeError);
  assert.throws(() => native.getSocketOption(closed, SOCKET_OPTION.SO_PEERPIDFD, new Uint8Array(4)), TypeError);
  await assertDescriptorsAsBefore(before);
});

test('should refuse where the platform or kernel lacks an option: ENOPROTOOPT, condition not-supported', () => {
  // What the addon answers on a platform without the option (options.cc) and what a kernel older
  // than 6.5 answers SO_PEERPIDFD with; the one errno table names it and gives its condition.
  const refusal = errnoError(-constants.errno.ENOPROTOOPT, 'getsockopt');
  assert.is(refusal.code, 'ENOPROTOOPT');
  assert.is(refusal.condition, 'not-supported');
  assert.is(refusal.errno, -constants.errno.ENOPROTOOPT);
  // No peer recorded (ENODATA from Linux, reported as ENOTCONN): the state's fault, not the platform's.
  assert.is(errnoError(-constants.errno.ENOTCONN, 'getsockopt').condition, 'invalid-state');
  if (process.platform !== 'linux') {
    const [a, b] = socketPair();
    try {
      for (const name of ['SO_PEERGROUPS', 'SO_PEERSEC', 'SO_PEERPIDFD'] as const) {
        assert.throws(() => a.getOption(name), (e: NodeJS.ErrnoException) => e.code === 'ENOPROTOOPT');
      }
    } finally {
      a.destroy();
      b.destroy();
    }
  }
});

test.run();
