// `npm run test:asan`: the whole test suite against the native addon built
// with AddressSanitizer and UndefinedBehaviorSanitizer (issue 7, item 6).
//
//   1. Copy the repository (without .git, node_modules, native/build) to a
//      scratch directory (default: $TMPDIR/unixsock-asan; --out=DIR), with
//      node_modules linked. host/native/load.ts loads the addon from
//      native/build/Release relative to dist/host, so the copy loads its own.
//   2. node-gyp rebuild there with -fsanitize=address,undefined (UB aborts:
//      -fno-sanitize-recover), offline as build/native.mjs.
//   3. Run test/run.mjs there with libasan preloaded into node (node itself is
//      not instrumented; the addon is). Leak detection is off: V8 and Node
//      keep allocations for the process lifetime, and LSan would list them.
//      Children inherit the preload; curl hangs under it, so it runs through
//      a wrapper that drops it.
//   4. Fail on a test failure or on any sanitizer report in the output.
//
// `--valgrind`: instead run valgrind memcheck over a representative subset
// (the native shim's message, stream-engine and syscalls tests, the
// control-message fuzzer) with the plain addon built with -g in the copy;
// errors whose stack goes through unixsock.node fail the run (V8's JIT
// makes memcheck report in V8 code too; those are counted, not judged).
//
// Options: --out=DIR, --skip-build (reuse the copy's addon), --pattern=REGEX
// (test files, as test/run.mjs takes), --valgrind.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { nodeGypArgs } from './native.mjs';
import { SOURCE_ADDON } from './prebuild.mjs';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const valgrind = args.includes('--valgrind');
const out = option('out') ?? join(tmpdir(), `unixsock-${valgrind ? 'valgrind' : 'asan'}-${process.getuid?.() ?? 0}`);

const SANITIZE = '-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1';
const ASAN_OPTIONS = 'detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=0:check_initialization_order=1';
const UBSAN_OPTIONS = 'print_stacktrace=1:halt_on_error=1';
/**
 * Test files whose tests start node children with a scrubbed environment
 * (no LD_PRELOAD): such a child cannot load the instrumented addon ("ASan
 * runtime does not come first"), so they cannot run here.
 */
const SCRUBBED_ENV = ['host/adopt', 'host/systemd'];
const DEFAULT_PATTERN = `^(?!(${SCRUBBED_ENV.join('|')})\\.test\\.js$).*\\.test\\.js$`;
const VALGRIND_SUBSET = 'native/(message|stream-engine|syscalls)\\.test\\.js$|fuzz/messages\\.test\\.js$';
/**
 * Peer tools that hang at start-up with libasan preloaded (curl does, in
 * its library constructors): they run through wrappers that drop LD_PRELOAD.
 */
const PRELOAD_FREE = ['curl'];
/** Lines a sanitizer prints when it finds something. */
const REPORT = /ERROR: AddressSanitizer|runtime error:|ERROR: UndefinedBehaviorSanitizer|SUMMARY: (Address|UndefinedBehavior)Sanitizer/;

/** Copy the repository to `out` without what is built or installed; link node_modules. */
function copyTree() {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const skip = new Set(['.git', 'node_modules', 'scratch', '.runtimes']);
  cpSync(root, out, {
    recursive: true,
    filter: (src) => {
      const rel = relative(root, src);
      if (rel === '') return true;
      const top = rel.split('/')[0];
      return !skip.has(top) && !rel.startsWith(join('native', 'build')) && !rel.startsWith(join('native', 'node_modules'));
    },
  });
  symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'), 'dir');
}

/** node-gyp rebuild in the copy, with extra compiler and linker flags. */
function buildAddon(cflags, ldflags) {
  const gypArgs = nodeGypArgs();
  const env = { ...process.env, CFLAGS: cflags, CXXFLAGS: cflags, LDFLAGS: ldflags };
  try {
    execFileSync(process.execPath, gypArgs, { cwd: out, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (err) {
    process.stdout.write(err.stdout ?? '');
    process.stderr.write(err.stderr ?? '');
    throw new Error('asan: node-gyp rebuild failed');
  }
}

/** Run `argv` in the copy with `env`; resolves with its exit code and combined output (also echoed). */
function run(argv, env) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: out, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (stream) => (chunk) => {
      stream.write(chunk);
      output += chunk;
    };
    child.stdout.on('data', keep(process.stdout));
    child.stderr.on('data', keep(process.stderr));
    child.on('close', (code, signal) => resolve({ code: code ?? 128, signal, output }));
  });
}

