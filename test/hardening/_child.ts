// Spawning the fault tests' peer (_peer.ts) as a child process: its exit is
// watched from the moment it is spawned, "ready" is awaited with a deadline,
// and kill() is SIGKILL of that one pid, then waiting for the exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { scriptArgv } from '../_helpers/runtime.js';
import { within } from '../_helpers/wait.js';
import { plainEnv } from '../_helpers/env.js';

const PEER = new URL('./_peer.js', import.meta.url).pathname;

/** A running peer. */
export interface Peer {
  child: ChildProcess;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string>;
  /** Everything written to stdout so far. */
  output(): string;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<number | string>;
}

/** Start `_peer.js mode path` on this runtime (behind `prefix`, e.g. ['prlimit', '--nofile=64:64']); waits for "ready" unless `waitReady` is false. */
export async function startPeer(mode: string, path: string, options: { prefix?: string[]; waitReady?: boolean } = {}): Promise<Peer> {
  const prefix = options.prefix ?? [];
  const argv = [...prefix, ...scriptArgv(PEER, mode, path)];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'], env: plainEnv() });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('ready\n')) resolve();
    });
    void exited.then((code) => reject(new Error(`peer ${mode} exited (${code}) before it was ready: ${out}`)));
  });
  const peer: Peer = {
    child,
    exited,
    output: () => out,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return within(exited, 10_000, `peer ${mode} exit`);
    },
  };
  if (options.waitReady !== false) {
    try {
      await within(ready, 15_000, `peer ${mode} ready`);
    } catch (err) {
      await peer.kill();
      throw err;
    }
  } else {
    ready.catch(() => {});
  }
  return peer;
}
