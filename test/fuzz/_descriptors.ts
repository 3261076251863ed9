// Descriptor bookkeeping for the message fuzzers and leak tests: a few
// distinct open files to pass, each recognisable by (device, inode), and
// the count of this process's open descriptors.
import { closeSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { native } from '../../host/native.js';

const IDENTITY = new BigUint64Array(3);

/** "device:inode" of an open descriptor, or undefined when it is not open. */
export function identityOf(fd: number): string | undefined {
  return native.fileIdentity(fd, IDENTITY) < 0 ? undefined : `${IDENTITY[0]}:${IDENTITY[1]}`;
}

/** Open descriptors of this process. */
export function openFdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** `count` distinct files opened under `dir`, with their identities; close() closes them. */
export function openSources(dir: string, count: number): { fds: number[]; identities: string[]; close: () => void } {
  const fds: number[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `source-${i}`);
    writeFileSync(path, `source ${i}`);
    fds.push(openSync(path, 'r'));
  }
  return { fds, identities: fds.map((fd) => identityOf(fd)!), close: () => fds.forEach((fd) => closeSync(fd)) };
}
