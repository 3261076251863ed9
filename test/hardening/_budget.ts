// How much work the hardening and fuzz suites do. `npm test` runs a bounded
// slice of each; environment flags turn on the full runs of issue 7:
//   UNIXSOCK_FUZZ=full        the whole differential (100,000 addresses)
//   UNIXSOCK_FUZZ_SECONDS=n   seconds per fuzz target (default 2)
//   UNIXSOCK_SOAK=1           full leak and load counts
// docs/reliability.md lists every figure and the command that reproduces it.

/** `UNIXSOCK_FUZZ=full`: the whole differential test. */
export const FUZZ_FULL = process.env.UNIXSOCK_FUZZ === 'full';

/** `UNIXSOCK_SOAK=1`: full leak, load and fault counts. */
export const SOAK = process.env.UNIXSOCK_SOAK === '1';

/** Seconds each fuzz target runs for. */
export const FUZZ_SECONDS = positive(process.env.UNIXSOCK_FUZZ_SECONDS, 2);

/** `full` under UNIXSOCK_SOAK=1, `reduced` otherwise. */
export function soak(full: number, reduced: number): number {
  return SOAK ? full : reduced;
}

function positive(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`expected a positive number of seconds, got ${JSON.stringify(text)}`);
  return n;
}
