// The prebuilt addons the npm package ships: prebuilds/<target>/unixsock.node
// for each of TARGETS (host/native/load.ts picks one by platform, architecture and
// libc). The addon is N-API (NAPI_VERSION=8), so one file serves every Node
// release the package supports on that target.
//
//   - This machine's target (linux-x64-glibc here) is the source build
//     native/build/Release/unixsock.node, copied: the very code the test suite
//     runs against.
//   - Every other target is cross-compiled from native/ with node-gyp --arch
//     and the Debian cross toolchain `<triple>-g++` (g++-aarch64-linux-gnu), in
//     a scratch copy (native/build/prebuild/<target>), against the same Node
//     headers as the source build (never downloaded).
//
// Each copy is stripped of its symbols (`<triple>-strip --strip-unneeded`; the
// source build keeps them for the ASan/valgrind runners and for debugging).
// The compilers run with the C/C++ flag variables (CFLAGS, CXXFLAGS, CPPFLAGS,
// LDFLAGS) removed, and the output embeds no path (GNU ld's build id is a hash
// of the contents), so the same sources and toolchain give the same bytes.
//
// `npm install` (build/index.mjs, step prebuild) builds every target whose
// toolchain is here and says which it skipped. `npm run prebuilds` (this file
// with --all; not `prebuild`, which npm would run before every `npm run build`) builds the native addon and every target, and fails when a
// toolchain is missing. `--verify` rebuilds every target from a clean scratch
// copy and checks that it is byte-identical to prebuilds/ (reproducibility).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gyp, nodeGypArgs } from './native.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The source build of the addon (build/native.mjs), relative to the package root. */
export const SOURCE_ADDON = join('native', 'build', 'Release', 'unixsock.node');

/**
 * The prebuilds the npm package ships. `triple` names the GNU toolchain
 * (`<triple>-g++`, `<triple>-strip`); `gypArch` is node-gyp's --arch.
 */
export const TARGETS = [
  { platform: 'linux', arch: 'x64', libc: 'glibc', triple: 'x86_64-linux-gnu', gypArch: 'x64', debian: 'g++-x86-64-linux-gnu' },
  { platform: 'linux', arch: 'arm64', libc: 'glibc', triple: 'aarch64-linux-gnu', gypArch: 'arm64', debian: 'g++-aarch64-linux-gnu' },
];

/** A target's directory name under prebuilds/ (as host/native/load.ts spells it): linux-arm64-glibc. */
export const targetName = (target) => `${target.platform}-${target.arch}-${target.libc}`;

/** Where the prebuilt addon for `target` lives, relative to the package root. */
export const prebuildPath = (target) => join('prebuilds', targetName(target), 'unixsock.node');

let host;
/** The target this machine's source build is for (glibc Linux), or undefined. */
export function hostTarget() {
  host ??= { target: process.platform === 'linux' && process.report?.getReport().header.glibcVersionRuntime ? TARGETS.find((t) => t.platform === process.platform && t.arch === process.arch) : undefined };
  return host.target;
}

/** Whether `command` runs here. */
function have(command) {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The environment the cross toolchain of `target` builds with (no inherited flag variables). */
function crossEnv(target) {
  const env = { ...process.env };
  for (const name of ['CFLAGS', 'CXXFLAGS', 'CPPFLAGS', 'LDFLAGS', 'CC', 'CXX', 'LINK', 'AR']) delete env[name];
  return { ...env, CC: `${target.triple}-gcc`, CXX: `${target.triple}-g++`, LINK: `${target.triple}-g++`, AR: `${target.triple}-ar` };
}

/** node-gyp rebuild of a scratch copy of native/ for `target`; returns the unstripped addon's path. */
async function crossBuild(target, scratch) {
  const dir = join('native', 'build', scratch, targetName(target));
  rmSync(join(root, dir), { recursive: true, force: true });
  mkdirSync(join(root, dir), { recursive: true });
  for (const entry of ['binding.gyp', 'src']) cpSync(join(root, 'native', entry), join(root, dir, entry), { recursive: true });
  await gyp(nodeGypArgs({ dir, arch: target.gypArch }), { env: crossEnv(target) });
  return join(root, dir, 'build', 'Release', 'unixsock.node');
}

/** Copy `from` to `to`, stripped with the target's strip. */
function stripTo(target, from, to) {
  mkdirSync(join(to, '..'), { recursive: true });
  rmSync(to, { force: true });
  copyFileSync(from, to);
  execFileSync(`${target.triple}-strip`, ['--strip-unneeded', to], { stdio: 'inherit' });
}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Whether `target` can be built here: the host's source build, or its cross compiler. */
function buildable(target) {
  return target === hostTarget() ? have(`${target.triple}-strip`) : have(`${target.triple}-g++`) && have(`${target.triple}-strip`);
}

/**
 * Build every target into prebuilds/. `all`: fail when a toolchain is
 * missing (else the target is skipped with a line saying so).
 */
export async function run({ all = false } = {}) {
  // A target no longer listed (an older layout, prebuilds/linux-x64) would be packed too.
  const names = new Set(TARGETS.map(targetName));
  for (const entry of existsSync(join(root, 'prebuilds')) ? readdirSync(join(root, 'prebuilds')) : []) {
    if (!names.has(entry)) rmSync(join(root, 'prebuilds', entry), { recursive: true, force: true });
  }
  const missing = [];
  for (const target of TARGETS) {
    const to = join(root, prebuildPath(target));
    if (!buildable(target)) {
      missing.push(`${targetName(target)} (needs ${target.triple}-g++ and ${target.triple}-strip: Debian's ${target.debian})`);
      continue;
    }
    stripTo(target, target === hostTarget() ? join(root, SOURCE_ADDON) : await crossBuild(target, 'prebuild'), to);
  }
  if (missing.length > 0) {
    const message = `build: prebuild: skipped ${missing.join(', ')}`;
    if (all) throw new Error(message);
    console.log(message);
  }
}

/** Rebuild every target in a clean scratch copy; throw unless each is byte-identical to prebuilds/. */
async function verify() {
  for (const target of TARGETS) {
    const shipped = join(root, prebuildPath(target));
    const again = join(root, 'native', 'build', 'verify', `${targetName(target)}.node`);
    stripTo(target, await crossBuild(target, 'verify'), again);
    const [a, b] = [sha256(shipped), sha256(again)];
    console.log(`${targetName(target)}: ${statSync(shipped).size} bytes, sha256 ${a}${a === b ? ' (rebuilt: identical)' : ` (rebuilt: ${b}, DIFFERENT)`}`);
    if (a !== b) throw new Error(`${prebuildPath(target)} is not reproducible`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    if (process.argv.includes('--verify')) {
      await verify();
    } else {
      const { run: native } = await import('./native.mjs');
      await native();
      await run({ all: process.argv.includes('--all') });
      for (const target of TARGETS) console.log(`${prebuildPath(target)}: ${statSync(join(root, prebuildPath(target))).size} bytes, sha256 ${sha256(join(root, prebuildPath(target)))}`);
    }
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
