// host/dial.ts: dial strings and http+unix URLs (examples and seeded
// property round trips), and dial() against real listeners.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  createDatagramSocket, type DatagramSocket, formatAddress, listen, listenSeqpacket, parseAddress, type SeqpacketSocket,
  type SocketAddress, type UnixSocket,
} from '../../host/index.js';
import { dial, formatDial, formatUnixUrl, parseDial, parseUnixUrl, type SocketType } from '../../host/dial.js';
import { canonical, randomAddress } from '../_helpers/addresses.js';
import { assertDescriptorsAsBefore, descriptorBaseline } from '../_helpers/descriptors.js';
import { Random, SEED } from '../_helpers/random.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { event, readAll, within } from '../_helpers/wait.js';

const tmp = makeTempDir('us-d');
const at = tmp.at;
const TYPES: SocketType[] = ['stream', 'datagram', 'seqpacket'];

async function expectCode(p: Promise<unknown> | (() => unknown), code: string, reason?: string): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    assert.is((err as { code: string }).code, code, String(err));
    if (reason !== undefined) assert.is((err as { reason: string }).reason, reason, String(err));
    return;
  }
  assert.unreachable(`expected ${code}`);
}

/** Paths built from the pieces that make the grammar ambiguous. */
function trickyPath(r: Random): SocketAddress {
  const pieces = ['unixgram:', 'unixpacket:', 'unix:', 'unix-abstract:', '//', '/', '@', '%', '%2F', '%zz', 'a', ':', '\\', ' ', '\u00e9', '?', '#'];
  let s = '';
  for (let n = r.int(1, 6); n > 0; n--) s += r.pick(pieces);
  return r.int(0, 3) === 0 ? { abstract: Buffer.from(s) } : { path: s };
}

// ---

const grammar = suite('parseDial / formatDial');

grammar('should read every address form and the type prefixes', () => {
  const cases: [string, SocketType, SocketAddress][] = [
    ['/run/app.sock', 'stream', { path: '/run/app.sock' }],
    ['rel.sock', 'stream', { path: 'rel.sock' }],
    ['unix:/abs', 'stream', { path: '/abs' }],
    ['unix:rel', 'stream', { path: 'rel' }],
    ['unix:///abs', 'stream', { path: '/abs' }],
    ['unix:///var/run/docker.sock', 'stream', { path: '/var/run/docker.sock' }],
    ['unix-abstract:name', 'stream', { abstract: Buffer.from('name') }],
    ['unix-abstract:a%00b', 'stream', { abstract: Buffer.from('a\0b') }],
    ['@name\\x00v2\\\\', 'stream', { abstract: Buffer.from('name\0v2\\') }],
    ['unixgram:@log', 'datagram', { abstract: Buffer.from('log') }],
    ['unixgram:/run/log.sock', 'datagram', { path: '/run/log.sock' }],
    ['unixgram:///run/log%20x.sock', 'datagram', { path: '/run/log x.sock' }],
    ['unixpacket:rel', 'seqpacket', { path: 'rel' }],
    ['unixpacket:unix-abstract:s%2F', 'seqpacket', { abstract: Buffer.from('s/') }],
    ['unix:unixgram:x', 'stream', { path: 'unixgram:x' }],
    ['unixgram:unixgram:x', 'datagram', { path: 'unixgram:x' }],
    ['UNIXGRAM:x', 'stream', { path: 'UNIXGRAM:x' }],
    ['unix:///%FF', 'stream', { path: Buffer.from([0x2f, 0xff]) }],
  ];
  for (const [text, type, address] of cases) {
    assert.equal(parseDial(text), { type, address }, text);
    assert.equal(parseDial(formatDial(parseDial(text))), { type, address }, `round trip of ${text}`);
  }
  assert.is(parseDial('/x', { type: 'datagram' }).type, 'datagram');
  assert.is(parseDial('unixgram:/x', { type: 'datagram' }).type, 'datagram');
});

