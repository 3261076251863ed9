// host/component/component.ts and dist/unixsock.wasm as a component: it is a valid,
// reusable component (stock `jco transpile` runs it and agrees with the thin
// Node bindings on every answer: address functions on random input, socket
// functions on one scripted run against the kernel), its jco types are
// committed without drift, and the engine's memory stays flat.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { componentWit } from '@bytecodealliance/jco-transpile/wasm-tools';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { COMPONENT_URL, sharedInstance, KIND, type Outcome, type WitAddress } from '../../host/component/component.js';
import { encodeSockaddr } from '../../host/address.js';
import { ERRNO_NAMES, errnoIndex } from '../../host/component/errno.js';
import { ADDRESS_ERRORS, problemOf } from '../../host/errors.js';
import { FILE_TYPE, native, SOCKET_OPTION, SOCKET_TYPE } from '../../host/native/native.js';
import { HOST_PLATFORM, PLATFORMS } from '../../host/component/platform.js';
import {
  type BindOptions, type WitListenOptions, type SocketFailure, type SocketOutcome, SocketsBinding, type WitSocketType,
} from '../../host/component/sockets-binding.js';
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
let instantiateJco: (imports: Record<string, unknown>) => Record<string, JcoApi>;
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
  instantiateJco = (imports) => instantiate((p: string) => new WebAssembly.Module(readFileSync(join(tmp.path, p))), imports);
  // The address exports never reach the syscalls: imports that fail loudly prove it.
  const syscalls = new Proxy({}, { get: (_t, name) => () => { throw new Error(`address called syscalls.${String(name)}`); } });
  jco = instantiateJco({ 'unixsock:ipc/types': {}, 'unixsock:ipc/syscalls': syscalls }).address as JcoApi;
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
    const mine = sharedInstance().layoutFor(i);
    assert.equal(jco.layoutFor!(p), { ...mine, platform: p });
  });
});

