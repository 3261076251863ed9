// host/component.ts and dist/unixsock.wasm as a component: it is a valid,
// reusable component (stock `jco transpile` runs it and agrees with the thin
// Node binding on every answer), its jco types are committed without drift,
// and the engine's memory stays flat.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { componentWit } from '@bytecodealliance/jco-transpile/wasm-tools';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { COMPONENT_URL, engine, KIND, type Outcome, type WitAddress } from '../../host/component.js';
import { ADDRESS_ERRORS } from '../../host/errors.js';
import { PLATFORMS } from '../../host/platform.js';
import { randomAddress, randomTextPath } from '../_helpers/addresses.js';
import { Random } from '../_helpers/random.js';
import { makeTempDir } from '../_helpers/tmpdir.js';

// @ts-expect-error build/ is plain JavaScript
import { GENERATED, generatedTypes } from '../../../build/types.mjs';

const bytes = readFileSync(COMPONENT_URL);
const CASES = ['path', 'path-bytes', 'abstract', 'unnamed'] as const;
const RELATIVE = ['allow', 'absolute-must-fit', 'reject'] as const;

type JcoAddress = { tag: (typeof CASES)[number]; val?: string | Uint8Array };
type JcoApi = Record<string, (...args: unknown[]) => unknown>;

/** One comparable string per answer, from either binding. */
function show(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (v instanceof Uint8Array) return `bytes:${Buffer.from(v).toString('hex')}`;
    // A Buffer reaches the replacer already turned into { type, data } by its toJSON.
    if (v?.type === 'Buffer' && Array.isArray(v.data)) return `bytes:${Buffer.from(v.data).toString('hex')}`;
    return v;
  });
}

function fromMine(out: Outcome<unknown>): string {
  if (!out.ok) {
    const f = out.failure;
    const tag = ADDRESS_ERRORS[f.tag]!;
    if (tag.endsWith('-too-long')) return show({ err: tag, val: { length: f.a, maximum: f.b } });
    const payload = ['contains-nul', 'bad-syntax', 'wrong-family', 'bad-length-byte'].includes(tag) ? f.a : undefined;
    return show({ err: tag, val: payload });
  }
  const v = out.value as WitAddress | Uint8Array | string;
  if (typeof v === 'string' || v instanceof Uint8Array) return show({ ok: v });
  return show({ ok: { tag: CASES[v.kind], val: v.value } });
}

function fromJco(call: () => unknown): string {
  try {
    return show({ ok: call() });
  } catch (err) {
    const payload = (err as { payload?: { tag: string; val?: unknown } }).payload;
    if (payload === undefined) throw err;
    return show({ err: payload.tag, val: payload.val });
  }
}

const toJco = (a: WitAddress): JcoAddress => ({ tag: CASES[a.kind], ...(a.kind !== KIND.unnamed && { val: a.value }) });

function toWit(a: ReturnType<typeof randomAddress>): WitAddress {
  if ('unnamed' in a) return { kind: KIND.unnamed, value: undefined };
  if ('abstract' in a) return { kind: KIND.abstract, value: a.abstract };
  return typeof a.path === 'string' ? { kind: KIND.path, value: a.path } : { kind: KIND.pathBytes, value: a.path };
}

let jco: JcoApi;
const tmp = makeTempDir();

const stock = suite('dist/unixsock.wasm through stock jco transpile');

stock.before(async () => {
  const { transpileBytes } = await import('@bytecodealliance/jco-transpile');
  // Explicit: the API's default throws raw payloads, the CLI's wraps them.
  const { files } = await transpileBytes(bytes, {
    name: 'unixsock', instantiation: { tag: 'sync' }, noComponentErrorWrapping: false,
  });
  for (const [name, data] of Object.entries(files as Record<string, Uint8Array>)) {
    mkdirSync(dirname(join(tmp.path, name)), { recursive: true });
    writeFileSync(join(tmp.path, name), data);
  }
  const { instantiate } = await import(pathToFileURL(join(tmp.path, 'unixsock.js')).href);
  // The address exports never reach the syscalls: imports that fail loudly prove it.
  const syscalls = new Proxy({}, { get: (_t, name) => () => { throw new Error(`address called syscalls.${String(name)}`); } });
  const root = instantiate((p: string) => new WebAssembly.Module(readFileSync(join(tmp.path, p))), {
    'unixsock:ipc/types': {},
    'unixsock:ipc/syscalls': syscalls,
  });
  jco = root.address as JcoApi;
});

stock.after(() => tmp.remove());

stock('should be a component of world engine exporting unixsock:ipc/address', async () => {
  const wit = await componentWit(bytes);
  assert.match(wit, /export unixsock:ipc\/address@0\.1\.0;/);
  assert.match(wit, /import unixsock:ipc\/syscalls@0\.1\.0;/);
  assert.match(wit, /export unixsock:ipc\/sockets@0\.1\.0;/);
});

