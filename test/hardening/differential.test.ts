// Differential test against the kernel (issue 7, item 1). For each seeded
// candidate (test/hardening/_address-cases.ts), the engine's verdict
// (validateAddress) must match what bind(2) does with exactly those sun_path
// bytes: accepted if and only if the kernel binds that very name (read back
// with getsockname). For an accepted address, encodeSockaddr's bytes must be
// family + name (+ NUL when it fits), must bind that name too, and
// decodeSockaddr of the read-back must give the address back; for a refused
// one, encodeSockaddr must throw with the verdict's reason, and the reason
// must be the one the rules predict. `npm test` runs 20,000 candidates;
// UNIXSOCK_FUZZ=full runs 100,000 (UNIXSOCK_SEED replays another sequence).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  decodeSockaddr, encodeSockaddr, type SocketAddress, UnixsockAddressError, validateAddress,
} from '../../host/index.js';
import { Random } from '../_helpers/random.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { type AddressCase, AddressCases } from './_address-cases.js';
import { FUZZ_FULL } from './_budget.js';
import { type BindOutcome, EADDRINUSE, kernelBind, naiveSockaddr } from './_kernel.js';

const LINUX = process.platform === 'linux';
const COUNT = FUZZ_FULL ? 100_000 : 20_000;
const SEED = Number(process.env.UNIXSOCK_SEED ?? 7007);
const SUN_PATH = 108;

/** The sun_path bytes an API address stands for (a leading 0 for abstract). */
function sunPathOf(a: SocketAddress): Buffer {
  if ('path' in a) return Buffer.from(a.path);
  if ('abstract' in a) return Buffer.concat([Buffer.from([0]), a.abstract]);
  return Buffer.alloc(0);
}

