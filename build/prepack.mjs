// `npm pack` / `npm publish` (prepack): refuse to pack a package that would not
// work when installed. The `prepack` script compiles host/ first (build/index.mjs
// --ts, incremental: a few seconds); this checks that the rest of what the
// tarball ships is built: dist/unixsock.wasm and the prebuilt addon for this
// platform, not older than the source build it is copied from (build/prebuild.mjs).
// It builds neither: `npm run build` does.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prebuildPath, SOURCE_ADDON as source } from './prebuild.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const mtime = (file) => statSync(join(root, file)).mtimeMs;

const problems = [];
const shipped = [join('dist', 'host', 'index.js'), join('dist', 'host', 'index.d.ts'), join('dist', 'host', 'cli.js'), join('dist', 'unixsock.wasm'), prebuildPath()];
for (const file of shipped) if (!existsSync(join(root, file))) problems.push(`${file} is missing`);
if (problems.length === 0) {
  if (existsSync(join(root, source)) && mtime(prebuildPath()) < mtime(source)) problems.push(`${prebuildPath()} is older than ${source}`);
}
if (problems.length > 0) {
  console.error(`prepack: ${problems.join('; ')}. Run npm run build first.`);
  process.exit(1);
}
