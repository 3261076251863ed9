// The package's `install` script, in the repository and in an installed package.
//
// In the repository (assembly/ is present: the sources the npm package does not
// ship), it builds everything, as `npm run build` (build/index.mjs).
//
// In an installed package (npm install unixsock, or a packed tarball) the built
// artifacts ship in the tarball: dist/host (JS + .d.ts), dist/unixsock.wasm and
// prebuilds/<target>/unixsock.node (linux-x64-glibc, linux-arm64-glibc). When
// the addon loads, there is nothing to do and no compiler is needed. Otherwise
// (no prebuild for this platform, architecture and C library, e.g. musl, or one
// that does not load here, e.g. an older glibc) it says what the loader tried,
// checks that the tools node-gyp needs are here (a C++ compiler, make, python3;
// a clear message and exit 1 when not), compiles native/ with node-gyp (npm's
// own, from npm_config_node_gyp, or an installed one) and checks again.
// npm may skip this script entirely (--ignore-scripts, an allowScripts policy):
// the prebuild is what makes an install work, this is only the fallback.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

if (existsSync(join(root, 'assembly'))) {
  await import('./index.mjs');
} else {
  await installed();
}

/** The addon's load error, or undefined when host/native/native.ts loads it. */
async function addonError() {
  try {
    await import(pathToFileURL(join(root, 'dist', 'host', 'native', 'native.js')).href);
    return undefined;
  } catch (err) {
    return err;
  }
}

/** Whether `command --version` runs. */
function runs(command) {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore', timeout: 10000 });
    return true;
  } catch {
    return false;
  }
}

/** The tools node-gyp needs that are not here: a C++ compiler ($CXX, c++, g++ or clang++), make, python3. */
function missingTools() {
  const missing = [];
  const compilers = [process.env.CXX, 'c++', 'g++', 'clang++'].filter(Boolean);
  if (!compilers.some(runs)) missing.push(`C++ compiler (${compilers.join(', ')})`);
  if (!runs('make')) missing.push('make');
  const python = process.env.PYTHON ?? 'python3';
  if (!runs(python)) missing.push(python);
  return missing;
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
  console.log(`${before.message}\nunixsock: building native/ from source`);
  const absent = missingTools();
  if (absent.length > 0) {
    console.error(
      `unixsock: install: cannot build from source: no ${absent.join(', no ')} here. ` +
        'Install them (Debian/Ubuntu: apt-get install g++ make python3; Alpine: apk add build-base python3) ' +
        "and run 'npm rebuild unixsock --foreground-scripts', or use a glibc Linux on x64 or arm64, which needs no compiler.",
    );
    process.exit(1);
  }
  const { run } = await import('./native.mjs');
  try {
    await run({ installed: true });
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
  // A fresh process: this one may have failed to load the addon already.
  try {
    execFileSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(join(root, 'dist', 'host', 'native', 'native.js')).href)})`], { stdio: 'inherit' });
  } catch {
    console.error('unixsock: install: the addon built from source does not load');
    process.exit(1);
  }
}
