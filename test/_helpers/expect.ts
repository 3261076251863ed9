// Asserting the typed error a call gives.
import * as assert from 'uvu/assert';

/** Awaits `p` (or calls it) and asserts it fails with error code `code`. */
export async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    assert.is((err as { code?: string }).code, code, String(err));
    return;
  }
  assert.unreachable(`expected ${code}`);
}