grammar('should round-trip the text forms of parseAddress and formatAddress', () => {
  for (const text of ['unix:/abs', 'unix:rel', 'unix:///abs', 'unix-abstract:name', '@name\\x00\\\\', 'unix:///var/run/docker.sock', 'unix:%40x', 'unix:///%FF%20']) {
    const a = parseAddress(text);
    assert.equal(parseAddress(formatAddress(a)), a, text);
  }
  assert.is(formatAddress(parseAddress('unix:///var/run/docker.sock')), '/var/run/docker.sock');
  assert.is(formatAddress(parseAddress('unix-abstract:grpc')), '@grpc');
});

grammar('should write the plainest dial string that reads back', () => {
  assert.is(formatDial({ address: '/run/a.sock' }), '/run/a.sock');
  assert.is(formatDial({ type: 'datagram', address: '\0log' }), 'unixgram:@log');
  assert.is(formatDial({ type: 'seqpacket', address: { path: '/x' } }), 'unixpacket:/x');
  assert.is(formatDial({ address: 'unixgram:x' }), 'unix:unixgram:x');
  assert.is(formatDial({ type: 'datagram', address: '//a%b' }), 'unixgram:unix:////a%25b');
});

grammar(`should round-trip 3000 random targets (seed ${SEED})`, () => {
  const r = new Random(SEED);
  for (let i = 0; i < 3000; i++) {
    let address = i % 3 === 0 ? trickyPath(r) : randomAddress(r, 'linux');
    if ('unnamed' in address) address = { abstract: Buffer.alloc(0) };
    const type = r.pick(TYPES);
    const text = formatDial({ type, address });
    assert.equal(parseDial(text), { type, address: canonical(address) }, `case ${i}: ${JSON.stringify(text)}`);
    if (type === 'stream') assert.equal(parseAddress(text), canonical(address), `case ${i}: parseAddress(${JSON.stringify(text)})`);
  }
});

grammar('should refuse bad dial strings with typed errors', async () => {
  await expectCode(() => parseDial(42 as unknown as string), 'ERR_INVALID_ARG_TYPE');
  await expectCode(() => parseDial(''), 'ERR_INVALID_ARG_VALUE', 'empty-path');
  await expectCode(() => parseDial('unixgram:'), 'ERR_INVALID_ARG_VALUE', 'empty-path');
  await expectCode(() => parseDial('unix:/a%00b'), 'ERR_INVALID_ARG_VALUE', 'contains-nul');
  await expectCode(() => parseDial('/a\0b'), 'ERR_INVALID_ARG_VALUE', 'contains-nul');
  await expectCode(() => parseDial('unixgram://host/x'), 'ERR_INVALID_ARG_VALUE', 'bad-syntax');
  await expectCode(() => parseDial('@\\x0'), 'ERR_INVALID_ARG_VALUE', 'bad-syntax');
  await expectCode(() => parseDial('/a\ud800'), 'ERR_INVALID_ARG_VALUE', 'ill-formed-utf16');
  await expectCode(() => parseDial('unixgram:/x', { type: 'stream' }), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => parseDial('/x', { type: 'raw' as SocketType }), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => formatDial({ address: { unnamed: true } }), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => formatDial({ address: 42 }), 'ERR_INVALID_ARG_TYPE');
  await expectCode(() => formatDial({ address: '\0a\udc00' }), 'ERR_INVALID_ARG_VALUE', 'ill-formed-utf16');
});

grammar.run();

// ---

const urls = suite('parseUnixUrl / formatUnixUrl');

