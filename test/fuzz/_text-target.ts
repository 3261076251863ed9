// Fuzz target: the text parsers — parseAddress (the dial-string grammar:
// `@name` with \xNN escapes, unix:, unix://, unix-abstract: with %NN), and
// normalizePath and validateAddress with a working directory, which read the
// same strings. Inputs: sequences of grammar fragments (broken escapes, NULs,
// lone surrogates, non-ASCII), random UTF-16, and mutated formatAddress
// output. Properties: only typed refusals; parse(format(a)) gives a back;
// normalizing is idempotent.
import { formatAddress, normalizePath, parseAddress, validateAddress } from '../../host/index.js';
import { randomAddress } from '../_helpers/addresses.js';
import type { Random } from '../_helpers/random.js';
import { type FuzzTarget, malformed, sameAddress, show, unexpectedError } from './_target.js';

type Input = { text: string; cwd: string | undefined };

const FRAGMENTS = [
  '@', '@@', 'unix:', 'unix://', 'unix:///', 'unix-abstract:', 'unix', ':', '//', '/', '.', '..', '/../', './',
  '%', '%0', '%00', '%2F', '%2f', '%zz', '%4', '%FF', '%e9', '%%', '%g0',
  '\\', '\\\\', '\\x', '\\x0', '\\x00', '\\xff', '\\xZZ', '\\x4', '\\n',
  'a', 'b', 'sock', ' ', '\0', '\x7f', '\u00e9', '\u65e5', '\u{1f600}', '\ud800', '\udc00', '\ufffd', 'x'.repeat(60),
];

const REASONS = ['empty-path', 'contains-nul', 'bad-syntax', 'ill-formed-utf16'];

function randomText(r: Random): string {
  const mode = r.int(0, 3);
  if (mode === 0) {
    let s = '';
    for (let n = r.int(0, 40); n > 0; n--) s += String.fromCharCode(r.int(0, 3) === 0 ? r.int(0, 0xffff) : r.int(0, 0x7f));
    return s;
  }
  if (mode === 1) {
    const a = randomAddress(r, 'linux');
    const text = formatAddress(a);
    if (text.length === 0 || r.int(0, 2) === 0) return text;
    const at = r.int(0, text.length);
    return text.slice(0, at) + r.pick(FRAGMENTS) + text.slice(at + r.int(0, 2));
  }
  let s = '';
  for (let n = r.int(0, 12); n > 0; n--) s += r.pick(FRAGMENTS);
  return s;
}

function check(what: string, fn: () => string | undefined, reasons: readonly string[]): string | undefined {
  try {
    return fn();
  } catch (err) {
    const why = unexpectedError(err, reasons);
    return why === undefined ? undefined : `${what}: ${why}`;
  }
}

export const textTarget: FuzzTarget<Input> = {
  name: 'parseAddress/normalizePath',

  generate(r) {
    const cwd = r.pick([undefined, '/', '/tmp', '/a/b/../c', 'relative', `/${'d'.repeat(r.int(1, 150))}`, randomText(r)]);
    return { text: randomText(r), cwd };
  },

  describe: ({ text, cwd }) => `text ${JSON.stringify(text)}, cwd ${JSON.stringify(cwd)}`,

  exercise({ text, cwd }) {
    return check('parseAddress', () => {
      const parsed = parseAddress(text);
      const bad = malformed(parsed);
      if (bad !== undefined) return `parseAddress returned a malformed address: ${bad}`;
      if ('unnamed' in parsed) return 'parseAddress returned an unnamed address';
      const formatted = formatAddress(parsed);
      const again = parseAddress(formatted);
      if (!sameAddress(again, parsed)) return `round trip: ${show(parsed)} -> ${JSON.stringify(formatted)} -> ${show(again)}`;
      return undefined;
    }, REASONS)
      ?? check('normalizePath', () => {
        const options = cwd === undefined ? undefined : { cwd };
        const once = normalizePath(text, options);
        const twice = normalizePath(once, options);
        if (twice !== once) return `not idempotent: ${JSON.stringify(once)} -> ${JSON.stringify(twice)}`;
        if (cwd !== undefined && cwd.startsWith('/') && !once.startsWith('/')) return `relative result ${JSON.stringify(once)} under cwd ${cwd}`;
        return undefined;
      }, [...REASONS, 'working-directory-not-absolute'])
      ?? check('validateAddress', () => {
        const relativePaths = cwd === undefined ? 'allow' : 'absolute-must-fit';
        if (cwd !== undefined && !cwd.isWellFormed()) {
          // An option that is no string of Unicode is a caller error, typed.
          try {
            validateAddress(text, { relativePaths, cwd });
          } catch (err) {
            return (err as { code?: string }).code === 'ERR_INVALID_ARG_VALUE' ? undefined : `ill-formed cwd: ${String(err)}`;
          }
          return 'an ill-formed cwd was accepted';
        }
        const v = validateAddress(text, { relativePaths, cwd });
        if (v.ok && malformed(v.address) !== undefined) return `malformed verdict address ${show(v.address)}`;
        return undefined;
      }, []);
  },
};
