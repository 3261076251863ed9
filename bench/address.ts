// Address validation and encoding: calls per second through the engine
// component (the thin Node binding), through stock jco glue (the component
// boundary micro-benchmark: re-run when upgrading jco), a plain-JS check of
// the same rules, and a C baseline, side by side in one process.
// Bar (issue "Foundation"): <= 1 µs per validateAddress call, short path.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { COMPONENT_URL } from '../host/component/component.js';
import { encodeSockaddr, validateAddress } from '../host/index.js';
import { compileC, measure, table } from './harness.js';
import { makeTempDir } from '../test/_helpers/tmpdir.js';

const PATH = '/tmp/app.sock';
const N = 200_000;

/** The same rules in plain JS: empty, NUL, UTF-8 length. */
function plainValidate(s: string): boolean {
  return s.length > 0 && !s.includes('\0') && Buffer.byteLength(s) <= 108;
}

function plainEncode(s: string): Buffer {
  if (!plainValidate(s)) throw new Error('invalid');
  const n = Buffer.byteLength(s);
  const out = Buffer.allocUnsafe(2 + n + (n < 108 ? 1 : 0));
  out.writeUInt16LE(1, 0);
  out.write(s, 2, 'utf8');
  if (n < 108) out[2 + n] = 0;
  return out;
}

async function stockJco(dir: string): Promise<Record<string, (...a: unknown[]) => unknown>> {
  const { transpileBytes } = await import('@bytecodealliance/jco-transpile');
  const { files } = await transpileBytes(readFileSync(COMPONENT_URL), {
    name: 'unixsock', instantiation: { tag: 'sync' }, noComponentErrorWrapping: false,
  });
  for (const [name, data] of Object.entries(files as Record<string, Uint8Array>)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  const { instantiate } = await import(pathToFileURL(join(dir, 'unixsock.js')).href);
  const unused = new Proxy({}, { get: () => () => { throw new Error('address never calls syscalls'); } });
  const root = instantiate((p: string) => new WebAssembly.Module(readFileSync(join(dir, p))), {
    'unixsock:ipc/types': {},
    'unixsock:ipc/syscalls': unused,
  });
  return root.address;
}

/** [validate ns, encode ns] from the C baseline, or undefined without a C compiler. */
function cBaseline(dir: string): [number, number] | undefined {
  const exe = compileC('validate', dir);
  if (exe === undefined) return undefined;
  try {
    const [v, e] = execFileSync(exe, [PATH], { encoding: 'utf8' }).trim().split(' ').map(Number);
    return [v!, e!];
  } catch {
    return undefined;
  }
}

export async function run(): Promise<void> {
  const tmp = makeTempDir('us-bench-');
  try {
    const jco = await stockJco(tmp.path);
    const c = cBaseline(tmp.path);
    const jcoOptions = { platform: 'linux', portable: false, relativePaths: 'allow', workingDirectory: undefined };
    const jcoPath = { tag: 'path', val: PATH };
    const rows = [
      measure('plain JS (same rules)', () => plainValidate(PATH), N),
      measure('validateAddress (engine, thin binding)', () => validateAddress(PATH), N),
      measure('address.validate via stock jco glue', () => jco.validate!(jcoPath, jcoOptions), N / 4),
      { name: 'C baseline (strlen+memchr+limit)', ns: c?.[0] },
    ];
    console.log(table(`validate '${PATH}'`, rows, 'plain JS (same rules)'));
    const encodeRows = [
      measure('plain JS encode', () => plainEncode(PATH), N),
      measure('encodeSockaddr (engine, thin binding)', () => encodeSockaddr(PATH), N),
      measure('address.encode via stock jco glue', () => jco.encode!(jcoPath, jcoOptions), N / 4),
      { name: 'C baseline (checks + sockaddr_un fill)', ns: c?.[1] },
    ];
    console.log(table(`encode '${PATH}'`, encodeRows, 'plain JS encode'));
    const verdict = rows[1]!.ns! <= 1000 ? 'meets' : 'MISSES';
    console.log(`  bar: validateAddress <= 1000 ns/call: ${rows[1]!.ns!.toFixed(0)} ns, ${verdict} the bar`);
  } finally {
    tmp.remove();
  }
}
