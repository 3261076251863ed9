// `unixsock check ADDR…`: the kernel's verdict on each address, without
// touching the filesystem.
import { formatAddress, type SocketAddress, validateAddress } from '../address.js';
import { parseDial } from '../dial.js';
import { type AddressProblem, describeProblem, UnixsockAddressError } from '../errors.js';
import type { Platform } from '../component/platform.js';
import { type Command, parseCommand, stringOption, TYPE_LABEL, UsageError } from './common.js';

const USAGE = `Usage: unixsock check [--json] [--platform P] [--portable] [--relative R] ADDR...

Checks each address against the kernel's rules without touching the filesystem
and prints one verdict per line. ADDR is in the dial grammar (see 'unixsock --help').

Options:
  --json             Print a JSON array of verdicts instead of text.
  --platform P       Judge for another OS: linux, macos, freebsd, openbsd, netbsd, windows.
  --portable         Apply the cross-platform rule (path <= 103 bytes, no abstract names).
  --relative R       Relative paths: allow (default), absolute-must-fit, reject.
  -h, --help         Show this help.
  --debug            Add stack traces to error lines.

Exit status: 0 if every address is valid, 1 if any is not, 2 on a usage error.
`;

/** A verdict of `check`, as JSON prints it. */
export interface Verdict {
  input: string;
  valid: boolean;
  address?: string;
  kind?: 'path' | 'abstract' | 'unnamed';
  type?: string;
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

/** The verdict on one ADDR argument (also used by `demo`). */
export function verdictOf(input: string, options: Parameters<typeof validateAddress>[1]): Verdict {
  if (input.includes('\ufffd')) {
    return {
      input, valid: false, reason: 'replacement-character',
      message: 'the argument holds U+FFFD, which is what bytes that are not UTF-8 become; write them as %NN in the unix: form',
    };
  }
  let parsed: { type: keyof typeof TYPE_LABEL; address: SocketAddress };
  try {
    parsed = parseDial(input);
  } catch (err) {
    if (!(err instanceof UnixsockAddressError)) throw err;
    const problem = { ...err } as unknown as AddressProblem;
    return { input, valid: false, ...problem, message: describeProblem(problem) };
  }
  const type = TYPE_LABEL[parsed.type];
  const v = validateAddress(parsed.address, options);
  if (v.ok) {
    return { input, valid: true, address: formatAddress(v.address), kind: kindOf(v.address), type, bytes: byteLength(v.address) };
  }
  const { ok: _ok, message: _m, ...problem } = v;
  return {
    input, valid: false, address: formatAddress(parsed.address), kind: kindOf(parsed.address), type,
    ...problem, message: describeProblem(problem as AddressProblem),
  };
}

async function run(args: string[]): Promise<number> {
  const p = parseCommand(args, {
    json: { type: 'boolean' },
    platform: { type: 'string' },
    portable: { type: 'boolean' },
    relative: { type: 'string' },
  }, USAGE);
  if (p === undefined) return 0;
  if (p.positionals.length === 0) throw new UsageError('check needs at least one ADDR');
  const platform = stringOption(p, 'platform');
  const relative = stringOption(p, 'relative');
  const options = {
    ...(platform !== undefined && { platform: platform as Platform }),
    ...(p.values.portable !== undefined && { portable: p.values.portable === true }),
    ...(relative !== undefined && { relativePaths: relative as 'allow' }),
  };
  try {
    validateAddress('/', options);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const verdicts = p.positionals.map((input) => verdictOf(input, options));
  if (p.values.json === true) {
    process.stdout.write(`${JSON.stringify(verdicts, null, 2)}\n`);
  } else {
    for (const v of verdicts) {
      const kind = v.type === undefined || v.type === 'stream' ? v.kind : `${v.kind}, ${v.type}`;
      const detail = v.valid ? `${kind}, ${v.bytes} bytes` : `${v.reason}: ${v.message}`;
      process.stdout.write(`${v.valid ? 'valid  ' : 'invalid'}  ${JSON.stringify(v.input)}  (${detail})\n`);
    }
  }
  return verdicts.every((v) => v.valid) ? 0 : 1;
}

export const check: Command = { run };
