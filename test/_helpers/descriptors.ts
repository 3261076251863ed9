// Raw descriptors in tests, through the addon (closeFd is the library's): Deno's node:fs refuses
// (EBADF) every descriptor Deno did not open itself, such as one received
// with SCM_RIGHTS, so tests close, inspect and read those this way on every
// runtime.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { createDatagramSocket, type MessageInfo } from '../../host/index.js';
import { FILE_TYPE, native } from '../../host/native/native.js';
import { openStdioNow } from './runtime.js';
import { within } from './wait.js';

/** The library's own: close(2) through the addon, a UnixsockError when it fails. */
export { closeFd } from '../../host/index.js';

/** fstat(2) of an open descriptor: device, inode and file type; throws with the errno when it fails. */
export function fileOf(fd: number): { dev: bigint; ino: bigint; type: keyof typeof FILE_TYPE } {
  const out = new BigUint64Array(3);
  const r = native.fileIdentity(fd, out);
  if (r < 0) throw new Error(`fstat(${fd}): errno ${-r}`);
  const type = (Object.keys(FILE_TYPE) as (keyof typeof FILE_TYPE)[]).find((k) => BigInt(FILE_TYPE[k]) === out[2])!;
  return { dev: out[0]!, ino: out[1]!, type };
}

/** Whether two descriptors refer to the same file. */
export function sameFile(a: number, b: number): boolean {
  const [x, y] = [fileOf(a), fileOf(b)];
  return x.dev === y.dev && x.ino === y.ino;
}

/** The content of the file open on `fd`, read through /proc/self/fd (Linux). */
export function readFd(fd: number): string {
  return readFileSync(`/proc/self/fd/${fd}`, 'utf8');
}

/**
 * A listening TCP socket on 127.0.0.1 that a python3 child made and sent over
 * SCM_RIGHTS to a datagram socket bound in `dir`: no runtime API gives a TCP
 * socket's descriptor on all of Node, Bun and Deno (Deno's node:net has no
 * `_handle.fd`). Yours to close (closeFd); undefined when python3 is absent.
 */
export async function tcpListenerFromPython(dir: string): Promise<number | undefined> {
  if (spawnSync('python3', ['-c', 'import socket; socket.send_fds'], { stdio: 'ignore' }).status !== 0) return undefined;
  const path = join(dir, `tcp-from-python-${process.pid}.sock`);
  const receiver = createDatagramSocket({ bind: path });
  try {
    const got = within(once(receiver, 'message'), 10000, 'the TCP socket from python3');
    const send = `import socket, sys
tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.bind(('127.0.0.1', 0))
tcp.listen(1)
out = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
out.connect(sys.argv[1])
socket.send_fds(out, [b'tcp'], [tcp.fileno()])`;
    const r = spawnSync('python3', ['-c', send, path], { encoding: 'utf8', timeout: 10000 });
    if (r.status !== 0) throw new Error(`python3 could not send a TCP socket: ${r.stderr}`);
    const [, info] = (await got) as [Buffer, MessageInfo];
    if (info.fds.length !== 1) throw new Error(`expected one descriptor from python3, got ${info.fds.length}`);
    return info.fds[0];
  } finally {
    await receiver.close();
  }
}

// Leak checks. A test owns only some of the process's descriptors, and the
// runtime and other modules open and close theirs at any moment, so
// counting /proc/self/fd before and after is not a sound baseline. Seen in
// full public-API runs (the count differing by one to three, none of them
// unixsock's):
// - Bun 1.4.5: child_process.spawnSync with piped stdio talks to the child
//   over socketpairs and closes its ends a moment after returning (on
//   another thread), so sockets of a spawnSync just before a baseline close
//   during the test after it;
// - Deno 2.9.6 (and Node 22, test/fuzz/_descriptors.ts): jco-transpile
//   starts fs.promises.readFile of its vendor .wasm files when imported,
//   and uvu imports every test file before running any, so those files are
//   open at the baseline of an early test and closed during it.
// So a test takes a settled table of what is open (fd -> file identity) and
// checks against it: every descriptor open then is still open on the same
// file (unixsock closed nothing that is not its own), and nothing opened
// since is still open (it leaked nothing), other than files a module reads
// from node_modules (their code and data: never unixsock's).

/** One open descriptor: the file it is open on ("dev:ino"), its type, and where /proc/self/fd/<fd> links (for messages). */
export interface OpenDescriptor {
  identity: string;
  type: keyof typeof FILE_TYPE | undefined;
  link: string;
}