/** A directory of wrappers for PRELOAD_FREE tools (those installed), to put first in PATH. */
function preloadFreeBin() {
  const bin = join(out, '.preload-free-bin');
  mkdirSync(bin, { recursive: true });
  for (const tool of PRELOAD_FREE) {
    let real;
    try {
      real = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    } catch {
      continue;
    }
    writeFileSync(join(bin, tool), `#!/bin/sh\nunset LD_PRELOAD\nexec ${JSON.stringify(real)} "$@"\n`, { mode: 0o755 });
  }
  return bin;
}

async function asan() {
  const libasan = execFileSync('g++', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).trim();
  if (!existsSync(libasan)) throw new Error(`asan: g++ has no libasan.so (${libasan}); install libasan (gcc)`);
  if (!args.includes('--skip-build')) {
    copyTree();
    buildAddon(SANITIZE, '-fsanitize=address,undefined');
  }
  const sanitized = execFileSync('nm', ['-D', join(out, SOURCE_ADDON)], { encoding: 'utf8' }).includes('__asan_');
  if (!sanitized) throw new Error('asan: the addon in the copy is not instrumented');
  console.log(`asan: addon built with ${SANITIZE} in ${out}; running the suite with ${libasan} preloaded`);
  const pattern = option('pattern') ?? DEFAULT_PATTERN;
  if (option('pattern') === undefined) console.log(`asan: not run (their node children drop LD_PRELOAD): ${SCRUBBED_ENV.map((f) => `${f}.test.js`).join(', ')}`);
  const { code, output } = await run([process.execPath, 'test/run.mjs', pattern], {
    PATH: `${preloadFreeBin()}:${process.env.PATH ?? ''}`,
    LD_PRELOAD: libasan,
    ASAN_OPTIONS,
    UBSAN_OPTIONS,
    // Sanitized runs are slower: allow the suite more time.
    UNIXSOCK_TEST_TIMEOUT_MS: process.env.UNIXSOCK_TEST_TIMEOUT_MS ?? String(20 * 60 * 1000),
  });
  const reports = output.split('\n').filter((l) => REPORT.test(l));
  console.log(`asan: suite exit ${code}; ${reports.length} sanitizer report lines`);
  for (const line of reports.slice(0, 20)) console.log(`  ${line}`);
  return code === 0 && reports.length === 0 ? 0 : 1;
}

async function memcheck() {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
  } catch {
    console.log('valgrind: not installed (apt-get install valgrind); skipped');
    return 0;
  }
  if (!args.includes('--skip-build')) {
    copyTree();
    buildAddon('-g -O1 -fno-omit-frame-pointer', '');
  }
  const uvu = join(dirname(require.resolve('uvu')), '..', 'bin.js');
  const pattern = option('pattern') ?? VALGRIND_SUBSET;
  const { code, output } = await run([
    'valgrind', '--tool=memcheck', '--error-exitcode=0', '--leak-check=no', '--track-origins=no',
    '--smc-check=all-non-file', '--num-callers=30', process.execPath, uvu, 'dist/test', pattern,
  ], { UNIXSOCK_FUZZ_SECONDS: process.env.UNIXSOCK_FUZZ_SECONDS ?? '5', UNIXSOCK_TEST_TIMEOUT_MS: String(30 * 60 * 1000) });
  // An error is its header line and the stack up to the next blank ==pid== line; ours go through unixsock.node.
  const HEADER = /==\d+== (Invalid (read|write|free)|Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap)[^\n]*\n(?:==\d+== +(?:at|by) [^\n]*\n)*/g;
  const blocks = output.match(HEADER) ?? [];
  const ours = blocks.filter((b) => b.includes('unixsock.node'));
  const passed = /Passed:\s+(\d+)/.exec(output)?.[1];
  const total = /Total:\s+(\d+)/.exec(output)?.[1];
  const contexts = /ERROR SUMMARY: (\d+) errors from (\d+) contexts/.exec(output);
  console.log(`valgrind: tests ${passed}/${total} passed (exit ${code}); memcheck: ${contexts?.[1] ?? '?'} errors from ${contexts?.[2] ?? '?'} contexts, ` +
    `${blocks.length} reports printed, ${ours.length} through unixsock.node`);
  for (const b of ours.slice(0, 5)) console.log(b);
  return code === 0 && ours.length === 0 && passed !== undefined && passed === total ? 0 : 1;
}

if (process.platform !== 'linux') {
  console.log('asan: Linux only (gcc sanitizers, LD_PRELOAD); skipped');
} else {
  process.exitCode = await (valgrind ? memcheck() : asan());
}
