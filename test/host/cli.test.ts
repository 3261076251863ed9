// host/cli.ts as a user runs it: a child process, exit codes, text and JSON
// output, --help everywhere, bad ADDR at every command, demo and bench.
// Peers and data transfer: cli-interop.test.ts.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { scriptArgv } from '../_helpers/runtime.js';
import { makeTempDir } from '../_helpers/tmpdir.js';
import { plainEnv } from '../_helpers/env.js';

const CLI = fileURLToPath(new URL('../../host/cli.js', import.meta.url));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const [cmd, ...argv] = scriptArgv(CLI, ...args);
  const r = spawnSync(cmd!, argv, { encoding: 'utf8', timeout: 20000, input: '', env: plainEnv() });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** cli() without blocking, so that several can run at once. */
function cliAsync(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const [cmd, ...argv] = scriptArgv(CLI, ...args);
    const child = execFile(cmd!, argv, { encoding: 'utf8', timeout: 20000, env: plainEnv() }, (err, stdout, stderr) => {
      resolve({ status: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr });
    });
    child.stdin?.end();
  });
}

const check = suite('unixsock check');

check('should exit 0 and print a verdict per valid address', () => {
  const r = cli('check', '/tmp/app.sock', '@app\\x00x', 'unix:///var/run/docker.sock', '--platform', 'linux');
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.is(lines.length, 3);
  assert.match(lines[0]!, /^valid\s+"\/tmp\/app\.sock"\s+\(path, 13 bytes\)$/);
  assert.match(lines[1]!, /\(abstract, 5 bytes\)/);
});

check('should exit 1 and give each reason when any address is invalid', () => {
  const long = `/${'x'.repeat(120)}`;
  const r = cli('check', '/ok', long, 'unix://host/x', '');
  assert.is(r.status, 1);
  assert.match(r.stdout, /path-too-long: the path is 121 bytes; at most 108 fit in sun_path/);
  assert.match(r.stdout, /bad-syntax: the text address is malformed at byte offset 7/);
  assert.match(r.stdout, /empty-path/);
  assert.is(r.stderr, '');
});

check('should print machine-readable JSON with --json', () => {
  const r = cli('check', '--json', '--platform', 'macos', `/${'y'.repeat(104)}`, '@x');
  assert.is(r.status, 1);
  const verdicts = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.is(verdicts[0]!.valid, false);
  assert.is(verdicts[0]!.reason, 'path-too-long');
  assert.is(verdicts[0]!.length, 105);
  assert.is(verdicts[0]!.maximum, 104);
  assert.is(verdicts[1]!.reason, 'abstract-unsupported');
});

check('should answer usage errors with exit 2 and one line', () => {
  for (const args of [['check'], ['check', '--bogus', '/a'], ['frobnicate'], []]) {
    const r = cli(...args);
    assert.is(r.status, 2, args.join(' '));
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.match(cli('check', '--platform', 'plan9', '/a').stderr, /^unixsock: .*platform.*\n/);
  assert.is(cli('check', '--help').status, 0);
  assert.match(cli('--help').stdout, /check ADDR/);
});

check('should read ADDR in the dial grammar, reporting the socket type', () => {
  const r = cli('check', '--json', 'unixgram:/run/log.sock', 'unixpacket:@svc', 'unix:///var/run/docker.sock', 'unixgram://host/x');
  assert.is(r.status, 1, r.stderr);
  const v = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.equal(v.slice(0, 3).map((x) => [x.valid, x.type, x.address]), [[true, 'dgram', '/run/log.sock'], [true, 'seqpacket', '@svc'], [true, 'stream', '/var/run/docker.sock']]);
  assert.is(v[3]!.reason, 'bad-syntax');
  assert.match(cli('check', 'unixgram:/x').stdout, /\(path, dgram, 2 bytes\)/);
});

check.run();

// ---

const COMMANDS = ['check', 'listen', 'connect', 'send', 'recv', 'pair', 'serve-http', 'demo', 'bench'];

const commands = suite('unixsock <command>');

commands('should print --help for every command, with its exit status, and exit 0', () => {
  const main = cli('--help');
  for (const name of COMMANDS) {
    assert.match(main.stdout, new RegExp(`\\n  ${name}\\b`), `${name} listed`);
    const r = cli(name, '--help');
    assert.is(r.status, 0, `${name} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^Usage: unixsock ${name}`), name);
    assert.match(r.stdout, /Exit status/, `${name} documents its exit status`);
    assert.match(r.stdout, /--debug/, `${name} documents --debug`);
  }
});

