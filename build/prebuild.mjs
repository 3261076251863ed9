// native/build/Release/unixsock.node -> prebuilds/<platform>-<arch>/unixsock.node,
// the addon the npm package ships (host/native.ts loads it when no source build
// is present). The addon is N-API (NAPI_VERSION=8), so one file serves every
// Node release the package supports on that platform and architecture.
// Debug symbols are stripped from the copy when `strip` is available (the
// source build keeps them for the ASan/valgrind runners and for debugging).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The source build of the addon (build/native.mjs), relative to the package root. */
export const SOURCE_ADDON = join('native', 'build', 'Release', 'unixsock.node');

/** Where the prebuilt addon for `platform`-`arch` lives, relative to the package root. */
export function prebuildPath(platform = process.platform, arch = process.arch) {
  return join('prebuilds', `${platform}-${arch}`, 'unixsock.node');
}

export async function run() {
  const from = join(root, SOURCE_ADDON);
  const to = join(root, prebuildPath());
  mkdirSync(join(to, '..'), { recursive: true });
  rmSync(to, { force: true });
  copyFileSync(from, to);
  try {
    execFileSync('strip', ['--strip-unneeded', to], { stdio: 'ignore' });
  } catch {
    // No strip (or not GNU strip): the unstripped copy works the same.
  }
}
