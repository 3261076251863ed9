// Fuzzing of the parsers of untrusted bytes and text (issue 7, item 2):
// decodeSockaddr, and parseAddress / normalizePath / validateAddress. Each
// target runs in a worker for UNIXSOCK_FUZZ_SECONDS (default 2) and must end
// with no failure: no error but a typed refusal, no component trap, the
// component still answering known questions after every input, no hang.
// UNIXSOCK_SEED changes the sequence; a failure prints its input.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FUZZ_SECONDS } from '../hardening/_budget.js';
import { fuzzInWorker } from './_harness.js';

const SEED = Number(process.env.UNIXSOCK_SEED ?? 0xf022);
const test = suite('fuzz: address parsers');

for (const [target, label] of [['sockaddr', 'decodeSockaddr'], ['text', 'parseAddress, normalizePath, validateAddress']] as const) {
  test(`should survive ${FUZZ_SECONDS} s of fuzzing ${label} without a trap, an untyped error or a hang`, async () => {
    const { iterations, failures } = await fuzzInWorker(target, FUZZ_SECONDS, SEED);
    const rate = Math.round(iterations / FUZZ_SECONDS);
    console.log(`  fuzz ${target}: ${iterations} inputs in ${FUZZ_SECONDS} s (${rate}/s), seed ${SEED}, ${failures.length} failures`);
    assert.equal(failures, [], failures.join('\n'));
    assert.ok(iterations >= 1000, `only ${iterations} inputs ran`);
  });
}

test.run();
