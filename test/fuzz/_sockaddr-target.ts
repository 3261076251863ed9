// Fuzz target: decodeSockaddr, the parser of bytes the kernel (or a peer's
// recvfrom address) hands back. Inputs: short garbage, Linux and BSD
// headers over random sun_path bytes, lying sun_len bytes, and mutated valid
// encodings, for every platform name. Properties: only typed refusals; a
// decoded address that encodes again decodes to itself.
import { decodeSockaddr, encodeSockaddr, type Platform } from '../../host/index.js';
import { randomAddress } from '../_helpers/addresses.js';
import type { Random } from '../_helpers/random.js';
import { type FuzzTarget, malformed, sameAddress, show, unexpectedError } from './_target.js';

type Input = { bytes: Buffer; platform: Platform | 'darwin' | 'win32' };

const PLATFORM_NAMES = ['linux', 'macos', 'freebsd', 'openbsd', 'netbsd', 'windows', 'darwin', 'win32'] as const;
const CANONICAL: Record<string, Platform> = { darwin: 'macos', win32: 'windows' };
const REASONS = ['truncated', 'wrong-family', 'bad-length-byte'];

function body(r: Random, n: number): Buffer {
  // NULs and the bytes around them matter most; the rest is anything.
  return r.int(0, 1) === 0 ? r.bytes(n) : r.bytes(n, [0, 0, 0x2f, 0x61, 0xff, 0xc3, 0xa9, 1]);
}

export const sockaddrTarget: FuzzTarget<Input> = {
  name: 'decodeSockaddr',

  generate(r) {
    const platform = r.pick(PLATFORM_NAMES);
    const mode = r.int(0, 4);
    if (mode === 0) return { bytes: r.bytes(r.int(0, 6)), platform };
    if (mode === 1) return { bytes: Buffer.concat([Buffer.from([1, 0]), body(r, r.int(0, r.int(0, 1) === 0 ? 130 : 300))]), platform };
    if (mode === 2) {
      const rest = body(r, r.int(0, 130));
      const lengthByte = r.pick([rest.length + 2, r.int(0, 255), 0, 1, 2, 3, 106, 255]);
      return { bytes: Buffer.concat([Buffer.from([lengthByte & 0xff, r.pick([1, 1, 1, 0, 2])]), rest]), platform };
    }
    // A valid encoding, then damaged: bytes flipped, cut short or extended.
    const layout = CANONICAL[platform] ?? (platform as Platform);
    let bytes: Buffer;
    try {
      bytes = encodeSockaddr(randomAddress(r, layout), { platform: layout });
    } catch {
      bytes = Buffer.from([1, 0]);
    }
    if (mode === 4) return { bytes, platform };
    const damaged = Buffer.from(bytes);
    for (let k = r.int(1, 3); k > 0 && damaged.length > 0; k--) damaged[r.int(0, damaged.length - 1)] = r.int(0, 255);
    const cut = r.int(0, 2);
    if (cut === 0) return { bytes: damaged.subarray(0, r.int(0, damaged.length)), platform };
    if (cut === 1) return { bytes: Buffer.concat([damaged, body(r, r.int(1, 40))]), platform };
    return { bytes: damaged, platform };
  },

  describe: (input) => `decodeSockaddr(Buffer.from('${input.bytes.toString('hex')}', 'hex'), { platform: '${input.platform}' })`,

  exercise({ bytes, platform }) {
    let decoded;
    try {
      decoded = decodeSockaddr(bytes, { platform });
    } catch (err) {
      return unexpectedError(err, REASONS);
    }
    const bad = malformed(decoded);
    if (bad !== undefined) return `decodeSockaddr returned a malformed address: ${bad}`;
    let encoded: Buffer;
    try {
      encoded = encodeSockaddr(decoded, { platform });
    } catch (err) {
      // Decodable but not encodable (too long, abstract elsewhere, unnamed off Linux): only a typed refusal is fine.
      return unexpectedError(err, ['path-too-long', 'abstract-too-long', 'abstract-unsupported', 'autobind-unsupported', 'contains-nul', 'empty-path']);
    }
    let again;
    try {
      again = decodeSockaddr(encoded, { platform });
    } catch (err) {
      return `decodeSockaddr(encodeSockaddr(decoded)) threw ${String(err)} for ${encoded.toString('hex')}`;
    }
    if (!sameAddress(again, decoded)) return `round trip changed ${show(decoded)} into ${show(again)} (via ${encoded.toString('hex')})`;
    return undefined;
  },
};
