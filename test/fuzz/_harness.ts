// Fuzz harness: runs a target (_worker.ts) in a worker thread for a bounded
// time while this thread watches its progress. A worker that stops making
// progress is a hang, one that dies is a crash; both are reported with the
// input in hand. Uncaught errors and traps inside the target are reported by
// the worker itself, input by input.
import { Worker } from 'node:worker_threads';

/** What a fuzz run found. */
export interface FuzzResult {
  iterations: number;
  failures: string[];
}

/** No progress for this long is a hang (inputs are checked in batches of 64, each well under a millisecond). */
const HANG_MS = 15_000;

/** Fuzz `target` ('sockaddr' | 'text') for `seconds` from `seed`. */
export function fuzzInWorker(target: string, seconds: number, seed: number): Promise<FuzzResult> {
  const progress = new SharedArrayBuffer(4);
  const current = new SharedArrayBuffer(64 * 1024);
  const done = new Int32Array(progress);
  const inHand = (): string => {
    const n = new Int32Array(current, 0, 1)[0]!;
    return Buffer.from(new Uint8Array(current, 4, n)).toString('utf8');
  };
  const worker = new Worker(new URL('./_worker.js', import.meta.url), { workerData: { target, seconds, seed, progress, current } });
  return new Promise((resolve) => {
    let settled = false;
    let last = -1;
    let lastChange = Date.now();
    const settle = (result: FuzzResult): void => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      resolve(result);
    };
    const watchdog = setInterval(() => {
      const n = Atomics.load(done, 0);
      if (n !== last) {
        last = n;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > HANG_MS) {
        void worker.terminate();
        settle({ iterations: n, failures: [`hang: no progress for ${HANG_MS} ms\n      input: ${inHand()}`] });
      }
    }, 250);
    worker.once('message', (result: FuzzResult) => settle(result));
    worker.once('error', (err) => settle({ iterations: Atomics.load(done, 0), failures: [`worker died: ${err.stack ?? String(err)}\n      input: ${inHand()}`] }));
    worker.once('exit', (code) => settle({ iterations: Atomics.load(done, 0), failures: [`worker exited with code ${code} before reporting\n      input: ${inHand()}`] }));
  });
}
