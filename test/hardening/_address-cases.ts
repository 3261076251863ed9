// Seeded generator of raw sun_path candidates for the differential test:
// lengths 0-120, NULs anywhere in the name, non-UTF-8 bytes, multi-byte
// UTF-8, relative and absolute paths (with `.`, `..` and `//` segments) and
// abstract names with inner NULs, each in one of the API's input forms.
// Every path lands in an existing directory under `dir`, so the kernel can
// only refuse a name for the name's sake.
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AddressInput } from '../../host/index.js';
import type { Random } from '../_helpers/random.js';

/** One candidate: the exact sun_path bytes and how the API is given them. */
export interface AddressCase {
  /** sun_path bytes; a leading 0 means abstract, none means the empty address. */
  raw: Buffer;
  /** The same address in an input form of the API. */
  input: AddressInput;
  /** Which input form, for messages. */
  form: string;
}

/** Where generated paths live: an absolute directory (created with its subdirectories). */
export class AddressCases {
  readonly #r: Random;
  readonly #absolute: string[];
  readonly #relative: string[];
  /** Paths may take a NUL only after this many prefix bytes (so a truncated name stays inside `dir`). */
  readonly #safe: Map<string, number>;

  constructor(r: Random, dir: string) {
    this.#r = r;
    mkdirSync(join(dir, 'sub', 'dd'), { recursive: true });
    this.#absolute = [`${dir}/`, `${dir}//`, `${dir}/./`, `${dir}/sub/`, `${dir}/sub/../`, `${dir}/sub/dd/`];
    this.#relative = ['', './', 'sub/', './/sub/./', 'sub/dd/../', `../${basename(dir)}/`];
    this.#safe = new Map([
      ...this.#absolute.map((p) => [p, p.length] as const),
      ...this.#relative.map((p) => [p, p.startsWith('..') ? p.length : 0] as const),
    ]);
  }

  /** The next candidate. */
  next(): AddressCase {
    const r = this.#r;
    const kind = r.int(0, 99);
    if (kind < 2) return this.#empty();
    if (kind < 37) return this.#abstract(r.int(1, 120));
    return this.#path(r.int(1, 120), kind < 70);
  }

  #empty(): AddressCase {
    const forms: [AddressInput, string][] = [['', 'string'], [Buffer.alloc(0), 'buffer'], [{ path: '' }, '{path}']];
    const [input, form] = this.#r.pick(forms);
    return { raw: Buffer.alloc(0), input, form };
  }

  #abstract(total: number): AddressCase {
    const r = this.#r;
    const name = this.#nameBytes(total - 1, true);
    this.#sprinkleNuls(name, 0);
    const raw = Buffer.concat([Buffer.from([0]), name]);
    const text = utf8(name);
    const forms: [AddressInput, string][] = [[raw, 'buffer'], [{ abstract: name }, '{abstract: bytes}']];
    if (text !== undefined) forms.push([`\0${text}`, 'string'], [{ abstract: text }, '{abstract: string}']);
    const [input, form] = r.pick(forms);
    return { raw, input, form };
  }

  #path(total: number, absolute: boolean): AddressCase {
    const r = this.#r;
    const prefixes = (absolute ? this.#absolute : this.#relative).filter((p) => Buffer.byteLength(p) < total);
    const prefix = prefixes.length > 0 ? r.pick(prefixes) : '';
    const file = this.#nameBytes(total - Buffer.byteLength(prefix), false);
    // A file name never starts with '.' or 's' (so it is never '.', '..' or 'sub').
    if (file[0] === 0x2e || file[0] === 0x73) file[0] = 0x66;
    const raw = Buffer.concat([Buffer.from(prefix), file]);
    this.#sprinkleNuls(raw, Math.max(this.#safe.get(prefix) ?? 0, 1));
    const text = utf8(raw);
    const forms: [AddressInput, string][] = [[raw, 'buffer'], [{ path: raw }, '{path: bytes}']];
    if (text !== undefined) forms.push([text, 'string'], [text, 'string'], [{ path: text }, '{path: string}']);
    const [input, form] = r.pick(forms);
    return { raw, input, form };
  }

  /** `n` bytes: ASCII, control bytes, lone high bytes, whole UTF-8 sequences; '/' only in abstract names. */
  #nameBytes(n: number, slash: boolean): Buffer {
    const r = this.#r;
    const style = r.int(0, 3);
    const out: number[] = [];
    while (out.length < n) {
      const pick = style === 0 ? 0 : r.int(0, 9);
      if (pick <= 5) out.push(r.pick(ASCII));
      else if (pick === 6) out.push(r.int(1, 0x1f));
      else if (pick === 7) out.push(r.int(0x80, 0xff));
      else if (pick === 8 && slash) out.push(0x2f);
      else out.push(...r.pick(SEQUENCES));
    }
    // A multi-byte sequence may overshoot; cutting it leaves a non-UTF-8 tail, which is wanted too.
    const bytes = Buffer.from(out.slice(0, n));
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0 || (!slash && bytes[i] === 0x2f)) bytes[i] = 0x5f;
    return bytes;
  }

  /** In one case of five, NULs at 1-3 random positions from `from` on. */
  #sprinkleNuls(bytes: Buffer, from: number): void {
    const r = this.#r;
    if (bytes.length <= from || r.int(0, 4) !== 0) return;
    for (let k = r.int(1, 3); k > 0; k--) bytes[r.int(from, bytes.length - 1)] = 0;
  }
}

const ASCII = [...'abcdefghijklmnopqrstuvwxyzABCXYZ0189.-_ %@:\\~#'].map((c) => c.charCodeAt(0));
const SEQUENCES = ['\u00e9', '\u00ff', '\u65e5', '\u{1f600}', '\ufeff', '\u0800'].map((c) => [...Buffer.from(c)]);

/** The text of `bytes` when they are well-formed UTF-8. */
function utf8(bytes: Buffer): string | undefined {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : undefined;
}
