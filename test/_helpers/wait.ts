// Bounded waiting for tests: every wait has a deadline.
import { once } from 'node:events';
import type { EventEmitter } from 'node:events';

/** Resolve with `p`, or reject after `ms`. */
export function within<T>(p: Promise<T>, ms = 5000, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The first `event` from `emitter`, within `ms`. */
export function event(emitter: EventEmitter, name: string, ms = 5000): Promise<unknown[]> {
  return within(once(emitter, name), ms, `'${name}'`);
}

/** Everything a readable yields, concatenated, within `ms`. */
export async function readAll(stream: AsyncIterable<Buffer | string>, ms = 10000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await within((async () => {
    for await (const c of stream) chunks.push(Buffer.from(c));
  })(), ms, 'reading to the end');
  return Buffer.concat(chunks);
}
