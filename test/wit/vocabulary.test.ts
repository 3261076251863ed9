// The WIT owns the vocabularies: the AssemblyScript enums and the host tables
// must list the same cases in the same order (a case crosses the ABI as its index).
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KIND } from '../../host/component/component.js';
import { ERRNO_NAMES } from '../../host/component/errno.js';
import { ADDRESS_ERRORS, ERROR_CODES, OPERATIONS, PERMISSIONS } from '../../host/errors.js';
import { PLATFORMS } from '../../host/component/platform.js';
import { RULE_PERMISSIONS } from '../../host/sandbox/policy.js';
import { ADOPTED_KINDS, READINESS, SOCKET_TYPES } from '../../host/component/sockets-binding.js';

const root = new URL('../../../', import.meta.url);
const read = (p: string): string => readFileSync(new URL(p, root), 'utf8');

/** Case names of a WIT enum or variant, in order. */
function witCases(source: string, kind: 'enum' | 'variant' | 'flags', name: string): string[] {
  const start = source.indexOf(`${kind} ${name} {`);
  assert.ok(start >= 0, `${kind} ${name} not found`);
  const body = source.slice(source.indexOf('{', start) + 1, source.indexOf('\n    }', start));
  return body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('///'))
    .join(' ')
    .replace(/\([^)]*\)/g, '')
    .split(',')
    .map((c) => c.trim().replace(/^%/, ''))
    .filter(Boolean);
}

/** Member names of an AssemblyScript `const enum`, in order, kebab-cased. */
function asEnum(source: string, name: string): string[] {
  const start = source.indexOf(`enum ${name} {`);
  assert.ok(start >= 0, `enum ${name} not found`);
  const body = source.slice(source.indexOf('{', start) + 1, source.indexOf('}', start));
  return body
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m && !m.includes('='))
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

vocabulary('should list every host table in WIT order', () => {
  const types = read('wit/types.wit');
  const sockets = read('wit/sockets.wit');
  assert.equal([...ERROR_CODES], witCases(types, 'enum', 'error-code'));
  assert.equal([...PERMISSIONS], witCases(types, 'enum', 'permission'));
  assert.equal([...SOCKET_TYPES], witCases(types, 'enum', 'socket-type'));
  assert.equal([...OPERATIONS], witCases(sockets, 'enum', 'operation'));
  assert.equal([...ADOPTED_KINDS], witCases(read('wit/descriptors.wit'), 'variant', 'adopted'));
  assert.equal([...RULE_PERMISSIONS], witCases(read('wit/policy.wit'), 'flags', 'permissions'));
  const readiness = witCases(types, 'flags', 'readiness');
  assert.equal(readiness, ['readable', 'writable', 'hang-up']);
  assert.equal(Object.values(READINESS), readiness.map((_, i) => 1 << i));
  assert.equal(Object.entries(KIND).map(([, v]) => v), witCases(types, 'variant', 'address').map((_, i) => i));
  assert.equal(Object.keys(KIND), witCases(types, 'variant', 'address').map((c) => c.replace(/-([a-z])/g, (_, x: string) => x.toUpperCase())));
});

vocabulary('should name each WIT errno case by the errno its doc comment gives', () => {
  const source = read('wit/types.wit');
  const start = source.indexOf('enum errno {');
  const body = source.slice(source.indexOf('{', start) + 1, source.indexOf('\n    }', start));
  // `/// EACCES` above `access,`: the first E-name of each case's doc, UNKNOWN for "Any other errno."
  const named: string[] = [];
  let doc = '';
  for (const line of body.split('\n').map((l) => l.trim()).filter(Boolean)) {
    if (line.startsWith('///')) doc = line.slice(3).trim();
    else named.push(/^E[A-Z]+/.exec(doc)?.[0] ?? 'UNKNOWN');
  }
  assert.is(named.length, witCases(source, 'enum', 'errno').length);
  assert.equal([...ERRNO_NAMES], named);
});

vocabulary('should list the engine enums in WIT order in AssemblyScript', () => {
  const types = read('wit/types.wit');
  const sockets = read('wit/sockets.wit');
  const policy = read('wit/policy.wit');
  const syscalls = read('wit/syscalls.wit');
  const failure = read('assembly/sockets/failure.ts');
  assert.equal(asEnum(read('assembly/sockets/errno.ts'), 'Errno'), witCases(types, 'enum', 'errno'));
  assert.equal(asEnum(failure, 'Operation'), witCases(sockets, 'enum', 'operation'));
  assert.equal(asEnum(failure, 'Permission'), witCases(types, 'enum', 'permission'));
  assert.equal(asEnum(failure, 'SocketErrorKind'), witCases(sockets, 'variant', 'socket-error'));
  assert.equal(asEnum(read('assembly/sockets/adopt.ts'), 'Adopted'), witCases(read('wit/descriptors.wit'), 'variant', 'adopted'));
  assert.equal(asEnum(read('assembly/sockets/policy.ts'), 'PatternKind'), witCases(policy, 'variant', 'pattern'));
  assert.equal(asEnum(read('assembly/sockets/policy.ts'), 'PolicyError'), witCases(policy, 'enum', 'policy-error'));
  assert.equal(asEnum(read('assembly/bindings/types.ts'), 'SocketKind'), witCases(types, 'enum', 'socket-type'));
  assert.equal(asEnum(read('assembly/bindings/syscalls.ts'), 'FileKind'), witCases(syscalls, 'enum', 'file-kind'));
});

vocabulary.run();
