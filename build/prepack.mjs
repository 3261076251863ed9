// `npm pack` / `npm publish` (prepack): refuse to pack a package that would not
// work when installed. The `prepack` script compiles host/ first (build/index.mjs
// --ts, incremental: a few seconds); this checks that the rest of what the
// tarball ships is built: dist/unixsock.wasm and a prebuilt addon for every
// target (build/prebuild.mjs), none older than what it is built from (this
// machine's from the source build, the cross-compiled ones from native/'s sources).
// It builds neither: `npm run build` (or `npm run prebuilds`) does.
//
// UNIXSOCK_PACK_PARTIAL=1 packs without the cross-compiled prebuilds that are
// missing (this machine's is still required, and a stale one still refuses),
// with a warning naming them:
// for the packaging test on a machine without the cross compiler, never for a
// release.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostTarget, prebuildPath, SOURCE_ADDON as source, TARGETS, targetName } from './prebuild.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const mtime = (file) => statSync(join(root, file)).mtimeMs;
const partial = process.env.UNIXSOCK_PACK_PARTIAL === '1';

/** native/'s sources: what a cross-compiled prebuild is built from. */
const sources = [join('native', 'binding.gyp'), ...readdirSync(join(root, 'native', 'src')).map((f) => join('native', 'src', f))];
const newestSource = Math.max(...sources.map(mtime));

const problems = [];
const skipped = [];
for (const file of [join('dist', 'host', 'index.js'), join('dist', 'host', 'index.d.ts'), join('dist', 'host', 'cli.js'), join('dist', 'unixsock.wasm')]) {
  if (!existsSync(join(root, file))) problems.push(`${file} is missing`);
}
for (const target of TARGETS) {
  const file = prebuildPath(target);
  const own = target === hostTarget();
  let problem;
  if (!existsSync(join(root, file))) problem = `${file} is missing`;
  else if (own && existsSync(join(root, source)) && mtime(file) < mtime(source)) problem = `${file} is older than ${source}`;
  else if (!own && mtime(file) < newestSource) problem = `${file} is older than native/'s sources`;
  if (problem === undefined) continue;
  if (partial && !own && !existsSync(join(root, file))) skipped.push(`${targetName(target)} (${problem})`);
  else problems.push(problem);
}
if (problems.length > 0) {
  console.error(`prepack: ${problems.join('; ')}. Run npm run build (all prebuilds: npm run prebuilds) first.`);
  process.exit(1);
}
if (skipped.length > 0) console.error(`prepack: UNIXSOCK_PACK_PARTIAL=1: packing without ${skipped.join(', ')}`);
