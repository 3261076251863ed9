// Seeded pseudo-random generator for property tests (mulberry32): the same
// seed gives the same cases on every machine. Set UNIXSOCK_SEED to replay.

export const SEED = Number(process.env.UNIXSOCK_SEED ?? 0x5eed);

export class Random {
  #state: number;

  constructor(seed = SEED) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.#state += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  /** `n` bytes drawn from `alphabet`, or from 0..255. */
  bytes(n: number, alphabet?: readonly number[]): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = alphabet ? this.pick(alphabet) : this.int(0, 255);
    return out;
  }
}
