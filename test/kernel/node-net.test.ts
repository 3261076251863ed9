// What node:net itself does with AF_UNIX addresses on the Node running the
// test, as the README's comparison states it per Node version. The kernel
// is the judge: /proc/net/unix lists what a listener really bound (an
// abstract name with '@' for each NUL). Expectations follow the libuv and
// Node versions that changed them:
// - libuv < 1.48 (Node 20): an abstract name is NUL-padded to all 108 bytes
//   of sun_path; from 1.48 (libuv#4266) it is bound at its exact length.
// - inner NULs in an abstract name: EINVAL in libuv 1.48-1.50, accepted from
//   1.51 (libuv#4737); before 1.48 accepted, but padded like any name.
// - a path over 108 bytes: truncated to 108 bytes, silently, until Node 23
//   (UV_PIPE_NO_TRUNCATE, nodejs/node#52347); EINVAL from Node 23.
// Runs on Node only (the matrix runs it on 20, 22, 24 and 26).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeTempDir } from '../_helpers/tmpdir.js';

const LINUX = process.platform === 'linux';
const [uvMajor, uvMinor] = process.versions.uv!.split('.').map(Number) as [number, number];
const uvAtLeast = (minor: number): boolean => uvMajor > 1 || (uvMajor === 1 && uvMinor >= minor);
const nodeMajor = Number(process.versions.node.split('.')[0]);
const tag = `us-nn-${process.pid}`;
const tmp = makeTempDir('us-nn');
const version = `Node ${process.versions.node}, libuv ${process.versions.uv}`;

/** Names bound in this process's namespace that contain `part`, as /proc/net/unix shows them. */
function bound(part: string): string[] {
  return readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)
    .map((line) => line.trim().split(/\s+/).slice(7).join(' '))
    .filter((path) => path.includes(part));
}

/** node:net's listen: the server, or the error code. */
function listen(address: string): Promise<Server | string> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? String(err)));
    server.listen(address, () => resolve(server));
  });
}

const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

const test = suite(`node:net on AF_UNIX (${version})`);

test.after(() => tmp.remove());

test('an abstract name: padded to 108 bytes before libuv 1.48, exact from 1.48', async () => {
  if (!LINUX) return;
  const name = `${tag}-a`;
  const server = await listen(`\0${name}`);
  assert.type(server, 'object', `listen: ${String(server)}`);
  const seen = bound(name);
  await close(server as Server);
  assert.equal(seen, [uvAtLeast(48) ? `@${name}` : `@${name}`.padEnd(108, '@')], version);
});

test('inner NULs: padded before libuv 1.48, EINVAL in 1.48-1.50, exact from 1.51', async () => {
  if (!LINUX) return;
  const name = `${tag}-b`;
  const server = await listen(`\0${name}\0x`);
  if (uvAtLeast(48) && !uvAtLeast(51)) {
    assert.is(server, 'EINVAL', version);
    return;
  }
  assert.type(server, 'object', `listen: ${String(server)}`);
  const seen = bound(name);
  await close(server as Server);
  assert.equal(seen, [uvAtLeast(51) ? `@${name}@x` : `@${name}@x`.padEnd(108, '@')], version);
});

test('a 120-byte path: truncated to 108 bytes before Node 23, EINVAL from Node 23', async () => {
  const long = join(tmp.path, 'p'.repeat(120 - tmp.path.length - 1));
  assert.is(Buffer.byteLength(long), 120);
  const server = await listen(long);
  const files = readdirSync(tmp.path).map((f) => Buffer.byteLength(join(tmp.path, f)));
  if (typeof server === 'object') await close(server);
  if (nodeMajor >= 23) {
    assert.is(server, 'EINVAL', version);
    assert.equal(files, [], 'no file created');
  } else {
    assert.type(server, 'object', `listen: ${String(server)}`);
    assert.is(existsSync(long), false, 'the path asked for does not exist');
    assert.equal(files, [108], 'the file bound is the path cut to 108 bytes');
  }
});

test.run();
