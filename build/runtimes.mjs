// The JavaScript runtimes the suite runs on (`npm run test:runtimes`), pinned
// to exact versions, and where to find or install each binary.
//
// - node-20: the Node running this script (the machine's; the package's
//   oldest supported major). The other Nodes come from npm's
//   `node-linux-<arch>` packages, one folder each under .runtimes/.
// - bun: the devDependency pinned in package.json (node_modules/bun).
// - deno: npm `deno`, installed under .runtimes/. Its postinstall only copies
//   the binary out of `@deno/linux-<arch>-glibc`, so that package is tried too
//   (npm 11 may not run install scripts that `allowScripts` does not cover).
//
// .runtimes/ is git-ignored and reused: a binary already there that reports
// the pinned version is not installed again.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';

const ROOT = new URL('../', import.meta.url);
export const RUNTIMES_DIR = new URL('.runtimes/', ROOT);

/** Exact versions. Node 20 is whichever 20.x runs this script; Bun's pin is package.json's. */
export const NODE_VERSIONS = ['22.23.5', '24.22.3', '26.12.1'];
export const DENO_VERSION = '2.9.6';
export const BUN_VERSION = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')).devDependencies?.bun;

const ARCH = { x64: 'x64', arm64: 'arm64' }[process.arch];

/**
 * Every runtime of the matrix: `name` (what the command line selects),
 * `kind` (node, bun or deno: how to start a script), `version` (exact).
 */
export function runtimes() {
  const major = (version) => version.split('.')[0];
  const own = NODE_VERSIONS.some((v) => major(v) === major(process.versions.node))
    ? []
    : [{ name: `node-${major(process.versions.node)}`, kind: 'node', version: process.versions.node }];
  return [
    ...own,
    ...NODE_VERSIONS.map((version) => ({ name: `node-${major(version)}`, kind: 'node', version })),
    { name: 'bun', kind: 'bun', version: BUN_VERSION },
    { name: 'deno', kind: 'deno', version: DENO_VERSION },
  ];
}

/** The argv prefix that runs a JavaScript file under this runtime's binary. */
export function scriptCommand(kind, binary) {
  // Deno: -A grants what a Node program has (files, net, env, subprocesses,
  // and ffi, which loading a .node addon needs). No --unstable flag is needed.
  return kind === 'deno' ? [binary, 'run', '-A'] : [binary];
}

/** What the binary says its version is (normalised to x.y.z), or undefined when it does not run. */
export function versionOf(kind, binary) {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) return undefined;
  const text = r.stdout.trim();
  // node: "v22.23.5"; bun: "1.4.5"; deno: "deno 2.9.6 (stable, ...)\nv8 ...".
  const match = kind === 'deno' ? /^deno (\S+)/.exec(text) : /^v?(\d+\.\d+\.\d+\S*)$/.exec(text);
  return match?.[1];
}

/** Real binaries only: npm placeholders (bun's bin/bun.exe before its postinstall) are a few hundred bytes. */
const real = (paths) => paths.filter((p) => existsSync(p) && statSync(p).isFile() && statSync(p).size > 1 << 20);

/** Candidate Bun binaries under node_modules, most likely first. */
export function bunCandidates() {
  const out = [new URL('node_modules/bun/bin/bun.exe', ROOT).pathname];
  // Without the postinstall, the platform package `@oven/bun-<os>-<arch>[-musl|-baseline]` holds bin/bun.
  const os = { linux: 'linux', darwin: 'darwin', freebsd: 'freebsd', android: 'linux' }[process.platform];
  const arch = { x64: 'x64', arm64: 'aarch64' }[process.arch];
  const scope = new URL('node_modules/@oven/', ROOT);
  if (os && arch && existsSync(scope)) {
    for (const name of readdirSync(scope).sort()) {
      if (name === `bun-${os}-${arch}` || name.startsWith(`bun-${os}-${arch}-`)) out.push(new URL(`${name}/bin/bun`, scope).pathname);
    }
  }
  return real(out);
}

/** Folder of one npm-installed runtime under .runtimes/. */
const folderOf = (runtime) => new URL(`${runtime.kind}-${runtime.version}/`, RUNTIMES_DIR);

function candidates(runtime) {
  if (runtime.kind === 'bun') return bunCandidates();
  if (runtime.kind === 'node' && runtime.version === process.versions.node) return [process.execPath];
  const modules = new URL('node_modules/', folderOf(runtime));
  if (runtime.kind === 'node') return real([new URL(`node-linux-${ARCH}/bin/node`, modules).pathname]);
  return real([new URL('deno/deno', modules).pathname, new URL(`@deno/linux-${ARCH}-glibc/deno`, modules).pathname]);
}

/** The pinned binary if present: { path, version } or undefined; `seen` lists what was found instead. */
export function find(runtime) {
  const seen = [];
  for (const path of candidates(runtime)) {
    const version = versionOf(runtime.kind, path);
    if (version === runtime.version) return { path, version, seen };
    seen.push(`${path.replace(ROOT.pathname, '')} (${version ?? 'does not run'})`);
  }
  return { path: undefined, version: undefined, seen };
}

/** The npm package holding this runtime's binary. */
function packageOf(runtime) {
  return runtime.kind === 'node' ? `node-linux-${ARCH}@${runtime.version}` : `deno@${runtime.version}`;
}

/**
 * The pinned binary, installing it into .runtimes/ when it is missing.
 * Returns { path, installed: boolean } or { error }.
 */
export function ensure(runtime, log = () => {}) {
  if (process.platform !== 'linux' || ARCH === undefined) return { error: `the runtime matrix runs on Linux x64 or arm64 (this is ${process.platform} ${process.arch})` };
  let found = find(runtime);
  if (found.path) return { path: found.path, installed: false };
  if (runtime.kind === 'bun') return { error: `bun ${runtime.version} not found (${found.seen.join(', ') || 'nothing under node_modules'}); run \`npm install\`` };
  if (runtime.kind === 'node' && runtime.version === process.versions.node) return { error: 'unreachable: this Node is running' };
  const dir = folderOf(runtime);
  mkdirSync(dir, { recursive: true });
  log(`installing ${packageOf(runtime)} into ${dir.pathname.replace(ROOT.pathname, '')}`);
  const npm = spawnSync('npm', ['install', '--prefix', dir.pathname, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', packageOf(runtime)], {
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  if (npm.status !== 0) return { error: `npm install ${packageOf(runtime)} failed (${npm.status ?? npm.signal}): ${(npm.stderr || npm.stdout).trim().split('\n').slice(-3).join(' | ')}` };
  found = find(runtime);
  if (found.path) return { path: found.path, installed: true };
  return { error: `${packageOf(runtime)} installed, but no binary reports ${runtime.version}: ${found.seen.join(', ') || 'none found'}` };
}
