// What a leak test measures: open descriptors, resident memory outside V8's
// heap, the JS heap after a full collection, external (Buffer) memory, and
// the engine component's linear memory; plus a forced GC without --expose-gc
// (Bun.gc on Bun).
//
// Resident memory is judged outside V8's heap (rss minus the heap's resident
// pages, v8.getHeapStatistics().total_physical_size): V8 sizes its own heap,
// and V8 13.6 (Node 24) grows the young generation to 128 MiB under a high
// allocation rate and keeps it (connect/accept/close cycles: RSS +21 MiB per
// 10,000 with heapUsed flat; node:net grows it too). heapTotal is no measure
// of that: it counts committed pages, not resident ones. A JS leak shows in
// `heap` (used, after GC), checked on its own.
import { readdirSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { sharedInstance } from '../../host/component/component.js';
import { collectGarbage } from '../_helpers/runtime.js';

/**
 * Running under AddressSanitizer (build/asan.mjs preloads libasan): its
 * quarantine keeps freed memory resident, so RSS says nothing about leaks.
 */
export const SANITIZED = /libasan/.test(process.env.LD_PRELOAD ?? '');

/** One measurement. */
export interface Footprint {
  fds: number;
  rss: number;
  /** Resident memory outside V8's heap: rss minus the heap's resident pages. */
  native: number;
  heap: number;
  external: number;
  wasm: number;
}

/** Settle pending callbacks, collect garbage twice (finalizers run in between), then measure. */
export async function footprint(): Promise<Footprint> {
  for (let i = 0; i < 2; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
  collectGarbage();
  const m = process.memoryUsage();
  return { fds: readdirSync('/proc/self/fd').length, rss: m.rss, native: m.rss - getHeapStatistics().total_physical_size, heap: m.heapUsed, external: m.external, wasm: sharedInstance().memorySize };
}

const MiB = 1024 * 1024;

/** `b - a` in words, for the log. */
export function growth(a: Footprint, b: Footprint): string {
  const mib = (n: number): string => `${n >= 0 ? '+' : ''}${(n / MiB).toFixed(1)} MiB`;
  return `fds ${a.fds}->${b.fds}, rss ${(a.rss / MiB).toFixed(0)}->${(b.rss / MiB).toFixed(0)} MiB (${mib(b.rss - a.rss)}; outside V8's heap ${mib(b.native - a.native)}), ` +
    `heap ${mib(b.heap - a.heap)}, external ${mib(b.external - a.external)}, wasm memory ${a.wasm / 1024}->${b.wasm / 1024} KiB`;
}

/** Limits a leak test holds `after` to, relative to `before`. */
export interface Limits {
  /** Most extra resident memory outside V8's heap (default 16 MiB: allocator retention; not checked under ASan). */
  rss?: number;
  /** Most extra JS heap after GC (default 4 MiB). */
  heap?: number;
}

/** Why `after` is not back at `before` (undefined when it is). */
export function leaked(before: Footprint, after: Footprint, limits: Limits = {}): string | undefined {
  if (after.fds !== before.fds) return `open descriptors ${before.fds} -> ${after.fds}`;
  if (after.wasm !== before.wasm) return `component memory grew ${before.wasm} -> ${after.wasm} bytes`;
  if (!SANITIZED && after.native - before.native > (limits.rss ?? 16 * MiB)) return `RSS outside V8's heap grew ${((after.native - before.native) / MiB).toFixed(1)} MiB`;
  if (after.heap - before.heap > (limits.heap ?? 4 * MiB)) return `JS heap grew ${((after.heap - before.heap) / MiB).toFixed(1)} MiB`;
  return undefined;
}
