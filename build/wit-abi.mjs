// wit/*.wit -> host/component/generated/abi-layout.ts: the one canonical-ABI model of
// the package. Every size, alignment, record field offset, variant payload
// offset, case list and flattened core signature the host needs is computed
// here, by the rules of the Component Model's CanonicalABI.md, and written out
// as plain constants; host/ writes no ABI offset by hand.
//
// The parser covers the subset of WIT this package uses (interfaces, `use`,
// enum, flags, record, variant, resource with static and method functions,
// functions, worlds); wasm-tools as bundled by jco-transpile prints WIT but
// gives no resolved type graph, so a few hundred lines here are cheaper than
// another toolchain. test/wit/abi-layout.test.ts regenerates the file and fails
// when the committed copy drifts; `node build/index.mjs --only=abi` rewrites it.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

export const WIT_DIR = new URL('../wit/', import.meta.url);
export const OUTPUT = new URL('../host/component/generated/abi-layout.ts', import.meta.url);

// ---------------------------------------------------------------------------
// Parsing.

/** Tokens of one .wit source; a doc comment (`///`) attaches to the next token. */
function tokenize(source, file) {
  const tokens = [];
  let doc = [];
  const re = /\/\/\/([^\n]*)|\/\/[^\n]*|\/\*[\s\S]*?\*\/|(\s+)|(->)|(%?[a-zA-Z][a-zA-Z0-9-]*)|(\d+)|([{}()<>,:;=.@/*_])/g;
  let m;
  let at = 0;
  while ((m = re.exec(source)) !== null) {
    if (m.index !== at) throw new Error(`${file}: unexpected ${JSON.stringify(source.slice(at, m.index))}`);
    at = re.lastIndex;
    if (m[1] !== undefined) doc.push(m[1].replace(/^ /, ''));
    else if (m[3] || m[4] || m[5] || m[6]) {
      tokens.push({ v: m[3] ?? m[4] ?? m[5] ?? m[6], doc: doc.join('\n') });
      doc = [];
    }
  }
  if (at !== source.length) throw new Error(`${file}: unexpected text at the end`);
  return tokens;
}

const KEYWORDS_AS_NAMES = /^%/;

class Parser {
  constructor(tokens, file) {
    this.t = tokens;
    this.i = 0;
    this.where = file;
  }

  peek(k = 0) {
    return this.t[this.i + k]?.v;
  }

  next() {
    const tok = this.t[this.i++];
    if (tok === undefined) throw new Error(`${this.where}: unexpected end`);
    return tok;
  }

  eat(v) {
    const tok = this.next();
    if (tok.v !== v) throw new Error(`${this.where}: expected ${v}, found ${tok.v}`);
    return tok;
  }

  maybe(v) {
    if (this.peek() !== v) return false;
    this.i++;
    return true;
  }

  name() {
    const tok = this.next();
    if (!/^%?[a-zA-Z]/.test(tok.v)) throw new Error(`${this.where}: expected a name, found ${tok.v}`);
    return { name: tok.v.replace(KEYWORDS_AS_NAMES, ''), doc: tok.doc };
  }

  /** A type expression. */
  type() {
    const head = this.name().name;
    const generic = (n) => {
      this.eat('<');
      const args = [];
      for (let k = 0; k < n || (n < 0 && this.peek() !== '>'); k++) {
        if (k > 0 && !this.maybe(',')) break;
        if (this.peek() === '_') {
          this.next();
          args.push(undefined);
        } else args.push(this.type());
      }
      this.eat('>');
      return args;
    };
    switch (head) {
      case 'list': return { t: 'list', of: generic(1)[0] };
      case 'option': return { t: 'option', of: generic(1)[0] };
      case 'tuple': return { t: 'tuple', of: generic(-1) };
      case 'borrow': return { t: 'borrow', resource: this.#resourceArg() };
      case 'own': return { t: 'own', resource: this.#resourceArg() };
      case 'result': {
        if (this.peek() !== '<') return { t: 'result', ok: undefined, err: undefined };
        const [ok, err] = generic(2);
        return { t: 'result', ok, err };
      }
      default: return { t: 'ref', name: head };
    }
  }

  #resourceArg() {
    this.eat('<');
    const r = this.name().name;
    this.eat('>');
    return r;
  }

  params() {
    this.eat('(');
    const params = [];
    while (!this.maybe(')')) {
      const n = this.name().name;
      this.eat(':');
      params.push({ name: n, type: this.type() });
      if (!this.maybe(',')) {
        this.eat(')');
        break;
      }
    }
    return params;
  }

  func(name, doc, extra = {}) {
    this.eat('func');
    const params = this.params();
    const result = this.maybe('->') ? this.type() : undefined;
    this.eat(';');
    return { name, doc, params, result, ...extra };
  }

  /** Comma-separated members of `{ … }`: each `name`, `name(ty)` or `name: ty`. */
  members(withType) {
    this.eat('{');
    const out = [];
    while (!this.maybe('}')) {
      const { name, doc } = this.name();
      let type;
      if (withType === ':') {
        this.eat(':');
        type = this.type();
      } else if (withType === '(' && this.maybe('(')) {
        type = this.type();
        this.eat(')');
      }
      out.push({ name, doc, type });
      if (!this.maybe(',')) {
        this.eat('}');
        break;
      }
    }
    return out;
  }

  interface(doc) {
    const { name } = this.name();
    const iface = { name, doc, uses: [], types: new Map(), functions: [] };
    this.eat('{');
    while (!this.maybe('}')) {
      const tok = this.next();
      switch (tok.v) {
        case 'use': {
          const from = this.name().name;
          this.eat('.');
          this.eat('{');
          while (!this.maybe('}')) {
            iface.uses.push({ from, name: this.name().name });
            this.maybe(',');
          }
          this.eat(';');
          break;
        }
        case 'enum': case 'flags': {
          const n = this.name().name;
          iface.types.set(n, { kind: tok.v, name: n, doc: tok.doc, cases: this.members('') });
          break;
        }
        case 'record': {
          const n = this.name().name;
          iface.types.set(n, { kind: 'record', name: n, doc: tok.doc, fields: this.members(':') });
          break;
        }
        case 'variant': {
          const n = this.name().name;
          iface.types.set(n, { kind: 'variant', name: n, doc: tok.doc, cases: this.members('(') });
          break;
        }
        case 'type': {
          const n = this.name().name;
          this.eat('=');
          iface.types.set(n, { kind: 'alias', name: n, doc: tok.doc, type: this.type() });
          this.eat(';');
          break;
        }
        case 'resource': {
          const n = this.name().name;
          iface.types.set(n, { kind: 'resource', name: n, doc: tok.doc });
          if (this.maybe(';')) break;
          this.eat('{');
          while (!this.maybe('}')) {
            const m = this.name();
            this.eat(':');
            if (this.maybe('static')) iface.functions.push(this.func(`[static]${n}.${m.name}`, m.doc, { resource: n }));
            else {
              const f = this.func(`[method]${n}.${m.name}`, m.doc, { resource: n });
              f.params.unshift({ name: 'self', type: { t: 'borrow', resource: n } });
              iface.functions.push(f);
            }
          }
          break;
        }
        default: {
          // name: func(...)
          this.i--;
          const { name: fn, doc: fdoc } = this.name();
          this.eat(':');
          iface.functions.push(this.func(fn, fdoc));
        }
      }
    }
    return iface;
  }

  world(doc) {
    const { name } = this.name();
    const world = { name, doc, imports: [], exports: [], functions: [] };
    this.eat('{');
    while (!this.maybe('}')) {
      const dir = this.next().v;
      if (dir !== 'import' && dir !== 'export') throw new Error(`${this.where}: world ${name}: unexpected ${dir}`);
      const { name: n, doc: d } = this.name();
      if (this.maybe(':')) world.functions.push({ dir, ...this.func(n, d) });
      else {
        this.eat(';');
        world[`${dir}s`].push(n);
      }
    }
    return world;
  }

  parseFile(pkg) {
    while (this.i < this.t.length) {
      const tok = this.next();
      if (tok.v === 'package') {
        let text = '';
        while (this.peek() !== ';') text += this.next().v;
        this.eat(';');
        pkg.name = text;
      } else if (tok.v === 'interface') {
        const iface = this.interface(tok.doc);
        pkg.interfaces.set(iface.name, iface);
      } else if (tok.v === 'world') {
        const world = this.world(tok.doc);
        pkg.worlds.set(world.name, world);
      } else throw new Error(`${this.where}: unexpected ${tok.v}`);
    }
  }
}

/** The package in wit/: interfaces and worlds, names resolved. */
export function parseWit(dir = WIT_DIR) {
  const pkg = { name: '', interfaces: new Map(), worlds: new Map() };
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.wit')).sort()) {
    new Parser(tokenize(readFileSync(new URL(f, dir), 'utf8'), f), f).parseFile(pkg);
  }
  return pkg;
}

/** The definition a name stands for inside `iface` (following `use`). */
export function lookup(pkg, iface, name) {
  const own = iface.types.get(name);
  if (own !== undefined) return { iface, def: own };
  const use = iface.uses.find((u) => u.name === name);
  if (use === undefined) throw new Error(`interface ${iface.name}: unknown type ${name}`);
  const from = pkg.interfaces.get(use.from);
  if (from === undefined) throw new Error(`interface ${iface.name}: unknown interface ${use.from}`);
  return lookup(pkg, from, name);
}

// ---------------------------------------------------------------------------
// The canonical ABI (CanonicalABI.md: alignment, elem_size, flatten_type).

const PRIMITIVES = {
  bool: [1, 'i32'], u8: [1, 'i32'], s8: [1, 'i32'], u16: [2, 'i32'], s16: [2, 'i32'],
  u32: [4, 'i32'], s32: [4, 'i32'], char: [4, 'i32'], f32: [4, 'f32'],
  u64: [8, 'i64'], s64: [8, 'i64'], f64: [8, 'f64'],
};

export const MAX_FLAT_PARAMS = 16;
export const MAX_FLAT_RESULTS = 1;

const alignTo = (n, a) => Math.ceil(n / a) * a;
const discriminantSize = (n) => (n <= 0x100 ? 1 : n <= 0x10000 ? 2 : 4);
const flagsSize = (n) => (n <= 8 ? 1 : n <= 16 ? 2 : 4);

function joinFlat(a, b) {
  if (a === b) return a;
  if ((a === 'i32' && b === 'f32') || (a === 'f32' && b === 'i32')) return 'i32';
  return 'i64';
}

/**
 * A resolved type with its layout: { t, size, align, flat (core types), … }.
 * Records carry `fields` and `offsets`; variants `cases` and `payload`.
 * Nodes of named types are shared (resolved once per definition).
 */
export function resolver(pkg) {
  const named = new Map();
  const node = (t, extra, size, align, flat) => ({ t, size, align, flat, ...extra });
  const record = (fields, names, extra = {}) => {
    let at = 0;
    const offsets = fields.map((f) => {
      at = alignTo(at, f.align);
      const here = at;
      at += f.size;
      return here;
    });
    const align = Math.max(1, ...fields.map((f) => f.align));
    return node('record', { fields, names, offsets, ...extra }, alignTo(at, align), align, fields.flatMap((f) => f.flat));
  };
  const variant = (cases, names, extra = {}) => {
    const d = discriminantSize(cases.length);
    const caseAlign = Math.max(1, ...cases.map((c) => c?.align ?? 1));
    const align = Math.max(d, caseAlign);
    const payload = alignTo(d, caseAlign);
    const size = alignTo(payload + Math.max(0, ...cases.map((c) => c?.size ?? 0)), align);
    const flat = [];
    for (const c of cases) {
      (c?.flat ?? []).forEach((f, k) => {
        flat[k] = k < flat.length ? joinFlat(flat[k], f) : f;
      });
    }
    return node('variant', { cases, names, payload, ...extra }, size, align, ['i32', ...flat]);
  };
  function resolve(iface, ty) {
    if (ty === undefined) return undefined;
    switch (ty.t) {
      case 'list': return node('list', { of: resolve(iface, ty.of) }, 8, 4, ['i32', 'i32']);
      case 'option': return variant([undefined, resolve(iface, ty.of)], ['none', 'some'], { option: true });
      case 'result': return variant([resolve(iface, ty.ok), resolve(iface, ty.err)], ['ok', 'err'], { result: true });
      case 'tuple': return record(ty.of.map((x) => resolve(iface, x)), ty.of.map((_, k) => `${k}`), { tuple: true });
      case 'own': case 'borrow': return node(ty.t, { resource: ty.resource }, 4, 4, ['i32']);
      case 'ref': {
        if (ty.name === 'string') return node('string', {}, 8, 4, ['i32', 'i32']);
        const p = PRIMITIVES[ty.name];
        if (p !== undefined) return node(ty.name, {}, p[0], p[0], [p[1]]);
        // A bare resource name is an owned handle.
        if (lookup(pkg, iface, ty.name).def.kind === 'resource') return node('own', { resource: ty.name }, 4, 4, ['i32']);
        return resolveNamed(iface, ty.name);
      }
    }
    throw new Error(`unknown type form ${ty.t}`);
  }
  function resolveNamed(iface, name) {
    const { iface: owner, def } = lookup(pkg, iface, name);
    const key = `${owner.name}.${name}`;
    if (named.has(key)) return named.get(key);
    const id = { iface: owner.name, name };
    let out;
    switch (def.kind) {
      case 'enum': {
        const d = discriminantSize(def.cases.length);
        out = node('enum', { id, names: def.cases.map((c) => c.name) }, d, d, ['i32']);
        break;
      }
      case 'flags': {
        if (def.cases.length > 32) throw new Error(`${key}: more than 32 flags`);
        const s = flagsSize(def.cases.length);
        out = node('flags', { id, names: def.cases.map((c) => c.name) }, s, s, ['i32']);
        break;
      }
      case 'record': out = record(def.fields.map((f) => resolve(owner, f.type)), def.fields.map((f) => f.name), { id }); break;
      case 'variant': out = variant(def.cases.map((c) => resolve(owner, c.type)), def.cases.map((c) => c.name), { id }); break;
      case 'alias': out = resolve(owner, def.type); break;
      case 'resource': throw new Error(`${key}: a resource is used only through own<> or borrow<>`);
    }
    named.set(key, out);
    return out;
  }
  return { resolve, resolveNamed, named };
}

/** Core signature of a function: flat params (or one pointer), and whether results go through memory. */
export function coreSignature(params, result) {
  const flat = params.flatMap((p) => p.flat);
  const spilled = flat.length > MAX_FLAT_PARAMS;
  const results = result?.flat ?? [];
  const retArea = results.length > MAX_FLAT_RESULTS;
  return { params: spilled ? ['i32'] : flat, spilled, results: retArea ? ['i32'] : results, retArea };
}

// ---------------------------------------------------------------------------
// The model: every interface's named types and functions, resolved.

export function model(pkg = parseWit()) {
  const r = resolver(pkg);
  const interfaces = [];
  for (const iface of pkg.interfaces.values()) {
    const types = [];
    for (const def of iface.types.values()) {
      if (def.kind === 'resource') types.push({ name: def.name, def, ty: undefined });
      else types.push({ name: def.name, def, ty: r.resolveNamed(iface, def.name) });
    }
    const functions = iface.functions.map((f) => {
      const params = f.params.map((p) => r.resolve(iface, p.type));
      const result = r.resolve(iface, f.result);
      return { name: f.name, def: f, params, result, core: coreSignature(params, result) };
    });
    interfaces.push({ name: iface.name, iface, types, functions });
  }
  const worldFunctions = [];
  for (const world of pkg.worlds.values()) {
    for (const f of world.functions) {
      const scope = { name: world.name, types: new Map(), uses: [] };
      const params = f.params.map((p) => r.resolve(scope, p.type));
      const result = r.resolve(scope, f.result);
      worldFunctions.push({ world: world.name, name: f.name, dir: f.dir, params, result, core: coreSignature(params, result) });
    }
  }
  return { pkg, interfaces, worldFunctions };
}

// ---------------------------------------------------------------------------
// Output.

const camel = (s) => s.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const upper = (s) => s.replace(/-/g, '_').toUpperCase();

/** A flat layout object for hand-written glue: offsets by field name, sizes, case lists. */
function layoutObject(ty) {
  const o = { size: ty.size, align: ty.align, flat: ty.flat.length };
  switch (ty.t) {
    case 'record':
      if (ty.tuple) o.fields = ty.offsets;
      else ty.names.forEach((n, k) => (o[camel(n)] = ty.offsets[k]));
      break;
    case 'variant':
      o.payload = ty.payload;
      if (!ty.option && !ty.result) o.cases = ty.names;
      // Payloads that are records: their offsets relative to the variant.
      break;
    case 'enum': o.cases = ty.names; break;
    case 'flags':
      o.labels = ty.names;
      ty.names.forEach((n, k) => (o[camel(n)] = 1 << k));
      break;
  }
  return o;
}

function literal(value) {
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object' && value !== null) {
    return `{ ${Object.entries(value).map(([k, v]) => `${/^[a-zA-Z_$][\w$]*$/.test(k) ? k : `'${k}'`}: ${literal(v)}`).join(', ')} }`;
  }
  return String(value);
}

/** The type-tree expression of `ty` for the generic walker (host/sandbox/carry.ts), naming shared nodes. */
function treeExpr(ty, names) {
  if (ty === undefined) return 'undefined';
  if (ty.id !== undefined && names.has(ty)) return names.get(ty);
  // Only i32-flattening types occur in the interfaces a plugin imports, which
  // keeps the walker's flattening a count.
  if (ty.flat.some((f) => f !== 'i32')) throw new Error(`a plugin interface holds ${ty.t}, which does not flatten to i32 values`);
  const prim = { u8: 'U8', s8: 'U8', u16: 'U16', s16: 'U16', u32: 'U32', s32: 'U32', char: 'U32', bool: 'BOOL', string: 'STRING' }[ty.t];
  if (prim !== undefined) return `T_${prim}`;
  const base = `size: ${ty.size}, align: ${ty.align}, flat: ${ty.flat.length}`;
  switch (ty.t) {
    case 'list': return `{ t: 'list', ${base}, of: ${treeExpr(ty.of, names)} }`;
    case 'own': case 'borrow': return `{ t: '${ty.t}', ${base}, resource: '${ty.resource}' }`;
    case 'enum': return `{ t: 'enum', ${base}, cases: ${ty.names.length} }`;
    case 'flags': return `{ t: 'flags', ${base}, labels: ${ty.names.length} }`;
    case 'record':
      return `{ t: 'record', ${base}, fields: [${ty.fields.map((f) => treeExpr(f, names)).join(', ')}], offsets: ${literal(ty.offsets)} }`;
    case 'variant':
      return `{ t: 'variant', ${base}, discriminant: ${discriminantSize(ty.cases.length)}, payload: ${ty.payload}, cases: [${ty.cases.map((c) => treeExpr(c, names)).join(', ')}] }`;
    default: throw new Error(`no type tree for ${ty.t}`);
  }
}

const HEADER = `// Generated by build/wit-abi.mjs from wit/*.wit: do not edit. Rewrite with
// \`node build/index.mjs --only=abi\`; test/wit/abi-layout.test.ts fails when
// this file drifts from the WIT.
//
// The canonical-ABI model of package unixsock:ipc (CanonicalABI.md): for
// every named type its size, alignment, field offsets (records), payload
// offset and cases (variants, enums) or bits (flags); for every function its
// core signature and result layout; and type trees the plugin linker walks.
// Offsets are relative to where the value is stored; a function's result
// layout is relative to its return area.
/* eslint-disable */
`;

const TREE_TYPES = `
/** A WIT type reduced to what the canonical ABI distinguishes, with its layout. */
export type AbiType =
  | { t: 'u8' | 'u16' | 'u32' | 'bool'; size: number; align: number; flat: number }
  | { t: 'string'; size: number; align: number; flat: number }
  | { t: 'enum'; size: number; align: number; flat: number; cases: number }
  | { t: 'flags'; size: number; align: number; flat: number; labels: number }
  | { t: 'list'; size: number; align: number; flat: number; of: AbiType }
  | { t: 'record'; size: number; align: number; flat: number; fields: readonly AbiType[]; offsets: readonly number[] }
  | { t: 'variant'; size: number; align: number; flat: number; discriminant: number; payload: number; cases: readonly (AbiType | undefined)[] }
  | { t: 'own' | 'borrow'; size: number; align: number; flat: number; resource: AbiResource };

/** One function: its parameters and result (undefined: none) as type trees, and its core signature. */
export interface AbiFunction {
  readonly params: readonly AbiType[];
  readonly result: AbiType | undefined;
  /** Core parameters, including a return-area pointer (imports) when the result goes through memory. */
  readonly coreParams: number;
  /** The parameters are passed through memory (more than MAX_FLAT_PARAMS flat values). */
  readonly spilled: boolean;
  /** The result goes through memory: a return area. */
  readonly retArea: boolean;
}

export const MAX_FLAT_PARAMS = ${MAX_FLAT_PARAMS};
export const MAX_FLAT_RESULTS = ${MAX_FLAT_RESULTS};

/** \`string\` and \`list<T>\` in memory: pointer, then length (elements). */
export const LIST = { size: 8, align: 4, flat: 2, ptr: 0, len: 4 } as const;

/** An \`s32\` or \`u32\`, as a list element. */
export const WORD = { size: 4, align: 4 } as const;

/** A resource handle (\`own<T>\`, \`borrow<T>\`), in memory or flat. */
export const HANDLE = { size: 4, align: 4, flat: 1 } as const;

/** The discriminant of an \`option<T>\` (flat or in memory). */
export const NONE = 0;
export const SOME = 1;
`;

/** The generated TypeScript module. */
export function generate(m = model()) {
  const resources = m.interfaces.flatMap((i) => i.types.filter((t) => t.def.kind === 'resource').map((t) => t.name));
  const out = [HEADER, TREE_TYPES];
  out.push(`\n/** Every resource type of the package. */\nexport const RESOURCES = ${literal(resources)} as const;\nexport type AbiResource = (typeof RESOURCES)[number];\n`);
  // Layout constants of named types.
  out.push('\n// Named types, by interface.\n');
  for (const { name: iface, types } of m.interfaces) {
    for (const { name, def, ty } of types) {
      if (ty === undefined) continue;
      const doc = (def.doc.split('\n')[0] ?? '').replace(/\*\//g, '*\\/');
      out.push(`\n/** \`${iface}.${name}\`${doc ? `: ${doc}` : ''} */\n`);
      out.push(`export const ${upper(iface)}_${upper(name)} = ${literal(layoutObject(ty))} as const;\n`);
    }
  }
  // Function result layouts.
  out.push('\n// Functions by interface and core name: core signature and the layout of the result.\n');
  for (const { name: iface, functions } of m.interfaces) {
    if (functions.length === 0) continue;
    out.push(`\nexport const ${upper(iface)}_FUNCTIONS = {\n`);
    for (const f of functions) {
      const fields = { coreParams: f.core.params.length + (f.core.retArea ? 1 : 0), retArea: f.core.retArea };
      if (f.result !== undefined) {
        fields.result = layoutObject(f.result);
        if (f.result.t === 'variant') {
          // Layouts of anonymous payloads (tuples, options) of a result.
          f.result.cases.forEach((c, k) => {
            if (c !== undefined && c.id === undefined && (c.t === 'record' || c.t === 'variant')) {
              fields.result[f.result.names[k]] = layoutObject(c);
            }
          });
        }
      }
      out.push(`  '${f.name}': ${literal(fields)},\n`);
    }
    out.push('} as const;\n');
  }
  // Type trees.
  out.push('\n// Type trees of the interfaces a plugin may import, for the generic walker.\n\n');
  const names = new Map();
  const shared = [];
  const plugin = m.pkg.worlds.get('plugin');
  const treeIfaces = ['types', 'address', ...plugin.imports];
  const share = (ty) => {
    if (ty === undefined || names.has(ty)) return;
    for (const c of ty.fields ?? ty.cases ?? []) share(c);
    if (ty.of !== undefined) share(ty.of);
    if (ty.id !== undefined) {
      const n = `T_${upper(ty.id.iface)}_${upper(ty.id.name)}`;
      shared.push(`const ${n}: AbiType = ${treeExpr(ty, names)};\n`);
      names.set(ty, n);
    }
  };
  const trees = [];
  for (const { name: iface, functions } of m.interfaces) {
    if (!treeIfaces.includes(iface) || functions.length === 0) continue;
    const rows = functions.map((f) => {
      // host/sandbox/carry.ts carries flat parameters only.
      if (f.core.spilled) throw new Error(`${iface}.${f.name}: more than ${MAX_FLAT_PARAMS} flat parameters; host/sandbox/carry.ts would have to carry them in memory`);
      f.params.forEach(share);
      share(f.result);
      return `  '${f.name}': { params: [${f.params.map((p) => treeExpr(p, names)).join(', ')}], result: ${treeExpr(f.result, names)}, ` +
        `coreParams: ${f.core.params.length + (f.core.retArea ? 1 : 0)}, spilled: ${f.core.spilled}, retArea: ${f.core.retArea} },\n`;
    });
    trees.push(`/** Functions of interface \`${iface}\` as type trees. */\nexport const ${upper(iface)}_TREES: Record<string, AbiFunction> = {\n${rows.join('')}};\n\n`);
  }
  for (const f of m.worldFunctions.filter((w) => w.world === 'plugin')) {
    f.params.forEach(share);
    share(f.result);
    trees.push(`/** World \`plugin\` ${f.dir}s \`${f.name}\`. */\nexport const PLUGIN_${upper(f.name)}: AbiFunction = ` +
      `{ params: [${f.params.map((p) => treeExpr(p, names)).join(', ')}], result: ${treeExpr(f.result, names)}, ` +
      `coreParams: ${f.core.params.length + (f.core.retArea ? 1 : 0)}, spilled: ${f.core.spilled}, retArea: ${f.core.retArea} };\n`);
  }
  const prims = [['U8', 1], ['U16', 2], ['U32', 4], ['BOOL', 1]]
    .map(([n, b]) => `const T_${n}: AbiType = { t: '${n.toLowerCase()}', size: ${b}, align: ${b}, flat: 1 };\n`);
  prims.push(`const T_STRING: AbiType = { t: 'string', size: 8, align: 4, flat: 2 };\n`);
  out.push(...prims, ...shared, '\n', ...trees);
  return out.join('');
}

export async function run() {
  writeFileSync(OUTPUT, generate());
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
