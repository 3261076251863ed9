// Descriptor bookkeeping for the message fuzzers and leak tests: a few
// distinct open files to pass, each recognisable by (device, inode), and
// which of this process's open descriptors a test can have leaked.
//
// A test owns only some of the process's descriptors. Other code opens and
// closes files at any moment: uvu imports every test file before it runs
// any test, and a module may go on reading its own files on the thread pool
// meanwhile (jco-transpile's wasm-tools starts fs.promises.readFile of its
// four vendor .wasm files when imported, and on Node 22 those were open at
// one fuzzer's baseline and closed during it: 37 descriptors before, 33
// after, none of them the test's). So a leak check compares what a test can
// leak, sockets and the files it passed around, not a count of everything.
import { closeSync, openSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { native } from '../../host/native/native.js';

const IDENTITY = new BigUint64Array(3);

/** "device:inode" of an open descriptor, or undefined when it is not open. */
export function identityOf(fd: number): string | undefined {
  return native.fileIdentity(fd, IDENTITY) < 0 ? undefined : `${IDENTITY[0]}:${IDENTITY[1]}`;
}

/** "device:inode" of a path (as identityOf gives for a descriptor open on it). */
export function identityOfPath(path: string): string {
  const s = statSync(path, { bigint: true });
  return `${s.dev}:${s.ino}`;
}

/** This process's open descriptors now: fd -> what /proc/self/fd/<fd> links to. */
export function openDescriptors(): Map<number, string> {
  const out = new Map<number, string>();
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      out.set(Number(name), readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // The directory listing's own descriptor, closed by now.
    }
  }
  return out;
}

/**
 * Descriptors open now that were not open (on the same thing) in `before`
 * and that a test can have leaked: sockets, and files whose identity is one
 * of `identities` (the files it sent). As "fd -> target", for the message.
 */
export function leakedSince(before: Map<number, string>, identities: Iterable<string>): string[] {
  const passed = new Set(identities);
  const out: string[] = [];
  for (const [fd, target] of openDescriptors()) {
    if (before.get(fd) === target) continue;
    const identity = target.startsWith('socket:') ? undefined : identityOf(fd);
    if (target.startsWith('socket:') || (identity !== undefined && passed.has(identity))) out.push(`${fd} -> ${target}`);
  }
  return out;
}

/** `count` distinct files opened under `dir`, with their identities; close() closes them. */
export function openSources(dir: string, count: number): {
  fds: number[];
  identities: string[];
  /** Sources no longer open on their own file (closed by someone else, or the number reused): should be none. */
  lost: () => number[];
  close: () => void;
} {
  const fds: number[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `source-${i}`);
    writeFileSync(path, `source ${i}`);
    fds.push(openSync(path, 'r'));
  }
  const identities = fds.map((fd) => identityOf(fd)!);
  return { fds, identities, lost: () => fds.filter((fd, i) => identityOf(fd) !== identities[i]), close: () => fds.forEach((fd) => closeSync(fd)) };
}