/** The refusal the rules predict for `raw` on Linux, or undefined when it is valid. */
function predictedReason(raw: Buffer): { reason: string; offset?: number } | undefined {
  if (raw.length === 0) return { reason: 'empty-path' };
  if (raw[0] === 0) return raw.length > SUN_PATH ? { reason: 'abstract-too-long' } : undefined;
  const nul = raw.indexOf(0);
  if (nul >= 0) return { reason: 'contains-nul', offset: nul };
  return raw.length > SUN_PATH ? { reason: 'path-too-long' } : undefined;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** kernelBind, retrying briefly while an abstract name is held by someone else (another run of this test). */
function probe(sockaddr: Uint8Array, abstract: boolean): BindOutcome {
  let out = kernelBind(sockaddr);
  for (let i = 0; i < 5 && abstract && 'errno' in out && out.errno === EADDRINUSE; i++) {
    Atomics.wait(pause, 0, 0, 2);
    out = kernelBind(sockaddr);
  }
  return out;
}

interface Tally {
  accepted: number;
  refused: number;
  inUse: number;
  abstract: number;
  relative: number;
  nonUtf8: number;
  withNul: number;
  reasons: Record<string, number>;
  disagreements: string[];
}

/** Compare engine and kernel on one candidate; every difference goes to `t.disagreements`. */
function compare(c: AddressCase, index: number, t: Tally): void {
  const { raw } = c;
  const label = `#${index} ${c.form} ${raw.toString('hex')}`;
  const fail = (what: string): void => {
    t.disagreements.push(`${label}: ${what}`);
  };
  const abstract = raw.length > 0 && raw[0] === 0;
  if (abstract) t.abstract++;
  else if (raw.length > 0 && raw[0] !== 0x2f) t.relative++;
  if (raw.indexOf(0, 1) > 0) t.withNul++;
  if (!Buffer.from(raw.toString('utf8')).equals(raw)) t.nonUtf8++;

  const verdict = validateAddress(c.input, { platform: 'linux' });
  const kernel = probe(naiveSockaddr(raw), abstract);
  const exact = 'name' in kernel && kernel.name.equals(raw);
  const inUse = abstract && 'errno' in kernel && kernel.errno === EADDRINUSE;
  if (inUse) t.inUse++;
  const kernelSays = exact || inUse;
  const predicted = predictedReason(raw);

  if (verdict.ok) {
    t.accepted++;
    if (!kernelSays) fail(`engine accepts, kernel ${'errno' in kernel ? `fails with errno ${kernel.errno}` : `binds ${kernel.name.toString('hex')}`}`);
    if (predicted !== undefined) fail(`engine accepts, rules predict ${predicted.reason}`);
    if (!sunPathOf(verdict.address).equals(raw)) fail(`verdict address ${JSON.stringify(verdict.address)} is not the input`);
    const encoded = encodeSockaddr(c.input, { platform: 'linux' });
    const expected = Buffer.concat([naiveSockaddr(raw), !abstract && raw.length < SUN_PATH ? Buffer.from([0]) : Buffer.alloc(0)]);
    if (!encoded.equals(expected)) fail(`encodeSockaddr gives ${encoded.toString('hex')}, expected ${expected.toString('hex')}`);
    const bound = probe(encoded, abstract);
    if ('errno' in bound) {
      if (!(abstract && bound.errno === EADDRINUSE)) fail(`bind(encodeSockaddr) fails with errno ${bound.errno}`);
    } else {
      if (!bound.name.equals(raw)) fail(`bind(encodeSockaddr) binds ${bound.name.toString('hex')}`);
      const decoded = decodeSockaddr(bound.sockaddr, { platform: 'linux' });
      if (!sunPathOf(decoded).equals(raw)) fail(`decodeSockaddr(getsockname) gives ${JSON.stringify(decoded)}`);
    }
  } else {
    t.refused++;
    t.reasons[verdict.reason] = (t.reasons[verdict.reason] ?? 0) + 1;
    if (exact) fail(`engine refuses (${verdict.reason}), kernel binds it exactly`);
    if (inUse) fail(`engine refuses (${verdict.reason}), kernel reports the name in use`);
    if (predicted === undefined || predicted.reason !== verdict.reason) fail(`engine refuses with ${verdict.reason}, rules predict ${predicted?.reason ?? 'valid'}`);
    else if (predicted.offset !== undefined && (verdict as { offset?: number }).offset !== predicted.offset) fail(`NUL offset ${(verdict as { offset?: number }).offset}, expected ${predicted.offset}`);
    try {
      encodeSockaddr(c.input, { platform: 'linux' });
      fail('encodeSockaddr accepts what validateAddress refused');
    } catch (err) {
      if (!(err instanceof UnixsockAddressError) || err.reason !== verdict.reason) fail(`encodeSockaddr throws ${String(err)}`);
    }
  }
}

const tmp = makeTempDir('us-h');
const home = process.cwd();
const test = suite('differential: engine vs kernel');

test.after(() => {
  process.chdir(home);
  tmp.remove();
});

test(`should agree with bind(2) and getsockname(2) on ${COUNT.toLocaleString('en')} seeded addresses (seed ${SEED})`, () => {
  if (!LINUX) {
    console.log('  skipped: the differential needs the Linux kernel');
    return;
  }
  const t: Tally = { accepted: 0, refused: 0, inUse: 0, abstract: 0, relative: 0, nonUtf8: 0, withNul: 0, reasons: {}, disagreements: [] };
  const cases = new AddressCases(new Random(SEED), tmp.path);
  process.chdir(tmp.path);
  const started = performance.now();
  try {
    for (let i = 0; i < COUNT; i++) compare(cases.next(), i, t);
  } finally {
    process.chdir(home);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`  differential: ${COUNT} addresses in ${seconds.toFixed(1)} s: ${t.accepted} accepted, ${t.refused} refused ` +
    `${JSON.stringify(t.reasons)}; ${t.abstract} abstract, ${t.relative} relative, ${t.withNul} with NULs, ${t.nonUtf8} non-UTF-8; ` +
    `${t.inUse} abstract names in use elsewhere; ${t.disagreements.length} disagreements`);
  assert.equal(t.disagreements.slice(0, 10), [], `${t.disagreements.length} disagreements`);
  // Every class of input must be exercised, or agreement proves little.
  const share = (n: number): boolean => n > COUNT / 20;
  assert.ok(share(t.accepted) && share(t.refused) && share(t.abstract) && share(t.relative) && share(t.withNul) && share(t.nonUtf8), JSON.stringify(t));
  for (const reason of ['empty-path', 'contains-nul', 'path-too-long', 'abstract-too-long']) assert.ok((t.reasons[reason] ?? 0) > 0, `no ${reason} case`);
  assert.ok(t.inUse < COUNT / 100, `${t.inUse} abstract names were in use`);
});

test.run();