/** This process's open descriptors: fd -> what it is open on. */
export type DescriptorTable = Map<number, OpenDescriptor>;

const IDENTITY = new BigUint64Array(3);
const TYPE_NAMES = Object.keys(FILE_TYPE) as (keyof typeof FILE_TYPE)[];

/** What is open now (writing nothing to stdout and stderr first: Bun opens theirs on first use). */
export function descriptorTable(): DescriptorTable {
  openStdioNow();
  const out: DescriptorTable = new Map();
  for (const name of readdirSync('/proc/self/fd')) {
    const fd = Number(name);
    let link: string;
    try {
      link = readlinkSync(`/proc/self/fd/${name}`);
    } catch {
      continue; // the listing's own descriptor, closed by now
    }
    if (native.fileIdentity(fd, IDENTITY) < 0) continue;
    const type = TYPE_NAMES.find((k) => BigInt(FILE_TYPE[k]) === IDENTITY[2]);
    out.set(fd, { identity: `${IDENTITY[0]}:${IDENTITY[1]}`, type, link });
  }
  return out;
}

/** A file some module opened to read its own code or data (jco-transpile's vendor .wasm): not a test's, never unixsock's. */
function moduleFile(d: OpenDescriptor): boolean {
  return d.type === 'regular' && d.link.includes('/node_modules/');
}

/** What differs between `before` and `now`, module files aside: closed or replaced descriptors, and new ones. */
export function descriptorChanges(before: DescriptorTable, now: DescriptorTable = descriptorTable()): { closed: string[]; opened: string[] } {
  const closed: string[] = [];
  const opened: string[] = [];
  for (const [fd, was] of before) {
    if (moduleFile(was)) continue;
    const is = now.get(fd);
    if (is?.identity !== was.identity) closed.push(`${fd} -> ${was.link}${is === undefined ? '' : ` (now ${is.link})`}`);
  }
  for (const [fd, is] of now) {
    if (!moduleFile(is) && before.get(fd)?.identity !== is.identity) opened.push(`${fd} -> ${is.link}`);
  }
  return { closed, opened };
}

/** How long a baseline waits for the runtime's own descriptors to settle, and a check for late closes. */
const SETTLE_MS = 2000;
const LOOK_MS = 20;
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The baseline of a leak check: the descriptor table once two looks
 * LOOK_MS apart agree (a runtime's lazily closed descriptors, such as Bun's
 * spawnSync sockets, gone), or after SETTLE_MS.
 */
export async function descriptorBaseline(): Promise<DescriptorTable> {
  const deadline = performance.now() + SETTLE_MS;
  let last = descriptorTable();
  for (;;) {
    await pause(LOOK_MS);
    const now = descriptorTable();
    const { closed, opened } = descriptorChanges(last, now);
    if ((closed.length === 0 && opened.length === 0) || performance.now() > deadline) return now;
    last = now;
  }
}

const NO_CHANGES = { closed: [], opened: [] };
const EXPLAINED = 'closed: descriptors open before that are gone or replaced (not the test\'s to close); opened: ones left open since';

/**
 * Asserts that every descriptor of `before` (a descriptorBaseline()) is still
 * open on the same file, and that no descriptor opened since is still open.
 * A descriptor a runtime closes lazily (Bun's spawnSync sockets) gets up to
 * SETTLE_MS to go; a leaked one never does.
 */
export async function assertDescriptorsAsBefore(before: DescriptorTable, what = 'descriptors as before'): Promise<void> {
  const deadline = performance.now() + SETTLE_MS;
  for (;;) {
    const changes = descriptorChanges(before);
    if ((changes.closed.length === 0 && changes.opened.length === 0) || performance.now() > deadline) {
      assert.equal(changes, NO_CHANGES, `${what} (${EXPLAINED})`);
      return;
    }
    await pause(LOOK_MS);
  }
}

/** assertDescriptorsAsBefore at once, without waiting: for a test that must see descriptors closed by the time a call returns. */
export function assertDescriptorsAsBeforeNow(before: DescriptorTable, what = 'descriptors as before'): void {
  assert.equal(descriptorChanges(before), NO_CHANGES, `${what} (${EXPLAINED})`);
}

/** Sockets opened since `before` and open now. */
export function socketsSince(before: DescriptorTable): number {
  return descriptorChanges(before).opened.filter((d) => d.includes(' -> socket:')).length;
}
