// The WIT owns the vocabularies: the AssemblyScript enums and the host tables
// must list the same cases in the same order (a case crosses the ABI as its index).
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ADDRESS_ERRORS } from '../../host/errors.js';
import { PLATFORMS } from '../../host/platform.js';

const root = new URL('../../../', import.meta.url);
const read = (p: string): string => readFileSync(new URL(p, root), 'utf8');

/** Case names of a WIT enum or variant, in order. */
function witCases(source: string, kind: 'enum' | 'variant', name: string): string[] {
  const start = source.indexOf(`${kind} ${name} {`);
  assert.ok(start >= 0, `${kind} ${name} not found`);
  const body = source.slice(source.indexOf('{', start) + 1, source.indexOf('\n    }', start));
  return body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('///'))
    .map((l) => l.replace(/^%/, '').replace(/[(,].*$/, ''));
}

/** Member names of an AssemblyScript `const enum`, in order, kebab-cased. */
function asEnum(source: string, name: string): string[] {
  const start = source.indexOf(`enum ${name} {`);
  assert.ok(start >= 0, `enum ${name} not found`);
  const body = source.slice(source.indexOf('{', start) + 1, source.indexOf('}', start));
  return body
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean)
    .map((m) => m.replace(/([a-z])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase());
}

const vocabulary = suite('vocabulary');

vocabulary('should list error-code the same in WIT and AssemblyScript', () => {
  const wit = witCases(read('wit/types.wit'), 'enum', 'error-code');
  assert.ok(wit.length > 20);
  assert.equal(asEnum(read('assembly/errors.ts'), 'ErrorCode'), wit);
});

vocabulary('should list address-error the same in WIT, AssemblyScript and the host', () => {
  const wit = witCases(read('wit/address.wit'), 'variant', 'address-error');
  assert.equal(asEnum(read('assembly/errors.ts'), 'AddressError'), wit);
  assert.equal([...ADDRESS_ERRORS], wit);
});

vocabulary('should list platform and address cases the same everywhere', () => {
  const types = read('wit/types.wit');
  const kinds = read('assembly/address/kinds.ts');
  assert.equal(witCases(types, 'enum', 'platform'), [...PLATFORMS]);
  assert.equal(asEnum(kinds, 'Platform'), [...PLATFORMS]);
  assert.equal(asEnum(kinds, 'AddressKind'), witCases(types, 'variant', 'address'));
  assert.equal(asEnum(kinds, 'RelativePaths'), witCases(read('wit/address.wit'), 'enum', 'relative-paths'));
  assert.equal(asEnum(kinds, 'CandidateKind'), witCases(read('wit/address.wit'), 'variant', 'candidate'));
});

vocabulary.run();
