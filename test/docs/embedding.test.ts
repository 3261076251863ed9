// docs/embedding.md must keep up with the WIT: every `syscalls` import an
// embedder has to supply, every `policy` function, and every errno case
// (with its POSIX names) is documented there. The lists come from parsing
// wit/, so a function added to the WIT without its documentation fails here.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const root = new URL('../../../', import.meta.url);
const read = (p: string): string => readFileSync(new URL(p, root), 'utf8');

/** The body of `interface name { … }` in a WIT source (up to its closing brace at column 0). */
function witInterface(source: string, name: string): string {
  const start = source.search(new RegExp(`^interface ${name} \\{`, 'm'));
  assert.ok(start >= 0, `interface ${name} not found`);
  const end = source.indexOf('\n}', start);
  assert.ok(end > start, `interface ${name} is not closed`);
  return source.slice(start, end);
}

/** Free function names (`name: func(…)`) of a WIT interface, comments ignored. */
function witFunctions(body: string): string[] {
  const code = body.split('\n').filter((l) => !l.trim().startsWith('//')).join('\n');
  return [...code.matchAll(/^\s*%?([a-z][a-z0-9-]*)\s*:\s*func\b/gm)].map((m) => m[1]!);
}

/** Cases of an enum with their `/// POSIX` doc line, in order. */
function witEnumWithDocs(body: string, name: string): { name: string; doc: string }[] {
  const start = body.indexOf(`enum ${name} {`);
  assert.ok(start >= 0, `enum ${name} not found`);
  const lines = body.slice(start, body.indexOf('\n    }', start)).split('\n').slice(1).map((l) => l.trim());
  const out: { name: string; doc: string }[] = [];
  let doc = '';
  for (const line of lines) {
    if (line.startsWith('///')) doc = line.slice(3).trim();
    else if (/^%?[a-z][a-z0-9-]*,?$/.test(line)) {
      out.push({ name: line.replace(/^%/, '').replace(/,$/, ''), doc });
      doc = '';
    }
  }
  return out;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether the doc gives `name` its own heading or table row (a mention in passing is not enough). */
function documented(doc: string, name: string): boolean {
  return new RegExp(`^(#{2,5} |\\| )\`${escape(name)}\``, 'm').test(doc);
}

const embedding = suite('docs/embedding.md');
const doc = read('docs/embedding.md');

embedding('should find the functions of wit/syscalls.wit and wit/policy.wit (the parser works)', () => {
  const syscalls = witFunctions(witInterface(read('wit/syscalls.wit'), 'syscalls'));
  assert.ok(syscalls.length >= 20, `only ${syscalls.length} syscalls parsed: ${syscalls.join(', ')}`);
  for (const known of ['socket', 'bind', 'get-sock-name', 'set-umask', 'host-platform']) assert.ok(syscalls.includes(known), known);
  const policy = witFunctions(witInterface(read('wit/policy.wit'), 'policy'));
  assert.ok(policy.length >= 4, `only ${policy.length} policy functions parsed: ${policy.join(', ')}`);
  assert.ok(policy.includes('lock'), 'lock');
});

embedding('should document every syscalls import under its own heading or table row', () => {
  const missing = witFunctions(witInterface(read('wit/syscalls.wit'), 'syscalls')).filter((f) => !documented(doc, f));
  assert.equal(missing, [], `docs/embedding.md does not document syscalls ${missing.join(', ')}`);
});

embedding('should document every policy function under its own heading or table row', () => {
  const missing = witFunctions(witInterface(read('wit/policy.wit'), 'policy')).filter((f) => !documented(doc, f));
  assert.equal(missing, [], `docs/embedding.md does not document policy ${missing.join(', ')}`);
});

embedding('should list every errno case with its POSIX names, in WIT order', () => {
  const cases = witEnumWithDocs(witInterface(read('wit/types.wit'), 'types'), 'errno');
  assert.ok(cases.length >= 30, `only ${cases.length} errno cases parsed`);
  cases.forEach(({ name, doc: posix }, index) => {
    const row = new RegExp(`^\\| ${index} \\| \`${escape(name)}\` \\| ${escape(posix)} \\|`, 'm');
    assert.ok(row.test(doc), `errno table row missing or stale: | ${index} | \`${name}\` | ${posix} |`);
  });
});

embedding('should not document a syscall that the WIT no longer has', () => {
  const syscalls = new Set(witFunctions(witInterface(read('wit/syscalls.wit'), 'syscalls')));
  const section = doc.slice(doc.indexOf('## The `syscalls` imports'), doc.indexOf('\n## ', doc.indexOf('## The `syscalls` imports') + 1));
  assert.ok(section.length > 0, 'section "## The `syscalls` imports" not found');
  const headings = [...section.matchAll(/^### `([a-z-]+)`/gm)].map((m) => m[1]!);
  assert.ok(headings.length > 0, 'no "### `name`" headings in the syscalls section');
  const stale = headings.filter((h) => !syscalls.has(h));
  assert.equal(stale, [], `documented but not in wit/syscalls.wit: ${stale.join(', ')}`);
});

embedding.run();