urls('should split http+unix URLs into the socket and a plain URL', () => {
  assert.equal(parseUnixUrl('http+unix://%2Ftmp%2Fd.sock/v1.43/info'), {
    address: { path: '/tmp/d.sock' }, url: 'http://localhost/v1.43/info', path: '/v1.43/info',
  });
  assert.equal(parseUnixUrl('http+unix://%2Fvar%2Frun%2Fdocker.sock'), {
    address: { path: '/var/run/docker.sock' }, url: 'http://localhost/', path: '/',
  });
  assert.equal(parseUnixUrl('http+unix://@svc%00x/a?b=1#c').address, { abstract: Buffer.from('svc\0x') });
  assert.is(parseUnixUrl('http+unix://@svc/a?b=1#c').url, 'http://localhost/a?b=1#c');
  assert.equal(parseUnixUrl('http+unix://%00svc/').address, { abstract: Buffer.from('svc') });
  assert.equal(parseUnixUrl('http+unix://%40svc/').address, { path: '@svc' });
  assert.equal(parseUnixUrl('http+unix://rel.sock?x').address, { path: 'rel.sock' });
  assert.is(parseUnixUrl('http+unix://rel.sock?x').path, '/?x');
  assert.equal(parseUnixUrl('http+unix://%2F%FF/').address, { path: Buffer.from([0x2f, 0xff]) });
  assert.equal(parseUnixUrl(new URL('http+unix://%2Ftmp%2Fu.sock/p')).address, { path: '/tmp/u.sock' });
  assert.is(formatUnixUrl('/tmp/d.sock', '/v1.43/info'), 'http+unix://%2Ftmp%2Fd.sock/v1.43/info');
  assert.is(formatUnixUrl('\0svc'), 'http+unix://@svc/');
});

urls(`should round-trip 2000 random sockets and paths (seed ${SEED})`, () => {
  const r = new Random(SEED + 1);
  const chars = ['a', 'Z', '0', '/', '%20', '?', '=', '&', '#', '-', '.', '~'];
  for (let i = 0; i < 2000; i++) {
    let address = i % 3 === 0 ? trickyPath(r) : randomAddress(r, 'linux');
    if ('unnamed' in address) address = { abstract: Buffer.alloc(0) };
    let path = '/';
    for (let n = r.int(0, 8); n > 0; n--) path += r.pick(chars);
    const url = formatUnixUrl(address, path);
    const parsed = parseUnixUrl(url);
    assert.equal(parsed.address, canonical(address), `case ${i}: ${url}`);
    assert.is(parsed.path, path, `case ${i}: ${url}`);
    assert.is(parsed.url, `http://localhost${path}`);
  }
});

urls('should refuse malformed URLs with typed errors', async () => {
  await expectCode(() => parseUnixUrl(42 as unknown as string), 'ERR_INVALID_ARG_TYPE');
  await expectCode(() => parseUnixUrl('http://localhost/x'), 'ERR_INVALID_ARG_VALUE', 'bad-syntax');
  await expectCode(() => parseUnixUrl('https+unix://%2Fx/'), 'ERR_INVALID_ARG_VALUE', 'bad-syntax');
  await expectCode(() => parseUnixUrl('http+unix:///x'), 'ERR_INVALID_ARG_VALUE', 'empty-path');
  await expectCode(() => parseUnixUrl('http+unix://%2Fa%00b/'), 'ERR_INVALID_ARG_VALUE', 'contains-nul');
  await expectCode(() => parseUnixUrl('http+unix://%2Fa%zz/'), 'ERR_INVALID_ARG_VALUE', 'bad-syntax');
  await expectCode(() => parseUnixUrl('http+unix://%2Fa\ud800/'), 'ERR_INVALID_ARG_VALUE', 'ill-formed-utf16');
  await expectCode(() => formatUnixUrl({ unnamed: true }), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => formatUnixUrl('/x', 'no-slash'), 'ERR_INVALID_ARG_VALUE');
  await expectCode(() => formatUnixUrl(null), 'ERR_INVALID_ARG_TYPE');
});

urls.run();

// ---

const dialing = suite('dial');
dialing.after(() => tmp.remove());

dialing('should connect streams by path, unix:// URL and abstract name', async () => {
  const name = `us-dial-${process.pid}`;
  for (const [listenOn, target] of [[at('s.sock'), `unix://${at('s.sock')}`], [at('s.sock'), at('s.sock')], [`\0${name}`, `@${name}`]] as const) {
    const server = await listen(listenOn);
    server.on('connection', (s: UnixSocket) => s.pipe(s));
    const socket = await dial(target, { type: 'stream' });
    socket.end('over a dial string');
    assert.is((await readAll(socket)).toString(), 'over a dial string');
    server.close();
  }
});

