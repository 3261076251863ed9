// Worker side of the fuzz harness (see _harness.ts): runs one target until
// its time is up, publishing progress and the input in hand through shared
// memory, so the parent can name the input of a hang or a crash.
import { parentPort, workerData } from 'node:worker_threads';
import { Random } from '../_helpers/random.js';
import { sockaddrTarget } from './_sockaddr-target.js';
import { componentHealth, type FuzzTarget } from './_target.js';
import { textTarget } from './_text-target.js';

/** Targets by the name the harness passes. */
const TARGETS: Record<string, FuzzTarget<never>> = {
  sockaddr: sockaddrTarget as FuzzTarget<never>,
  text: textTarget as FuzzTarget<never>,
};

interface Job {
  target: string;
  seconds: number;
  seed: number;
  /** Int32 [0]: inputs done. */
  progress: SharedArrayBuffer;
  /** Int32 length, then the UTF-8 description of the input in hand. */
  current: SharedArrayBuffer;
}

const MAX_FAILURES = 10;

function main(job: Job): { iterations: number; failures: string[] } {
  const target = TARGETS[job.target];
  if (target === undefined) throw new Error(`unknown fuzz target ${job.target}`);
  const r = new Random(job.seed);
  const done = new Int32Array(job.progress);
  const length = new Int32Array(job.current, 0, 1);
  const text = new Uint8Array(job.current, 4);
  const failures: string[] = [];
  const deadline = performance.now() + job.seconds * 1000;
  let iterations = 0;
  while (performance.now() < deadline && failures.length < MAX_FAILURES) {
    for (let k = 0; k < 64; k++) {
      const input = target.generate(r);
      const description = target.describe(input);
      length[0] = Buffer.from(text.buffer, text.byteOffset, text.length).write(description, 'utf8');
      const why = target.exercise(input) ?? componentHealth();
      if (why !== undefined) failures.push(`${why}\n      input: ${description}`);
      iterations++;
    }
    Atomics.store(done, 0, iterations);
  }
  return { iterations, failures };
}

parentPort!.postMessage(main(workerData as Job));