stock('should agree with the Node binding on 20k random calls of every function', () => {
  const r = new Random();
  const e = sharedInstance();
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

// --- The socket exports through jco: the same scripted run against the
// kernel through both bindings must log the same answers.

const ROOT = new URL('../../../', import.meta.url);
/** WIT `types.errno` case names, in WIT order (that of ERRNO_NAMES). */
const WIT_ERRNO = (() => {
  const wit = readFileSync(new URL('wit/types.wit', ROOT), 'utf8');
  const body = wit.slice(wit.indexOf('enum errno {'), wit.indexOf('\n    }', wit.indexOf('enum errno {')));
  return [...body.matchAll(/^\s+([a-z-]+),$/gm)].map((m) => m[1]!);
})();
const FILE_KINDS = Object.keys(FILE_TYPE).map((k) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
const DISPOSE = Symbol.dispose ?? Symbol.for('dispose');

/** `unixsock:ipc/syscalls` as jco calls an import: lifted values in, errors thrown as their case name. */
function jcoSyscalls(): Record<string, (...args: never[]) => unknown> {
  const check = (r: number): number => {
    if (r < 0) throw WIT_ERRNO[errnoIndex(-r)];
    return r;
  };
  const name = new Uint8Array(128);
  const identity = new BigUint64Array(3);
  const option = new Int32Array(2);
  return {
    socket: (kind: WitSocketType) => check(native.socket(SOCKET_TYPE[kind])),
    bind: (fd: number, sa: Uint8Array) => { check(native.bind(fd, sa)); },
    listen: (fd: number, backlog: number) => { check(native.listen(fd, backlog)); },
    connect: (fd: number, sa: Uint8Array) => { check(native.connect(fd, sa)); },
    accept: (fd: number) => check(native.accept(fd)),
    getSockName: (fd: number) => name.slice(0, check(native.getSockName(fd, name))),
    getPeerName: (fd: number) => name.slice(0, check(native.getPeerName(fd, name))),
    getSocketType: (fd: number) => {
      const t = check(native.getSocketOption(fd, SOCKET_OPTION.SO_TYPE, option)) === 0 ? option[0]! : 0;
      if (t === 0) throw 'socket-type-not-supported';
      return (['stream', 'datagram', 'seqpacket'] as const)[t - 1];
    },
    isListening: (fd: number) => (check(native.getSocketOption(fd, SOCKET_OPTION.SO_ACCEPTCONN, option)), option[0] !== 0),
    shutdown: (fd: number, how: string) => { check(native.shutdown(fd, ['receive', 'send', 'both'].indexOf(how))); },
    close: (fd: number) => { check(native.close(fd)); },
    pathIdentity: (path: Uint8Array) => {
      check(native.pathIdentity(path, identity));
      return { device: identity[0], inode: identity[1], kind: FILE_KINDS[Number(identity[2])] };
    },
    unlink: (path: Uint8Array) => { check(native.unlink(path)); },
    setUmask: (mask: number) => native.setUmask(mask),
    hostPlatform: () => HOST_PLATFORM,
    socketPair: (kind: WitSocketType) => {
      const pair = new Int32Array(2);
      check(native.socketPair(SOCKET_TYPE[kind], pair));
      return [pair[0], pair[1]];
    },
    send: (fd: number, data: Uint8Array, fds: Int32Array | number[], sa: Uint8Array | undefined) =>
      check(native.sendMessage(fd, data, fds.length > 0 ? Int32Array.from(fds) : null, sa ?? null, false)),
    receive: (fd: number, max: number, maxFds: number) => {
      const buf = new Uint8Array(max);
      const fdsOut = new Int32Array(maxFds);
      const info = new Int32Array(8);
      check(native.receiveMessage(fd, buf, 0, max, fdsOut, name, info, false));
      return {
        data: buf.slice(0, info[0]), fds: Int32Array.from(fdsOut.subarray(0, info[2])), sockaddr: name.slice(0, info[3]),
        truncated: (info[1]! & 1) !== 0, controlTruncated: (info[1]! & 2) !== 0,
      };
    },
    peerCredentials: (fd: number) => {
      const out = new Int32Array(3);
      check(native.peerCredentials(fd, out));
      return { pid: Math.max(out[0]!, 0), uid: out[1]! >>> 0, gid: out[2]! >>> 0 };
    },
    wait: (fd: number, events: { readable?: boolean; writable?: boolean; hangUp?: boolean }, timeoutMs: number) => {
      const r = check(native.wait(fd, (events.readable ? 1 : 0) | (events.writable ? 2 : 0) | (events.hangUp ? 4 : 0), timeoutMs));
      return { readable: (r & 1) !== 0, writable: (r & 2) !== 0, hangUp: (r & 4) !== 0 };
    },
    realPath: (path: Uint8Array) => {
      const out = new Uint8Array(4096);
      return out.slice(0, check(native.realPath(path, out)));
    },
  };
}

type Jco = { tag: string; val?: any };
const fromJcoAddress = (a: Jco): WitAddress => ({ kind: CASES.indexOf(a.tag as never) as WitAddress['kind'], value: a.val });

function fromJcoFailure(p: Jco): SocketFailure {
  if (p.tag === 'invalid-state') return { kind: 'invalid-state' };
  if (p.tag === 'policy-denied') return { kind: 'policy-denied', permission: p.val };
  if (p.tag === 'os') {
    return { kind: 'os', condition: p.val.code, errno: ERRNO_NAMES[WIT_ERRNO.indexOf(p.val.errno)]!, operation: p.val.operation };
  }
  const v = p.val.val;
  const failure = { tag: ADDRESS_ERRORS.indexOf(p.val.tag), a: typeof v === 'number' ? v : v?.length ?? 0, b: v?.maximum ?? 0 };
  return { kind: 'invalid-address', problem: problemOf(failure) };
}

/** What the scripted run calls. */
type SocketsApi = Pick<SocketsBinding,
  | 'listen' | 'accept' | 'listenerAddress' | 'closeListener' | 'dropListener'
  | 'connect' | 'localAddress' | 'remoteAddress' | 'shutdown' | 'closeConnection' | 'dropConnection'
  | 'bindDatagram' | 'connectDatagram' | 'datagramLocalAddress' | 'datagramRemoteAddress' | 'closeDatagram' | 'dropDatagram'
  | 'datagramDescriptor' | 'adopt' | 'socketPair' | 'send' | 'receive' | 'waitConnection' | 'peerCredentials'
  | 'sendTo' | 'receiveDatagram' | 'attach' | 'detach' | 'dropAttachment'>;

/** The jco instance behind SocketsApi: a handle indexes `objects`. */
function jcoSockets(root: Record<string, JcoApi>): SocketsApi {
  const objects: any[] = [undefined];
  const own = (o: unknown): number => objects.push(o) - 1;
  const toJcoOrNone = (a: WitAddress | undefined) => (a === undefined ? undefined : toJco(a));
  const { Listener, Connection, Datagram } = root.sockets as Record<string, any>;
  const close = (h: number) => objects[h].close();
  const drop = (h: number) => objects[h][DISPOSE]();
  const local = (h: number) => fromJcoAddress(objects[h].localAddress());
  const remote = (h: number) => fromJcoAddress(objects[h].remoteAddress());
  const calls: Record<keyof SocketsApi, (...args: any[]) => unknown> = {
    listen: (a, o) => own(Listener.listen(toJco(a), o)),
    accept: (l) => { const c = objects[l].accept(); return c === undefined ? 0 : own(c); },
    listenerAddress: local,
    closeListener: close,
    dropListener: drop,
    connect: (a, type) => own(Connection.connect(toJco(a), type)),
    localAddress: local,
    remoteAddress: remote,
    shutdown: (c, how) => objects[c].shutdown(['receive', 'send', 'both'][how]),
    closeConnection: close,
    dropConnection: drop,
    bindDatagram: (a, o) => own(Datagram.bind(toJcoOrNone(a), o)),
    connectDatagram: (d, a) => objects[d].connect(toJco(a)),
    datagramLocalAddress: local,
    datagramRemoteAddress: remote,
    closeDatagram: close,
    dropDatagram: drop,
    datagramDescriptor: (d) => root.descriptors!.datagramDescriptor!(objects[d]),
    adopt: (fd) => {
      const { tag, val } = (root.descriptors as Record<string, any>).adopt(fd);
      return { kind: tag, handle: own(val) };
    },
    socketPair: (type) => (root.sockets as Record<string, any>).socketPair(type).map(own),
    send: (c, data, atts: number[]) => objects[c].send(data, atts.map((h) => objects[h])),
    receive: (c, max) => message(objects[c].receive(max)),
    waitConnection: (c, events) => {
      const r = objects[c].wait({ readable: (events & 1) !== 0, writable: (events & 2) !== 0, hangUp: (events & 4) !== 0 }, 1000);
      return (r.readable ? 1 : 0) | (r.writable ? 2 : 0) | (r.hangUp ? 4 : 0);
    },
    peerCredentials: (c) => objects[c].peerCredentials(),
    sendTo: (d, data, to, atts: number[]) => objects[d].sendTo(data, toJcoOrNone(to), atts.map((h) => objects[h])),
    receiveDatagram: (d, max) => message(objects[d].receive(max)),
    attach: (fd) => own(root.descriptors!.attach!(fd)),
    detach: (h) => root.descriptors!.detach!(objects[h]),
    dropAttachment: drop,
  };
  const message = (m: any) => ({
    data: Buffer.from(m.data), sender: fromJcoAddress(m.sender), attachments: m.attachments.map(own),
    truncated: m.truncated, attachmentsDropped: m.attachmentsDropped,
  });
  const plain = new Set(['dropListener', 'dropConnection', 'dropDatagram', 'datagramDescriptor', 'attach', 'detach', 'dropAttachment']);
  return new Proxy({} as SocketsApi, {
    get: (_t, method: keyof SocketsApi) => (...args: unknown[]) => {
      if (plain.has(method)) return calls[method](...args);
      try {
        return { ok: true, value: calls[method](...args) };
      } catch (err) {
        const payload = (err as { payload?: Jco }).payload;
        if (payload === undefined) throw err;
        return { ok: false, failure: fromJcoFailure(payload) };
      }
    },
  });
}

let passedFile = -1;
/** A regular file's descriptor to pass around (opened once). */
function file2(): number {
  if (passedFile < 0) passedFile = openSync(join(tmp.path, 'passed'), 'w');
  return passedFile;
}

/** One run through every socket function, against the kernel; returns what each call answered. */
function socketScript(b: SocketsApi, dir: string): string[] {
  const log: string[] = [];
  const note = <T>(label: string, out: SocketOutcome<T>, shown: (v: T) => unknown = (v) => v): T | undefined => {
    log.push(`${label} ${show(out.ok ? { ok: shown(out.value) } : { err: out.failure })}`);
    return out.ok ? out.value : undefined;
  };
  const handle = (h: number) => (h > 0 ? 'handle' : h);
  const at = (name: string): WitAddress => ({ kind: KIND.path, value: join(dir, name) });
  const abstract: WitAddress = { kind: KIND.abstract, value: Buffer.from(`us-jco-${process.pid}\0x`) };
  const OPTIONS: BindOptions = { mode: 0o600, unlinkOnClose: true, recoverStale: true, workingDirectory: dir };
  const listen = (type: WitSocketType, backlog = 8): WitListenOptions => ({ ...OPTIONS, socketType: type, backlog });
  const addresses: WitAddress[] = [
    at('d.sock'), { kind: KIND.pathBytes, value: Buffer.concat([Buffer.from(`${dir}/`), Buffer.from([0xff, 0x61])]) },
    abstract,
    at('x'.repeat(120)), at('a\0b'), { kind: KIND.path, value: '' }, { kind: KIND.abstract, value: Buffer.alloc(108) },
  ];
  // Datagram sockets: bind every kind of address, set a peer, close.
  const server = note('bind', b.bindDatagram(at('server.sock'), OPTIONS), handle)!;
  log.push(`mode ${(statSync(join(dir, 'server.sock')).mode & 0o777).toString(8)}`);
  for (const a of [...addresses, undefined]) {
    const d = note(`bind ${show(a)}`, b.bindDatagram(a, { ...OPTIONS, mode: undefined }), handle);
    if (d === undefined) continue;
    note('local', b.datagramLocalAddress(d));
    note('connect', b.connectDatagram(d, at('server.sock')));
    note('remote', b.datagramRemoteAddress(d));
    note('close', b.closeDatagram(d));
    note('close again', b.closeDatagram(d));
    b.dropDatagram(d);
  }
  const auto = note('autobind', b.bindDatagram({ kind: KIND.unnamed, value: undefined }, OPTIONS), handle)!;
  note('autobound', b.datagramLocalAddress(auto), (a) => [a.kind, (a.value as Uint8Array).length]);
  b.dropDatagram(auto);
  log.push(`descriptor ${b.datagramDescriptor(server) >= 0}`);
  note('bind over a live socket', b.bindDatagram(at('server.sock'), OPTIONS));
  note('connect to nothing', b.connectDatagram(server, at('missing.sock')));
  // Listeners and connections of each type, and the mismatches.
  for (const type of ['stream', 'seqpacket', 'datagram'] as const) {
    const l = note(`listen ${type}`, b.listen(at(`${type}.sock`), listen(type)), handle);
    note(`listen ${type} over a live datagram socket`, b.listen(at('server.sock'), listen(type)));
    for (const peer of ['stream', 'seqpacket', 'datagram'] as const) {
      const c = note(`connect ${peer} to ${type}`, b.connect(at(`${type}.sock`), peer), handle);
      if (c === undefined) continue;
      const a = note('accept', b.accept(l!), handle)!;
      note('local', b.localAddress(c));
      note('remote', b.remoteAddress(c));
      note('accepted local', b.localAddress(a));
      note('shutdown', b.shutdown(c, 1));
      note('close', b.closeConnection(c));
      b.dropConnection(c);
      b.dropConnection(a);
    }
    note('connect datagram', b.connectDatagram(server, at(`${type}.sock`)));
    if (l === undefined) continue;
    note('accept none', b.accept(l), handle);
    note('listener address', b.listenerAddress(l));
    note('close', b.closeListener(l));
    note('close again', b.closeListener(l));
    b.dropListener(l);
  }
  note('close server', b.closeDatagram(server));
  b.dropDatagram(server);
  // Adopting descriptors from elsewhere: each kind, and what is no Unix socket.
  const pair = new Int32Array(2);
  for (const type of ['stream', 'seqpacket', 'datagram'] as const) {
    native.socketPair(SOCKET_TYPE[type], pair);
    native.close(pair[1]!);
    const adopted = note(`adopt a ${type} end`, b.adopt(pair[0]!), (v) => v.kind);
    if (adopted === undefined) continue;
    if (type === 'datagram') {
      note('adopted local', b.datagramLocalAddress(adopted.handle));
      note('close', b.closeDatagram(adopted.handle));
      b.dropDatagram(adopted.handle);
    } else {
      note('adopted local', b.localAddress(adopted.handle));
      note('close', b.closeConnection(adopted.handle));
      b.dropConnection(adopted.handle);
    }
  }
  const raw = native.socket(SOCKET_TYPE.seqpacket);
  native.bind(raw, encodeSockaddr(join(dir, 'raw.sock')));
  native.listen(raw, 4);
  const rawListener = note('adopt a seqpacket listener', b.adopt(raw), (v) => v.kind);
  if (rawListener !== undefined) {
    note('adopted listener address', b.listenerAddress(rawListener.handle));
    note('close', b.closeListener(rawListener.handle));
    b.dropListener(rawListener.handle);
  }
  log.push(`raw.sock left in place ${existsSync(join(dir, 'raw.sock'))}`);
  rmSync(join(dir, 'raw.sock'));
  const file = openSync(join(dir, 'plain'), 'w');
  note('adopt a regular file', b.adopt(file));
  closeSync(file);
  note('adopt a closed descriptor', b.adopt(file));
  // Data through the engine (the plugin path): pairs, bytes, descriptors, readiness, credentials.
  for (const type of ['stream', 'seqpacket', 'datagram'] as const) {
    const pairOut = note(`socket-pair ${type}`, b.socketPair(type), (v) => v.map(handle));
    if (pairOut === undefined) continue;
    const [x, y] = pairOut;
    note('receive nothing', b.receive(y, 16));
    note('wait writable', b.waitConnection(x, 2, 1000));
    note('send', b.send(x, Buffer.from('hello'), []));
    note('wait readable', b.waitConnection(y, 1, 1000));
    note('receive', b.receive(y, 3), (m) => ({ ...m, data: m.data.toString() }));
    const passed = b.attach(native.duplicate(file2()));
    note('send with a descriptor', b.send(x, Buffer.from('!'), [passed]));
    b.dropAttachment(passed);
    const got = note('receive a descriptor', b.receive(y, 16), (m) => ({ ...m, attachments: m.attachments.length }));
    for (const h of got?.attachments ?? []) native.close(b.detach(h));
    note('credentials', b.peerCredentials(y), (c) => c.pid === process.pid);
    note('close', b.closeConnection(x));
    note('receive at end', b.receive(y, 16));
    note('send on closed', b.send(x, Buffer.from('x'), []));
    b.dropConnection(x);
    b.dropConnection(y);
  }
  const rx = note('bind receiver', b.bindDatagram(at('rx.sock'), OPTIONS), handle)!;
  const tx = note('bind sender', b.bindDatagram(at('tx.sock'), OPTIONS), handle)!;
  note('send-to', b.sendTo(tx, Buffer.alloc(40, 7), at('rx.sock'), []));
  note('receive truncated', b.receiveDatagram(rx, 10), (m) => ({ ...m, data: m.data.length }));
  note('send-to nowhere', b.sendTo(tx, Buffer.from('x'), at('none.sock'), []));
  note('send-to without a peer', b.sendTo(tx, Buffer.from('x'), undefined, []));
  b.dropDatagram(rx);
  b.dropDatagram(tx);
  return log;
}

stock('should agree with the Node binding on every socket function, against the kernel', () => {
  const dir = join(tmp.path, 'sockets');
  mkdirSync(dir);
  const root = instantiateJco({ 'unixsock:ipc/types': {}, 'unixsock:ipc/syscalls': jcoSyscalls() });
  const mine = socketScript(new SocketsBinding(sharedInstance()), dir);
  const theirs = socketScript(jcoSockets(root), dir);
  assert.ok(mine.length > 60, `${mine.length} answers`);
  const adoptions = mine.filter((line) => line.startsWith('adopt '));
  assert.ok(adoptions.some((l) => l.includes('seqpacket-listener')) && adoptions.some((l) => l.includes('ENOTSOCK')), adoptions.join('\n'));
  assert.equal(theirs, mine);
});

stock('should commit host/component/generated exactly as jco generates it', async () => {
  const expected = (await generatedTypes(bytes)) as Record<string, string>;
  for (const [name, text] of Object.entries(expected)) {
    const committed = readFileSync(new URL(name, GENERATED), 'utf8');
    assert.is(committed, text, `host/component/generated/${name} drifted: run \`npm run types\``);
  }
});

stock.run();

// ---

const memory = suite('engine memory');

memory('should not grow over 1M validate calls and 100k of every other call', () => {
  const e = sharedInstance();
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

memory('should not grow over 20k runs of every socket function', () => {
  const b = new SocketsBinding(sharedInstance());
  const dir = makeTempDir('us-m');
  const at = (name: string): WitAddress => ({ kind: KIND.path, value: join(dir.path, name) });
  const o: WitListenOptions = { socketType: 'stream', backlog: 4, mode: 0o600, unlinkOnClose: true, recoverStale: true, workingDirectory: dir.path };
  const value = (out: SocketOutcome<number>): number => (out as { value: number }).value;
  const round = (): void => {
    const l = value(b.listen(at('l.sock'), o));
    const c = value(b.connect(at('l.sock'), 'stream'));
    const a = value(b.accept(l));
    b.connect(at('l.sock'), 'seqpacket'); // EPROTOTYPE: an error answer
    const d = value(b.bindDatagram(at('d.sock'), o));
    const e = value(b.bindDatagram(undefined, o));
    b.connectDatagram(e, at('d.sock'));
    b.connectDatagram(e, { kind: KIND.path, value: '' });
    for (const x of [b.listenerAddress(l), b.localAddress(c), b.remoteAddress(c), b.localAddress(a)]) assert.ok(x.ok);
    for (const x of [b.datagramLocalAddress(d), b.datagramRemoteAddress(e), b.datagramRemoteAddress(d)]) void x;
    b.closeListener(l);
    for (const h of [c, a]) b.dropConnection(h);
    for (const h of [l]) b.dropListener(h);
    for (const h of [d, e]) b.dropDatagram(h);
  };
  for (let i = 0; i < 100; i++) round();
  const before = sharedInstance().memorySize;
  for (let i = 0; i < 20_000; i++) round();
  assert.is(sharedInstance().memorySize, before);
  dir.remove();
});

memory.run();
