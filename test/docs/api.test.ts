// docs/api/README.md (npm run docs) against the public API: every export of
// host/index.ts has its own entry, and every entry is still an export, so the
// reference cannot drift from the code unnoticed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const REFERENCE = 'docs/api/README.md';

/** Every name host/index.ts exports (values and types), read with the TypeScript parser. */
function exportedNames(): string[] {
  const file = `${root}host/index.ts`;
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const names: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement)) throw new Error(`host/index.ts: unexpected statement ${ts.SyntaxKind[statement.kind]}; only export { ... } from are read`);
    const clause = statement.exportClause;
    if (clause === undefined || !ts.isNamedExports(clause)) throw new Error('host/index.ts: export * is not read; name the exports');
    for (const element of clause.elements) names.push(element.name.text);
  }
  return names;
}

/** The names of the reference's entries: its level-3 headings, unescaped, without "()". */
function documentedNames(): Set<string> {
  const text = readFileSync(`${root}${REFERENCE}`, 'utf8');
  const names = new Set<string>();
  for (const [, heading] of text.matchAll(/^### (.+)$/gm)) {
    if (heading!.startsWith('Event:')) continue; // event lists inside class doc comments
    names.add(heading!.replace(/\\(.)/g, '$1').replace(/\(\)$/, ''));
  }
  return names;
}

const docs = suite('api reference');

docs('should read every runtime export from host/index.ts', async () => {
  const names = new Set(exportedNames());
  const runtime = Object.keys(await import('../../host/index.js'));
  assert.ok(runtime.length > 30, `only ${runtime.length} runtime exports`);
  for (const name of runtime) assert.ok(names.has(name), `the parser missed ${name}`);
});

docs(`should document every export of host/index.ts in ${REFERENCE}`, () => {
  const documented = documentedNames();
  const missing = exportedNames().filter((name) => !documented.has(name));
  assert.equal(missing, [], `not in ${REFERENCE} (run npm run docs): ${missing.join(', ')}`);
});

docs(`should document nothing in ${REFERENCE} that host/index.ts no longer exports`, () => {
  const exported = new Set(exportedNames());
  const stale = [...documentedNames()].filter((name) => !exported.has(name));
  assert.equal(stale, [], `in ${REFERENCE} but not exported (run npm run docs): ${stale.join(', ')}`);
});

docs.run();
