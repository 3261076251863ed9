// The package's `install` script, in the repository and in an installed package.
//
// In the repository (assembly/ is present: the sources the npm package does not
// ship), it builds everything, as `npm run build` (build/index.mjs).
//
// In an installed package (npm install unixsock, or a packed tarball) the built
// artifacts ship in the tarball: dist/host (JS + .d.ts), dist/unixsock.wasm and
// prebuilds/<platform>-<arch>/unixsock.node. When the addon loads, there is
// nothing to do and no compiler is needed. Otherwise (no prebuild for this
// platform, or one that does not load here) it compiles native/ with node-gyp
// (npm's own, from npm_config_node_gyp, or an installed one) and checks again.
// npm may skip this script entirely (--ignore-scripts, an allowScripts policy):
// the prebuild is what makes an install work, this is only the fallback.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

if (existsSync(join(root, 'assembly'))) {
  await import('./index.mjs');
} else {
  await installed();
}

/** The addon's load error, or undefined when host/native.ts loads it. */
async function addonError() {
  try {
    await import(pathToFileURL(join(root, 'dist', 'host', 'native.js')).href);
    return undefined;
  } catch (err) {
    return err;
  }
}

async function installed() {
  for (const file of [join('dist', 'host', 'index.js'), join('dist', 'unixsock.wasm')]) {
    if (!existsSync(join(root, file))) {
      console.error(`unixsock: install: ${file} is missing; this package was packed without building (npm run build)`);
      process.exit(1);
    }
  }
  const before = await addonError();
  if (before === undefined) {
    console.log(`unixsock: prebuilt addon for ${process.platform}-${process.arch} loads; nothing to build`);
    return;
  }
  console.log(`unixsock: no prebuilt addon loads on ${process.platform}-${process.arch}; building native/ from source`);
  const { run } = await import('./native.mjs');
  try {
    await run({ installed: true });
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
  // A fresh process: this one may have failed to load the addon already.
  const { execFileSync } = await import('node:child_process');
  try {
    execFileSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(join(root, 'dist', 'host', 'native.js')).href)})`], { stdio: 'inherit' });
  } catch {
    console.error('unixsock: install: the addon built from source does not load');
    process.exit(1);
  }
}
