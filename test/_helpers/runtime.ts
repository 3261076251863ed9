// Running JavaScript in a child process on the runtime that runs the tests
// (Node, Bun or Deno). A test that spawns a JS child takes its argv from
// here, never process.execPath alone: Deno runs a file with `deno run -A`
// and evaluates source with `deno eval`, and only its node:child_process
// translates Node's flags, so a child started through sh or python3 needs
// Deno's own spelling. Under user-mode emulation (build/test-arm64.mjs runs
// tests on Node for arm64 through qemu-aarch64) the kernel cannot execute
// process.execPath by itself (no binfmt_misc), so the emulator's argv, given
// in UNIXSOCK_EMULATOR (space-separated), goes first.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RUNTIME } from '../../host/native/runtime.js';

/** The runtime's binary, behind the emulator's argv when there is one. */
const RUN: readonly string[] = [...(process.env.UNIXSOCK_EMULATOR?.split(' ').filter(Boolean) ?? []), process.execPath];

/** argv that runs the JavaScript file `script` with `args` on this runtime. */
export function scriptArgv(script: string, ...args: string[]): string[] {
  return RUNTIME.name === 'deno' ? [...RUN, 'run', '-A', script, ...args] : [...RUN, script, ...args];
}

/**
 * argv that evaluates the ES module `source` with `args`. Deno puts a file
 * name before the arguments, so the child reads them from the end of
 * process.argv. `v8Flags` are V8 flags such as '--expose-gc'.
 */
export function moduleArgv(source: string, args: readonly string[] = [], v8Flags: readonly string[] = []): string[] {
  if (RUNTIME.name === 'deno') {
    const flags = v8Flags.length > 0 ? [`--v8-flags=${v8Flags.join(',')}`] : [];
    return [...RUN, 'eval', ...flags, source, ...args];
  }
  return [...RUN, ...v8Flags, '--input-type=module', '-e', source, ...args];
}

/**
 * Sends `signal` to a child by its pid. Deno's node:child_process reports a
 * child it signalled through ChildProcess.kill() as killed by that signal
 * even when the child caught it and exited 0 (seen on Deno 2.9.6), so a test
 * that checks how a child exits after a signal sends it this way.
 */
export function signalChild(child: { pid?: number | undefined }, signal: NodeJS.Signals): void {
  if (child.pid === undefined) throw new Error('the child has no pid (it did not start)');
  process.kill(child.pid, signal);
}

/**
 * A full, synchronous garbage collection without --expose-gc: V8's gc()
 * (Node, Deno) reached through setFlagsFromString, or Bun.gc(true) on Bun,
 * whose JavaScriptCore takes no V8 flags.
 */
export function collectGarbage(): void {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  if (bun !== undefined) return bun.gc(true);
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * Bun opens a descriptor for process.stdout and for process.stderr on their
 * first write; writing nothing to both now keeps those from showing up in a
 * descriptor count taken later. Idempotent, and nothing on Node or Deno.
 */
export function openStdioNow(): void {
  process.stdout.write('');
  process.stderr.write('');
}
