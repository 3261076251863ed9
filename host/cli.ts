#!/usr/bin/env node
// The `unixsock` command line. Exit codes: 0 success, 1 a verdict or
// operation failed, 2 usage error. One line per error; stack traces only
// with --debug.
import { parseArgs } from 'node:util';
import { formatAddress, parseAddress, type SocketAddress, validateAddress } from './address.js';
import { type AddressProblem, describeProblem, UnixsockAddressError } from './errors.js';
import type { Platform } from './platform.js';

const USAGE = `Usage: unixsock <command> [options]

Commands:
  check ADDR...     Say whether each address is valid for a Unix socket, and why not.

Run 'unixsock <command> --help' for a command's options.
Addresses: /abs/path, rel/path, @abstract (\\xNN escapes), unix:/path,
unix:///path, unix-abstract:name (%NN escapes).
`;

const CHECK_USAGE = `Usage: unixsock check [--json] [--platform P] [--portable] [--relative R] ADDR...

Checks each address against the kernel's rules without touching the filesystem
and prints one verdict per line. Exit status: 0 if every address is valid,
1 if any is not, 2 on a usage error.

Options:
  --json             Print a JSON array of verdicts instead of text.
  --platform P       Judge for another OS: linux, macos, freebsd, openbsd, netbsd, windows.
  --portable         Apply the cross-platform rule (path <= 103 bytes, no abstract names).
  --relative R       Relative paths: allow (default), absolute-must-fit, reject.
  -h, --help         Show this help.
`;

class UsageError extends Error {}

interface Verdict {
  input: string;
  valid: boolean;
  address?: string;
  kind?: 'path' | 'abstract' | 'unnamed';
  bytes?: number;
  reason?: string;
  message?: string;
  [detail: string]: unknown;
}

function kindOf(a: SocketAddress): 'path' | 'abstract' | 'unnamed' {
  return 'path' in a ? 'path' : 'abstract' in a ? 'abstract' : 'unnamed';
}

function byteLength(a: SocketAddress): number {
  if ('path' in a) return typeof a.path === 'string' ? Buffer.byteLength(a.path) : a.path.length;
  return 'abstract' in a ? a.abstract.length : 0;
}

function check(args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      platform: { type: 'string' },
      portable: { type: 'boolean' },
      relative: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      debug: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(CHECK_USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('check needs at least one ADDR');
  const options = {
    ...(values.platform !== undefined && { platform: values.platform as Platform }),
    ...(values.portable !== undefined && { portable: values.portable }),
    ...(values.relative !== undefined && { relativePaths: values.relative as 'allow' }),
  };
  const verdicts: Verdict[] = positionals.map((input) => {
    let parsed: SocketAddress;
    try {
      parsed = parseAddress(input);
    } catch (err) {
      if (!(err instanceof UnixsockAddressError)) throw err;
      const problem = { ...err } as unknown as AddressProblem;
      return { input, valid: false, ...problem, message: describeProblem(problem) };
    }
    const v = validateAddress(parsed, options);
    if (v.ok) {
      return { input, valid: true, address: formatAddress(v.address), kind: kindOf(v.address), bytes: byteLength(v.address) };
    }
    const { ok: _ok, message: _m, ...problem } = v;
    return {
      input, valid: false, address: formatAddress(parsed), kind: kindOf(parsed),
      ...problem, message: describeProblem(problem as AddressProblem),
    };
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(verdicts, null, 2)}\n`);
  } else {
    for (const v of verdicts) {
      const detail = v.valid ? `${v.kind}, ${v.bytes} bytes` : `${v.reason}: ${v.message}`;
      process.stdout.write(`${v.valid ? 'valid  ' : 'invalid'}  ${JSON.stringify(v.input)}  (${detail})\n`);
    }
  }
  return verdicts.every((v) => v.valid) ? 0 : 1;
}

const COMMANDS: Record<string, (args: string[]) => number> = { check };

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (run === undefined) throw new UsageError(`unknown command '${command}'`);
  return run(rest);
}

const debug = process.argv.includes('--debug');
try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`unixsock: ${(err as Error).message}\n`);
  if (usage) process.stderr.write(`Run 'unixsock --help' for usage.\n`);
  if (debug) process.stderr.write(`${(err as Error).stack}\n`);
  process.exitCode = usage ? 2 : 1;
}
