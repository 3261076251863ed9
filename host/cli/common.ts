// What every CLI command shares: option parsing with --help and --debug,
// ADDR arguments in the dial grammar (checked before anything is created),
// usage errors (exit 2), status lines on stderr, stdout with back-pressure,
// and stopping on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { formatAddress, validateAddress } from '../address.js';
import type { SocketAddress } from '../address.js';
import { type DialTarget, inputForm, parseDial, type SocketType } from '../dial.js';
import { native } from '../native/native.js';

/** A command of the CLI (its one-line summary is in host/cli.ts's usage, its help text in its own module). */
export interface Command {
  /** Runs the command; resolves with the exit status. */
  run(args: string[]): Promise<number>;
}

/** A mistake in the command line: one line on stderr, exit status 2. */
export class UsageError extends Error {}

/** Option specs as util.parseArgs takes them. */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/** Parsed options: strings and booleans by name, and the positionals. */
export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * Parse a command's arguments; `--help`/`-h` and `--debug` are always known.
 * Returns undefined after printing the usage for --help.
 */
export function parseCommand(args: string[], options: OptionSpec, usage: string): Parsed | undefined {
  const parsed = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { ...options, help: { type: 'boolean', short: 'h' }, debug: { type: 'boolean' } },
  }) as Parsed;
  if (parsed.values.help === true) {
    process.stdout.write(usage);
    return undefined;
  }
  return parsed;
}

/** A string option's value (the last one when repeated). */
export function stringOption(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return Array.isArray(v) ? v[v.length - 1] : typeof v === 'string' ? v : undefined;
}

/** A non-negative integer option (milliseconds, counts). */
export function integerOption(p: Parsed, name: string, fallback: number, min = 0): number {
  const v = stringOption(p, name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) throw new UsageError(`--${name} must be an integer of at least ${min}, not '${v}'`);
  return Number(v);
}

/** The socket file mode from `--mode 600` (octal). */
export function modeOption(p: Parsed): number | undefined {
  const v = stringOption(p, 'mode');
  if (v === undefined) return undefined;
  if (!/^0?[0-7]{1,3}$/.test(v)) throw new UsageError(`--mode must be octal permission bits such as 600, not '${v}'`);
  return parseInt(v, 8);
}

const TYPE_NAMES: Record<string, SocketType> = { stream: 'stream', dgram: 'datagram', datagram: 'datagram', seqpacket: 'seqpacket' };

/** `--type stream|dgram|seqpacket` (also `datagram`). */
export function typeOption(p: Parsed): SocketType | undefined {
  const v = stringOption(p, 'type');
  if (v === undefined) return undefined;
  const t = TYPE_NAMES[v];
  if (t === undefined) throw new UsageError(`--type must be stream, dgram or seqpacket, not '${v}'`);
  return t;
}

/** A usage error (`message`) when --type names another type than `type`. */
export function requireType(p: Parsed, type: SocketType, message: string): void {
  const t = typeOption(p);
  if (t !== undefined && t !== type) throw new UsageError(message);
}

export const TYPE_LABEL: Record<SocketType, string> = { stream: 'stream', datagram: 'dgram', seqpacket: 'seqpacket' };

/** A parsed ADDR: its type, its address, and the input form to pass on (a string when exact, so errors name it). */
export interface Target extends DialTarget {
  input: string | SocketAddress;
}

/**
 * An ADDR argument in the dial grammar, fully validated for this platform
 * before anything is created. `type` is what --type (or the command) wants;
 * a dial prefix naming another type is a usage error.
 */
export function addressArgument(text: string | undefined, type?: SocketType, name = 'ADDR'): Target {
  if (text === undefined) throw new UsageError(`missing ${name}`);
  // Node decodes argv as UTF-8 and turns other bytes into U+FFFD: using that
  // path would silently name another file.
  if (text.includes('\ufffd')) {
    throw new UsageError(`${name} contains U+FFFD, which is what bytes that are not UTF-8 become; write them as %NN in the unix: form (unix:///tmp/%FF.sock)`);
  }
  let target: DialTarget;
  try {
    target = parseDial(text, { type });
  } catch (err) {
    throw new UsageError(`${name} ${JSON.stringify(text)}: ${(err as Error).message.replace(/^The argument 'options.type' /, '--type ')}`);
  }
  const verdict = validateAddress(target.address);
  if (!verdict.ok) throw new UsageError(`${name} ${JSON.stringify(text)}: ${verdict.message}`);
  if ('unnamed' in target.address) throw new UsageError(`${name} is unnamed`);
  return { ...target, input: inputForm(target.address) };
}

/** A status line on stderr: `unixsock: …`. */
export function status(message: string): void {
  process.stderr.write(`unixsock: ${message}\n`);
}

/** Write to stdout, waiting while its buffer is full. */
export function writeOut(data: Uint8Array | string): Promise<void> {
  if (process.stdout.write(data)) return Promise.resolve();
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

/** Resolves with the first SIGINT or SIGTERM (the handlers are removed then). */
export function nextStopSignal(): { signal: Promise<NodeJS.Signals>; dispose: () => void } {
  let handler: ((s: NodeJS.Signals) => void) | undefined;
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    handler = (s) => resolve(s);
    process.once('SIGINT', handler).once('SIGTERM', handler);
  });
  const dispose = (): void => {
    process.off('SIGINT', handler!).off('SIGTERM', handler!);
  };
  void signal.then(dispose);
  return { signal, dispose };
}

/**
 * Closes received descriptors nobody takes (none: nothing), with the addon's
 * close(2): Deno's node:fs refuses descriptors Deno did not open itself.
 */
export function closeFds(fds: readonly number[] | undefined): void {
  for (const fd of fds ?? []) native.close(fd);
}

/** Resolve after `ms` (the timer keeps the process alive: the CLI exits explicitly). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A target for status lines: its canonical text and type, `/run/x.sock (stream)`. */
export function describeTarget(t: DialTarget): string {
  return `${formatAddress(t.address)} (${TYPE_LABEL[t.type]})`;
}
