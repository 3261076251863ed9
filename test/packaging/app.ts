// The consumer app of the packaging tests (test/packaging/pack.test.ts on this
// machine, build/test-arm64.mjs under qemu-aarch64): what a user writes first,
// as an ESM file in a fresh project with `unixsock` installed from the packed
// tarball. It echoes bytes over a socket file, asks for address verdicts, and
// prints one JSON line ({@link AppResult}) that also says which addon loaded
// and digests the component and the JavaScript it ran and the component's
// answers, so two architectures' runs can be compared byte for byte.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the app prints. */
export interface AppResult {
  echoed: boolean;
  valid: boolean;
  tooLong: string;
  /** The .node file that loaded. */
  addon: string;
  /** sha256 of the dist/unixsock.wasm the package holds. */
  wasm: string;
  /** {@link treeDigest} of the package's dist/host. */
  js: string;
  /** sha256 of the verdicts and encodings of 512 generated addresses. */
  verdicts: string;
  /** How many of those addresses were valid (so the digest is not of 512 refusals). */
  validCount: number;
}

/** sha256 over every file under `dir` (sorted relative names, then bytes). */
export function treeDigest(dir: string): string {
  const hash = createHash('sha256');
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const name = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(name);
      else hash.update(`${name}\0`).update(readFileSync(join(dir, name)));
    }
  };
  walk('');
  return hash.digest('hex');
}

/** The app's source; run as `node app.mjs <dir>` in the project (the socket goes in <dir>). */
export const APP = `
import { connect, encodeSockaddr, listen, validateAddress } from 'unixsock';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
const [dir] = process.argv.slice(2);
const server = await listen(dir + '/app.sock', { mode: 0o600 });
(async () => { for await (const s of server) s.pipe(s); })();
const client = await connect(dir + '/app.sock');
const sent = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
client.end(sent);
const chunks = [];
for await (const c of client) chunks.push(c);
server.close();
const addon = Object.keys(createRequire(import.meta.url).cache).find((k) => k.endsWith('.node'));
const host = dirname(fileURLToPath(import.meta.resolve('unixsock')));
${treeDigest.toString()}
// 512 addresses from a fixed generator: paths and abstract names of 0..140 bytes, ASCII and not.
let seed = 12345;
const next = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const alphabet = ['a', 'Z', '9', '.', '/', '-', '\\u00e9', '\\u20ac', '\\u{1f600}', ' '];
const answers = [];
let validCount = 0;
for (let i = 0; i < 512; i++) {
  let text = (i % 3 === 0 ? '\\0' : '/');
  const length = next(140);
  while (Buffer.byteLength(text) < length) text += alphabet[next(alphabet.length)];
  const verdict = validateAddress(text);
  if (verdict.ok) validCount++;
  answers.push(JSON.stringify(verdict), verdict.ok ? encodeSockaddr(text).toString('hex') : '');
}
console.log(JSON.stringify({
  echoed: Buffer.concat(chunks).equals(sent),
  valid: validateAddress('/tmp/app.sock').ok,
  tooLong: validateAddress('/' + 'x'.repeat(200)).reason,
  addon,
  wasm: createHash('sha256').update(readFileSync(join(host, '..', 'unixsock.wasm'))).digest('hex'),
  js: treeDigest(host),
  verdicts: createHash('sha256').update(answers.join('\\n')).digest('hex'),
  validCount,
}));
`;
