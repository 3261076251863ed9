// native/ -> native/build/Release/unixsock.node with the local node-gyp.
// Offline by design: the headers of the running Node (<prefix>/include/node)
// are passed as --nodedir, so node-gyp never downloads anything. Quiet on
// success; on failure prints node-gyp's output and throws.
// `run({ installed: true })` is build/install.mjs's fallback in an installed
// package: node-gyp may be npm's own (npm_config_node_gyp) and may fetch the
// headers as it does for any addon when the running Node has none.
// `gyp(args, { cwd, env })` runs node-gyp with other arguments (build/prebuild.mjs
// cross-compiles with nodeGypArgs({ dir, arch }) and a cross toolchain's env).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

const root = fileURLToPath(new URL('..', import.meta.url));

export async function run({ installed = false } = {}) {
  await gyp(nodeGypArgs({ installed }));
}

/** `node <args>` (node-gyp's, from nodeGypArgs) in `cwd`; prints its output and throws when it fails. */
export async function gyp(args, { cwd = root, env = process.env } = {}) {
  const { code, stdout, stderr } = await new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, out, err) => {
      resolve({ code: error ? (error.code ?? 1) : 0, stdout: out, stderr: err });
    });
  });
  if (code !== 0) {
    process.stdout.write(stdout);
    process.stderr.write(stderr);
    throw new Error(`build: native: node-gyp rebuild failed (exit ${code})`);
  }
}

/**
 * `node` arguments for `node-gyp rebuild` of `dir` (native/, relative to the
 * package root, where it runs), with the running Node's headers as --nodedir;
 * throws when there are none and node-gyp would have to download them (unless
 * installed). `arch` (node-gyp's --arch, e.g. arm64) cross-compiles against
 * the same headers: the addon uses only N-API, whose headers are the same on
 * every architecture.
 */
export function nodeGypArgs({ installed = false, dir = 'native', arch } = {}) {
  const prefix = dirname(dirname(process.execPath));
  const args = [nodeGypScript(installed), 'rebuild', '-C', dir, '--jobs=2'];
  if (arch !== undefined) args.push(`--arch=${arch}`);
  if (existsSync(join(prefix, 'include', 'node', 'node.h'))) {
    args.push(`--nodedir=${prefix}`);
  } else if (!process.env.npm_config_nodedir && !installed) {
    throw new Error(
      `build: native: no Node headers at ${join(prefix, 'include', 'node')}; ` +
        'set npm_config_nodedir to a Node source/headers directory (node-gyp must not download them)',
    );
  }
  return args;
}

/** The node-gyp entry script: the pinned devDependency, else (installed) npm's own. */
function nodeGypScript(installed) {
  try {
    return join(dirname(require.resolve('node-gyp/package.json')), 'bin', 'node-gyp.js');
  } catch (err) {
    if (installed && process.env.npm_config_node_gyp) return process.env.npm_config_node_gyp;
    throw new Error(`build: native: node-gyp is not installed${installed ? ' and npm did not name its own (npm_config_node_gyp)' : ''}: ${err.message.split('\n')[0]}`);
  }
}
