// host/cli.ts as a user runs it: a child process, exit codes, text and JSON output.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const CLI = fileURLToPath(new URL('../../host/cli.js', import.meta.url));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
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

check.run();
