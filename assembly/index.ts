// The component's export surface. Everything here is re-exported from
// bindings/exports.ts; build/component.mjs renames the exports to their
// canonical-ABI names.
export * from './bindings/exports';

// Replaces AssemblyScript's `env.abort` import (a component's core module may
// import only what its world declares): an assertion failure is a bug and
// traps.
function trap(message: usize, fileName: usize, line: u32, column: u32): void {
  unreachable();
}
export * from './bindings/sockets';
export * from './bindings/policy';
