// Every WIT function says what it stands for in POSIX and how it typically
// fails: its `///` doc comment has a "POSIX equivalent:" paragraph and a
// "# Typical errors" list of at least one item ("None: …" for functions that
// cannot fail). The functions come from parsing every wit/*.wit file, so a
// function added without them fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const WIT = new URL('../../../wit/', import.meta.url);

/** `file: name` and the doc comment above it, for every function of every .wit file. */
function functions(): { where: string; doc: string[] }[] {
  const out: { where: string; doc: string[] }[] = [];
  for (const file of readdirSync(WIT).filter((f) => f.endsWith('.wit')).sort()) {
    const lines = readFileSync(new URL(file, WIT), 'utf8').split('\n').map((l) => l.trim());
    lines.forEach((line, i) => {
      const fn = /^(?:export )?%?([a-z][a-z0-9-]*): (?:static )?func\(/.exec(line);
      if (!fn) return;
      let start = i;
      while (start > 0 && lines[start - 1]!.startsWith('///')) start--;
      out.push({ where: `${file}: ${fn[1]}`, doc: lines.slice(start, i).map((l) => l.slice(3).trim()) });
    });
  }
  return out;
}

const docs = suite('WIT function docs');

docs('should find every function of the package (the parser works)', () => {
  const names = functions().map((f) => f.where);
  assert.ok(names.length >= 60, `only ${names.length} functions parsed`);
  for (const known of ['address.wit: validate', 'sockets.wit: listen', 'descriptors.wit: adopt', 'policy.wit: lock', 'syscalls.wit: real-path', 'world.wit: run']) {
    assert.ok(names.includes(known), known);
  }
});

docs('should give every WIT function its POSIX equivalent and typical errors', () => {
  const missing: string[] = [];
  for (const { where, doc } of functions()) {
    if (!doc.some((l) => l.startsWith('POSIX equivalent: '))) missing.push(`${where} (POSIX equivalent)`);
    const heading = doc.indexOf('# Typical errors');
    if (heading < 0 || !doc[heading + 1]?.startsWith('- ')) missing.push(`${where} (# Typical errors with a list)`);
  }
  assert.equal(missing, []);
});

docs.run();