commands('should refuse a bad ADDR at every command with exit 2 and one line, creating nothing', async () => {
  const dir = makeTempDir('us-cb');
  const long = join(dir.path, 'x'.repeat(120));
  const bad = [long, `unix:${dir.path}/a%00b`, '', `@${'y'.repeat(120)}`, 'unix://host/x', `${dir.path}/\ufffd`];
  const invocations: string[][] = [];
  for (const addr of bad) {
    invocations.push(
      ['listen', addr], ['listen', '--type', 'dgram', addr], ['listen', '--type', 'seqpacket', '--echo', addr],
      ['connect', addr], ['connect', '--type', 'dgram', addr], ['send', addr, 'message'], ['recv', addr],
      ['serve-http', addr, dir.path],
    );
  }
  // Wrong types: a type the command cannot use, or none that exists.
  invocations.push(
    ['listen', '--type', 'raw', `${dir.path}/a.sock`], ['send', `unixpacket:${dir.path}/a.sock`, 'm'],
    ['recv', '--type', 'stream', `${dir.path}/a.sock`], ['serve-http', `unixgram:${dir.path}/a.sock`],
    ['connect', '--type', 'stream', `unixgram:${dir.path}/a.sock`], ['listen', '--mode', '999', `${dir.path}/a.sock`],
    ['recv', '--count', 'many', `${dir.path}/a.sock`], ['pair'], ['pair', '--type', 'raw', '--', 'true'],
    ['serve-http', `${dir.path}/a.sock`, `${dir.path}/no-such-dir`],
  );
  for (let i = 0; i < invocations.length; i += 4) {
    const batch = invocations.slice(i, i + 4);
    const results = await Promise.all(batch.map((args) => cliAsync(...args)));
    results.forEach((r, j) => {
      assert.is(r.status, 2, `${JSON.stringify(batch[j])}: ${r.stderr}`);
      assert.match(r.stderr, /^unixsock: [^\n]+\n$/, `one line for ${JSON.stringify(batch[j])}`);
    });
  }
  assert.equal(readdirSync(dir.path), [], 'nothing created');
  dir.remove();
});

commands('should refuse ADDR bytes that are not UTF-8 (argv turns them into U+FFFD)', () => {
  const dir = makeTempDir('us-cu');
  for (const command of ['listen', 'connect', 'recv']) {
    const r = spawnSync('sh', ['-c', `exec "$@" ${command} "$(printf '%s/a\\377b' "$0")"`, dir.path, ...scriptArgv(CLI)], { encoding: 'utf8', timeout: 20000 });
    assert.is(r.status, 2, r.stderr);
    assert.match(r.stderr, /U\+FFFD.*%NN/);
  }
  assert.equal(readdirSync(dir.path), []);
  const check = spawnSync('sh', ['-c', `exec "$0" "$@" check "$(printf '/a\\377b')"`, ...scriptArgv(CLI)], { encoding: 'utf8' });
  assert.is(check.status, 1);
  assert.match(check.stdout, /replacement-character/);
  dir.remove();
});

commands('should give one line per failure, and a stack trace only with --debug', () => {
  const dir = makeTempDir('us-cf');
  const missing = join(dir.path, 'missing.sock');
  const r = cli('connect', missing);
  assert.is(r.status, 1);
  assert.is(r.stderr, `unixsock: connect ENOENT ${missing} (no such file or directory)\n`);
  const d = cli('connect', '--debug', missing);
  assert.is(d.status, 1);
  assert.match(d.stderr, /^unixsock: connect ENOENT[^\n]*\n[\s\S]*\n\s+at /);
  assert.is(cli('send', missing, 'x').status, 1);
  dir.remove();
});

commands.run();

// ---

const demo = suite('unixsock demo / bench');

demo('should run the demo on its embedded default, clean up and exit 0', () => {
  const r = cli('demo');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /sent "ping", got "pong: ping"/);
  assert.match(r.stdout, new RegExp(`peer as pid \\d+, uid ${process.getuid!()}, gid ${process.getgid!()}`));
  assert.match(r.stdout, /arrived as fd \d+, which reads "a file passed by descriptor"/);
  assert.match(r.stdout, /GET \/info -> 200/);
  assert.match(r.stdout, /@my-service\s+valid \(abstract, 10 bytes\)/);
  assert.match(r.stdout, /invalid: path-too-long/);
  assert.match(r.stdout, /invalid: contains-nul/);
  const dir = /in (\S+) \(removed at the end\)/.exec(r.stdout)![1]!;
  assert.not.ok(existsSync(dir), `${dir} removed`);
  const json = cli('demo', '--json');
  assert.is(json.status, 0, json.stderr);
  const out = JSON.parse(json.stdout) as { removed: boolean; stream: { reply: string }; descriptor: { content: string }; verdicts: unknown[] };
  assert.is(out.removed, true);
  assert.is(out.stream.reply, 'pong: ping');
  assert.is(out.descriptor.content, 'a file passed by descriptor');
  assert.is(out.verdicts.length, 7);
});

demo('should run a short benchmark with progress on stderr', () => {
  const r = cli('bench', '--duration', '800', '--json');
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { results: { case: string; value: number; unit: string }[] };
  assert.is(out.results.length, 4);
  for (const x of out.results) assert.ok(x.value > 0, `${x.case}: ${x.value} ${x.unit}`);
  assert.match(r.stderr, /\[1\/4\][^\n]*\n[\s\S]*\[4\/4\]/);
  const text = cli('bench', '--duration', '400');
  assert.is(text.status, 0, text.stderr);
  assert.match(text.stdout, /round trips\/s/);
  assert.is(cli('bench', '--duration', '10').status, 2);
});

demo('should run as the package bin, the way npx runs it (executable, with a node shebang)', () => {
  const r = spawnSync(CLI, ['demo'], { encoding: 'utf8', env: plainEnv(), timeout: 60000 });
  assert.is(r.status, 0, r.stderr || String(r.error));
  assert.match(r.stdout, /cleaned up/);
});

demo.run();
