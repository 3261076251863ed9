// Every numbering shared by the C++ addon and host/ (the "must match" pairs):
// the addon exports each one and it equals host/native/native.ts's, and where a
// numbering crosses into the engine unchanged (or shifted by one), it follows
// the WIT's case order.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  FILE_TYPE, MESSAGE_FLAG, native, POLL_EVENT, SHUTDOWN, SOCKET_OPTION, SOCKET_TYPE, STREAM_EVENT,
} from '../../host/native/native.js';
import { READINESS } from '../../host/component/sockets-binding.js';
import { SOCKET_OPTION_NAMES } from '../../host/native/options.js';

const numberings = suite('native numberings');

const wit = (file: string): string => readFileSync(new URL(`../../../wit/${file}`, import.meta.url), 'utf8');
/** Case names of a WIT enum or flags declared one per line. */
function cases(source: string, kind: string, name: string): string[] {
  const start = source.indexOf(`${kind} ${name} {`);
  assert.ok(start >= 0, `${kind} ${name}`);
  return source.slice(source.indexOf('{', start) + 1, source.indexOf('}', start)).split('\n')
    .map((l) => l.trim()).filter((l) => l && !l.startsWith('///')).map((l) => l.replace(/,$/, '').replace(/^%/, ''));
}
const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

numberings('should export from the addon exactly the numberings host/native/native.ts declares', () => {
  assert.equal({ ...native.STREAM_EVENT }, { ...STREAM_EVENT });
  assert.equal({ ...native.SOCKET_TYPE }, { ...SOCKET_TYPE });
  assert.equal({ ...native.SHUTDOWN }, { ...SHUTDOWN });
  // Socket options: the addon's table is the numbering (SOCKET_OPTION is it); its names
  // are exactly those host/native/options.ts types, numbered 0, 1, 2...
  assert.is(SOCKET_OPTION, native.SOCKET_OPTION);
  assert.equal(Object.keys(SOCKET_OPTION).sort(), [...SOCKET_OPTION_NAMES].sort());
  assert.equal(Object.values(SOCKET_OPTION), Object.keys(SOCKET_OPTION).map((_, i) => i));
  assert.equal({ ...native.FILE_TYPE }, { ...FILE_TYPE });
  assert.equal({ ...native.MESSAGE_FLAG }, { ...MESSAGE_FLAG });
  assert.equal({ ...native.POLL_EVENT }, { ...POLL_EVENT });
  for (const n of [native.SOCKET_TYPE, native.SOCKET_OPTION, native.FILE_TYPE, native.WAIT_EVENT]) assert.ok(Object.isFrozen(n));
});

numberings('should number what crosses into the engine in WIT order', () => {
  const types = wit('types.wit');
  const syscalls = wit('syscalls.wit');
  // host/component/syscalls.ts passes `kind + 1` to socket/socketPair and reads SO_TYPE back as index + 1.
  assert.equal(Object.entries(SOCKET_TYPE), cases(types, 'enum', 'socket-type').map((c, i) => [c, i + 1]));
  // shutdown's `how` is the WIT case index, passed through.
  assert.equal(Object.values(SHUTDOWN), cases(types, 'enum', 'shutdown-how').map((_, i) => i));
  // An identity's file type is written as the WIT file-kind case.
  assert.equal(Object.entries(FILE_TYPE), cases(syscalls, 'enum', 'file-kind').map((c, i) => [camel(c), i]));
  // wait's events and result are the WIT readiness bits (types.readiness, used by sockets and syscalls).
  const bits = cases(types, 'flags', 'readiness').map((c, i) => [camel(c), 1 << i]);
  assert.equal(Object.entries(native.WAIT_EVENT), bits);
  assert.equal(Object.entries(READINESS), bits);
});

numberings.run();
