// Shared benchmark plumbing: medians of repetitions, side by side in one run.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export interface Measurement {
  name: string;
  /** Median nanoseconds per operation. */
  ns: number;
  /** Every repetition's ns/op, for spread. */
  runs: number[];
}

/** Median ns/op of `reps` repetitions of `iterations` calls of `fn`, after a warm-up. */
export function measure(name: string, fn: () => unknown, iterations: number, reps = 9): Measurement {
  for (let i = 0; i < Math.min(iterations, 20000); i++) fn();
  const runs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    runs.push(((performance.now() - start) * 1e6) / iterations);
  }
  return { name, ns: median(runs), runs };
}

/** Repetitions per library of the side-by-side benchmarks (UNIXSOCK_BENCH_REPS, default 9). */
export const REPS = Number(process.env.UNIXSOCK_BENCH_REPS ?? 9);

const ONLY = (process.env.UNIXSOCK_BENCH_CASES ?? '').split(',').filter((w) => w !== '');

/** Whether UNIXSOCK_BENCH_CASES (comma-separated words; unset: every case) selects the case `name`. */
export function selected(name: string): boolean {
  return ONLY.length === 0 || ONLY.some((w) => name.includes(w));
}

/**
 * REPS rounds of `run` for each of `libs`, alternating which goes first so
 * that drift on a shared machine hits them alike: each library's results,
 * in order (repetition i of every library ran back to back).
 */
export async function alternate<L extends string, R>(libs: readonly L[], run: (lib: L) => R | Promise<R>): Promise<Record<L, R[]>> {
  const results = Object.fromEntries(libs.map((lib) => [lib, [] as R[]])) as Record<L, R[]>;
  for (let rep = 0; rep < REPS; rep++) {
    for (const lib of rep % 2 === 0 ? libs : [...libs].reverse()) results[lib].push(await run(lib));
  }
  return results;
}

/** The median of REPS runs of a C baseline `exe args` that prints its rate; undefined without the executable. */
export function cMedian(exe: string | undefined, args: string[], timeoutMs: number): number | undefined {
  if (exe === undefined) return undefined;
  return median(Array.from({ length: REPS }, () => Number(execFileSync(exe, args, { encoding: 'utf8', timeout: timeoutMs }).trim())));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The interquartile range [p25, p75] of the per-repetition ratios a[i] / b[i]
 * (repetition i of both libraries ran back to back): how far the machine's
 * noise moves a ratio, printed beside the ratio of medians.
 */
export function pairedSpread(a: number[], b: number[]): [number, number] {
  const ratios = a.map((x, i) => x / b[i]!).sort((x, y) => x - y);
  const at = (q: number): number => {
    const pos = (ratios.length - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, ratios.length - 1);
    return ratios[lo]! + (ratios[hi]! - ratios[lo]!) * (pos - lo);
  };
  return [at(0.25), at(0.75)];
}

/** "[0.91-1.04]": a pairedSpread for a table. */
export function spreadText([lo, hi]: [number, number]): string {
  return `[${lo.toFixed(2)}-${hi.toFixed(2)}]`;
}

/** A table row: name, ns/op, ops/s, ratio to the baseline row. */
export function table(title: string, rows: (Measurement | { name: string; ns: number | undefined })[], baseline: string): string {
  const base = rows.find((r) => r.name === baseline)?.ns;
  const lines = [`${title}`, `  ${'case'.padEnd(44)} ${'ns/op'.padStart(9)} ${'ops/s'.padStart(12)} ${`× ${baseline}`.padStart(16)}`];
  for (const r of rows) {
    if (r.ns === undefined) {
      lines.push(`  ${r.name.padEnd(44)} ${'n/a'.padStart(9)}`);
      continue;
    }
    const ratio = base === undefined ? '' : (r.ns / base).toFixed(2);
    lines.push(`  ${r.name.padEnd(44)} ${r.ns.toFixed(1).padStart(9)} ${Math.round(1e9 / r.ns).toLocaleString('en-US').padStart(12)} ${ratio.padStart(16)}`);
  }
  return lines.join('\n');
}

/** Compiles bench/c/<name>.c into `dir` with the system C compiler: the executable's path, or undefined without one. */
export function compileC(name: string, dir: string): string | undefined {
  const source = fileURLToPath(new URL(`../../bench/c/${name}.c`, import.meta.url));
  const exe = join(dir, name);
  try {
    execFileSync('cc', ['-O2', '-o', exe, source], { stdio: 'pipe' });
    return exe;
  } catch {
    return undefined;
  }
}
