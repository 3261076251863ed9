// Which addon file loads: a source build, else the prebuilt addon for this
// platform, architecture and C library (libc.ts), with one error naming
// everything tried when none loads.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Libc } from './libc.js';
import type { NativeBinding } from './native.js';

const require = createRequire(import.meta.url);

/**
 * The prebuilds/ directories that fit a process on `platform`, `arch` with C
 * library `libc`, best first: on Linux `<platform>-<arch>-<libc>` (the package
 * ships linux-x64-glibc and linux-arm64-glibc; build/prebuild.mjs), both C
 * libraries in turn when the libc is unknown; elsewhere `<platform>-<arch>`.
 */
export function prebuildTargets(platform: string, arch: string, libc: Libc | undefined): string[] {
  if (platform !== 'linux') return [`${platform}-${arch}`];
  return libc !== undefined ? [`linux-${arch}-${libc}`] : [`linux-${arch}-glibc`, `linux-${arch}-musl`];
}

/** The package root (dist/host/native/../../..). */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Where the addon is looked for, first match wins: a source build (the
 * repository's `npm install`, the ASan runner's copy, or an installed package
 * compiled by its install script), then the prebuilt addons that fit `targets`.
 */
export function addonCandidates(targets: readonly string[], root: string = PACKAGE_ROOT): string[] {
  return [join(root, 'native', 'build', 'Release', 'unixsock.node'), ...targets.map((t) => join(root, 'prebuilds', t, 'unixsock.node'))];
}

/** The prebuilds/ directories under `root` that hold an addon (what the package ships), sorted. */
function shippedPrebuilds(root: string): string[] {
  try {
    return readdirSync(join(root, 'prebuilds')).filter((d) => existsSync(join(root, 'prebuilds', d, 'unixsock.node'))).sort();
  } catch {
    return [];
  }
}

/**
 * The first of `candidates` that exists and loads; otherwise one error that
 * names this process (`platform`, `arch`, `libc`), every file tried and why it
 * did not load, the prebuilds the package has, and how to build from source.
 */
export function loadAddon(
  candidates: readonly string[],
  { platform = process.platform, arch = process.arch, libc, root = PACKAGE_ROOT }: { platform?: string; arch?: string; libc?: Libc | undefined; root?: string } = {},
): NativeBinding {
  const failures: string[] = [];
  for (const file of candidates) {
    if (!existsSync(file)) {
      failures.push(`${file}: absent`);
      continue;
    }
    try {
      return require(file) as NativeBinding;
    } catch (err) {
      // A file that exists but does not load (an older glibc, another architecture): try the next.
      failures.push(`${file}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const shipped = shippedPrebuilds(root);
  const who = platform === 'linux' ? `${platform}-${arch} (${libc ?? 'C library unknown'})` : `${platform}-${arch}`;
  throw new Error(
    `unixsock: no native addon loads on ${who}. Tried:\n  ${failures.join('\n  ')}\n` +
      `The package has prebuilt addons for ${shipped.length > 0 ? shipped.join(', ') : 'no platform'} (prebuilds/). ` +
      "Build one from source with 'npm rebuild unixsock --foreground-scripts'; that needs a C++ compiler, make and python3 " +
      '(Debian/Ubuntu: apt-get install g++ make python3; Alpine: apk add build-base python3).',
  );
}
