// The component's export surface, world `engine` of wit/world.wit: one
// bindings file per WIT file (bindings/address.ts is wit/address.wit, …;
// bindings/syscalls.ts holds the imports). build/component.mjs renames the
// exports to their canonical-ABI names.
export { cabi_realloc } from './bindings/abi';
export * from './bindings/address';
export * from './bindings/sockets';
export * from './bindings/descriptors';
export * from './bindings/policy';

// Replaces AssemblyScript's `env.abort` import (a component's core module may
// import only what its world declares): an assertion failure is a bug and
// traps.
function trap(message: usize, fileName: usize, line: u32, column: u32): void {
  unreachable();
}