dialing('should dial datagram and seqpacket sockets by prefix or by option', async () => {
  const server = createDatagramSocket({ bind: at('g.sock') });
  server.on('message', (data: Buffer, info) => void server.sendTo(Buffer.concat([Buffer.from('re: '), data]), info.address!));
  const client = await dial(`unixgram:${at('g.sock')}`, { bind: { unnamed: true } });
  const reply = event(client, 'message');
  await client.send('dgram');
  assert.is(String((await reply)[0]), 're: dgram');
  await client.close();
  const viaOption = await dial(at('g.sock'), { type: 'datagram' });
  await viaOption.send('no reply wanted');
  await viaOption.close();
  await server.close();

  const seq = await listenSeqpacket(at('q.sock'));
  seq.on('connection', (s) => s.on('message', (m: Buffer) => void s.send(m)));
  const packet = await dial(`unixpacket://${at('q.sock')}`);
  const echoed = event(packet, 'message');
  await packet.send('a record');
  assert.is(String((await echoed)[0]), 'a record');
  packet.close();
  seq.close();
});

dialing('should report the OS errors of connecting, naming the address', async () => {
  try {
    await dial(at('nothing-here.sock'));
    assert.unreachable('connected to nothing');
  } catch (err) {
    assert.is((err as { code: string }).code, 'ENOENT');
    assert.is((err as { address: string }).address, at('nothing-here.sock'));
  }
  const seq = await listenSeqpacket(at('typed.sock'));
  await expectCode(dial(at('typed.sock')), 'EPROTOTYPE');
  seq.close();
  await expectCode(dial(`unixgram:${at('typed.sock')}`), 'ENOENT');
});

dialing('should refuse bad input with typed errors, creating nothing and leaking nothing', async () => {
  const dir = makeTempDir('us-db');
  const before = await descriptorBaseline();
  const long = join(dir.path, 'x'.repeat(120));
  const bad: [unknown, unknown, string][] = [
    [long, undefined, 'ERR_INVALID_ARG_VALUE'],
    [`unixgram:${long}`, undefined, 'ERR_INVALID_ARG_VALUE'],
    [`unixpacket:@${'y'.repeat(120)}`, undefined, 'ERR_INVALID_ARG_VALUE'],
    [`unix:${dir.path}/a%00b`, undefined, 'ERR_INVALID_ARG_VALUE'],
    ['', undefined, 'ERR_INVALID_ARG_VALUE'],
    [`${dir.path}/\ud800`, undefined, 'ERR_INVALID_ARG_VALUE'],
    [42, undefined, 'ERR_INVALID_ARG_TYPE'],
    [{ path: '/x' }, undefined, 'ERR_INVALID_ARG_TYPE'],
    [`${dir.path}/ok`, { type: 'raw' }, 'ERR_INVALID_ARG_VALUE'],
    [`unixgram:${dir.path}/ok`, { type: 'stream' }, 'ERR_INVALID_ARG_VALUE'],
    [`${dir.path}/ok`, 'options', 'ERR_INVALID_ARG_TYPE'],
    [`unixgram:${dir.path}/ok`, { bind: `${dir.path}/b\0` }, 'ERR_INVALID_ARG_VALUE'],
  ];
  for (const [target, options, code] of bad) {
    await expectCode(within(dial(target as string, options as undefined), 5000), code);
  }
  assert.equal(readdirSync(dir.path), [], 'nothing created');
  await assertDescriptorsAsBefore(before, 'no descriptor leaked');
  dir.remove();
});

dialing.run();

/** Compile-time only: a dial string literal gives its exact socket type. */
export async function literalTypes(): Promise<[UnixSocket, DatagramSocket, SeqpacketSocket, DatagramSocket]> {
  return [await dial('/x'), await dial('unixgram:@x'), await dial('unixpacket:/x'), await dial('/x', { type: 'datagram' })];
}