stock('should agree with the Node binding on layout-for', () => {
  PLATFORMS.forEach((p, i) => {
    const mine = engine().layoutFor(i);
    assert.equal(jco.layoutFor!(p), { ...mine, platform: p });
  });
});

stock('should agree with the Node binding on 20k random calls of every function', () => {
  const r = new Random();
  const e = engine();
  for (let i = 0; i < 20000; i++) {
    const platform = r.int(0, PLATFORMS.length - 1);
    const a = toWit(randomAddress(r, r.pick(PLATFORMS)));
    // Sometimes break the address: NULs, empty, overlong.
    if (r.int(0, 4) === 0 && a.value !== undefined) {
      const raw = Buffer.from(a.value as never);
      const broken = r.pick([Buffer.alloc(0), Buffer.concat([raw, Buffer.from([0, 1])]), Buffer.concat([raw, raw, raw])]);
      a.value = a.kind === KIND.path ? broken.toString('utf8').replace(/\ufffd/g, '?') : broken;
    }
    const o = {
      platform, portable: r.int(0, 3) === 0, relative: r.int(0, 2),
      workingDirectory: r.int(0, 1) ? randomTextPath(r, 120) : undefined,
    };
    const jo = { platform: PLATFORMS[platform], portable: o.portable, relativePaths: RELATIVE[o.relative], workingDirectory: o.workingDirectory };
    const label = `#${i} ${show(a)} ${show(o)}`;
    assert.is(fromMine(e.validate(a, o)), fromJco(() => jco.validate!(toJco(a), jo)), `validate ${label}`);
    assert.is(fromMine(e.encode(a, o)), fromJco(() => jco.encode!(toJco(a), jo)), `encode ${label}`);
    const sockaddr = r.int(0, 1) ? (e.encode(a, o) as { value?: Uint8Array }).value ?? r.bytes(r.int(0, 12)) : r.bytes(r.int(0, 120));
    assert.is(fromMine(e.decode(sockaddr, platform)), fromJco(() => jco.decode!(sockaddr, PLATFORMS[platform])), `decode ${label}`);
    assert.is(show(e.toText(a)), show(jco.toText!(toJco(a))), `to-text ${label}`);
    const text = r.int(0, 1) ? e.toText(a) : r.pick(['@', 'unix:', 'unix://', 'unix:/%4', '@\\x', '@\\x4g', '']) + randomTextPath(r, 20);
    assert.is(fromMine(e.parse(text)), fromJco(() => jco.parse!(text)), `parse ${show(text)}`);
    const path = a.kind === KIND.path ? (a.value as string) : text;
    assert.is(fromMine(e.normalize(path, o.workingDirectory)), fromJco(() => jco.normalize!(path, o.workingDirectory)), `normalize ${label}`);
    const cand = r.int(0, 2);
    const value = cand === 0 ? path : Buffer.from(a.value ?? [] as never);
    const ck = ['path', 'path-bytes', 'bytes'][cand];
    assert.is(
      e.isUnixSocketPath(cand, value, platform, o.workingDirectory ?? '/'),
      jco.isUnixSocketPath!({ tag: ck, val: value }, PLATFORMS[platform], o.workingDirectory ?? '/'),
      `is-unix-socket-path ${label}`,
    );
  }
});

stock('should commit host/generated exactly as jco generates it', async () => {
  const expected = (await generatedTypes(bytes)) as Record<string, string>;
  for (const [name, text] of Object.entries(expected)) {
    const committed = readFileSync(new URL(name, GENERATED), 'utf8');
    assert.is(committed, text, `host/generated/${name} drifted: run \`npm run types\``);
  }
});

stock.run();

// ---

const memory = suite('engine memory');

memory('should not grow over 1M validate calls and 100k of every other call', () => {
  const e = engine();
  const o = { platform: 0, portable: false, relative: 0, workingDirectory: undefined };
  const r = new Random(7);
  const warm = Array.from({ length: 64 }, () => toWit(randomAddress(r, 'linux')));
  for (const a of warm) e.validate(a, o);
  const before = e.memorySize;
  const path = { kind: KIND.path, value: '/tmp/app.sock' } as WitAddress;
  for (let i = 0; i < 1_000_000; i++) e.validate(path, o);
  for (let i = 0; i < 100_000; i++) {
    const a = warm[i & 63]!;
    e.encode(a, o);
    e.decode(Uint8Array.of(1, 0, 0x2f, 0x61, 0), 0);
    e.parse(e.toText(a));
    e.normalize('/a/../b/./c', '/w');
    e.validate(a, { ...o, relative: 1, workingDirectory: '/srv' });
  }
  assert.is(e.memorySize, before);
});

memory.run();
