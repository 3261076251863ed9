// Which C library the running process uses on Linux, for picking a prebuilt
// addon (load.ts): read from the ELF program interpreter (PT_INTERP) of
// the runtime's own executable, /lib64/ld-linux-x86-64.so.2 (glibc) or
// /lib/ld-musl-x86_64.so.1 (musl). A few hundred bytes of one file; no child
// process, and not process.report (which takes tens of milliseconds).
import { closeSync, openSync, readSync } from 'node:fs';

/** The C libraries prebuilt addons are told apart by. */
export type Libc = 'glibc' | 'musl';

/** PT_INTERP: the program header naming the dynamic loader. */
const PT_INTERP = 3;
/** Longest loader path read (Linux's PATH_MAX). */
const MAX_INTERP = 4096;

/** `length` bytes of `fd` at `position` (fewer at the end of the file). */
function readAt(fd: number, position: number, length: number): Uint8Array {
  const buf = new Uint8Array(length);
  const n = readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n);
}

/**
 * The program interpreter of the ELF executable `file`, or undefined when it
 * has none (a static executable), is no ELF file, or cannot be read.
 */
export function elfInterpreter(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const header = readAt(fd, 0, 64);
    // \x7fELF, class (1: 32-bit, 2: 64-bit), data (1: little-endian, 2: big-endian).
    if (header.length < 52 || header[0] !== 0x7f || header[1] !== 0x45 || header[2] !== 0x4c || header[3] !== 0x46) return undefined;
    const wide = header[4] === 2;
    const little = header[5] === 1;
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
    if (wide && header.length < 64) return undefined;
    const phoff = wide ? Number(view.getBigUint64(0x20, little)) : view.getUint32(0x1c, little);
    const phentsize = view.getUint16(wide ? 0x36 : 0x2a, little);
    const phnum = view.getUint16(wide ? 0x38 : 0x2c, little);
    if (phentsize < (wide ? 56 : 32) || phnum === 0) return undefined;
    const table = readAt(fd, phoff, phentsize * phnum);
    const entries = new DataView(table.buffer, table.byteOffset, table.byteLength);
    for (let i = 0; (i + 1) * phentsize <= table.length; i++) {
      const at = i * phentsize;
      if (entries.getUint32(at, little) !== PT_INTERP) continue;
      const offset = wide ? Number(entries.getBigUint64(at + 8, little)) : entries.getUint32(at + 4, little);
      const size = wide ? Number(entries.getBigUint64(at + 32, little)) : entries.getUint32(at + 16, little);
      const bytes = readAt(fd, offset, Math.min(size, MAX_INTERP));
      const end = bytes.indexOf(0);
      return Buffer.from(bytes.subarray(0, end === -1 ? bytes.length : end)).toString('latin1');
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The C library an ELF program interpreter path belongs to, or undefined when unknown. */
export function libcOfInterpreter(interpreter: string | undefined): Libc | undefined {
  if (interpreter === undefined) return undefined;
  const name = interpreter.slice(interpreter.lastIndexOf('/') + 1);
  if (name.startsWith('ld-musl-')) return 'musl';
  if (name.startsWith('ld-linux') || name.startsWith('ld64.so') || name.startsWith('ld.so')) return 'glibc';
  return undefined;
}

/**
 * The C library of this process (its executable's interpreter) on Linux;
 * undefined elsewhere or when the executable does not tell (a static build).
 */
export function runningLibc(): Libc | undefined {
  return process.platform === 'linux' ? libcOfInterpreter(elfInterpreter(process.execPath)) : undefined;
}
