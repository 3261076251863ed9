// The engine's one errno table (assembly/sockets/errno.ts) against the WIT:
// each `types.errno` case names its errno in its doc comment, and each
// `types.error-code` case lists the errnos it stands for on its "POSIX
// equivalent" line (`other`: "and anything not listed above"). The running
// engine's `condition-of` must answer exactly that for every case.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sockets } from '../../host/component/failures.js';

const types = readFileSync(new URL('../../../wit/types.wit', import.meta.url), 'utf8');

/** The cases of a WIT enum with the text of each one's doc comment. */
function documentedCases(name: string): { name: string; doc: string }[] {
  const start = types.indexOf(`enum ${name} {`);
  assert.ok(start >= 0, `enum ${name}`);
  const body = types.slice(types.indexOf('{', start) + 1, types.indexOf('\n    }', start));
  const out: { name: string; doc: string }[] = [];
  let doc = '';
  for (const line of body.split('\n').map((l) => l.trim()).filter(Boolean)) {
    if (line.startsWith('///')) doc += ` ${line.slice(3).trim()}`;
    else {
      out.push({ name: line.replace(/,$/, '').replace(/^%/, ''), doc });
      doc = '';
    }
  }
  return out;
}
const errnoNames = (text: string): string[] => text.match(/\bE[A-Z]+\b/g) ?? [];

const errnoTable = suite('errno table');

errnoTable('should map every errno case to the error-code whose POSIX equivalent lists it', () => {
  const condition = new Map<string, string>();
  for (const c of documentedCases('error-code')) {
    const posix = /POSIX equivalent:(.*)/.exec(c.doc)?.[1] ?? '';
    for (const e of errnoNames(posix)) {
      assert.not.ok(condition.has(e), `${e} listed under both ${condition.get(e)} and ${c.name}`);
      condition.set(e, c.name);
    }
  }
  const errnos = documentedCases('errno');
  assert.ok(errnos.length >= 40 && condition.size >= 35, 'the parser found the WIT cases');
  const documented = new Set(errnos.flatMap((c) => errnoNames(c.doc)));
  for (const e of condition.keys()) assert.ok(documented.has(e), `error-code lists ${e}, which no errno case names`);

  const expected = errnos.map((c) => [c.name, condition.get(errnoNames(c.doc)[0] ?? '') ?? 'other']);
  const actual = errnos.map((c, i) => [c.name, sockets().conditionOf(i)]);
  assert.equal(actual, expected);
  // Listed under `other` explicitly, and the catch-all for unknown errnos.
  assert.equal(actual.filter(([, v]) => v === 'other').map(([k]) => k), ['exist', 'io', 'is-dir', 'unknown']);
});

errnoTable('should answer other for an errno index outside the enum', () => {
  assert.is(sockets().conditionOf(documentedCases('errno').length), 'other');
  assert.is(sockets().conditionOf(255), 'other');
});

errnoTable.run();
