// world root:component/root
import type * as UnixsockIpcSyscalls from './interfaces/unixsock-ipc-syscalls.js'; // unixsock:ipc/syscalls@0.1.0
import type * as UnixsockIpcTypes from './interfaces/unixsock-ipc-types.js'; // unixsock:ipc/types@0.1.0
import type * as UnixsockIpcAddress from './interfaces/unixsock-ipc-address.js'; // unixsock:ipc/address@0.1.0
import type * as UnixsockIpcSockets from './interfaces/unixsock-ipc-sockets.js'; // unixsock:ipc/sockets@0.1.0
import type * as UnixsockIpcDescriptors from './interfaces/unixsock-ipc-descriptors.js'; // unixsock:ipc/descriptors@0.1.0
import type * as UnixsockIpcPolicy from './interfaces/unixsock-ipc-policy.js'; // unixsock:ipc/policy@0.1.0
export interface ImportObject {
  'unixsock:ipc/syscalls@0.1.0': typeof UnixsockIpcSyscalls,
  'unixsock:ipc/types@0.1.0': typeof UnixsockIpcTypes,
}
export interface Root {
  'unixsock:ipc/address@0.1.0': typeof UnixsockIpcAddress,
  address: typeof UnixsockIpcAddress,
  'unixsock:ipc/sockets@0.1.0': typeof UnixsockIpcSockets,
  sockets: typeof UnixsockIpcSockets,
  'unixsock:ipc/descriptors@0.1.0': typeof UnixsockIpcDescriptors,
  descriptors: typeof UnixsockIpcDescriptors,
  'unixsock:ipc/policy@0.1.0': typeof UnixsockIpcPolicy,
  policy: typeof UnixsockIpcPolicy,
}

/**
* Instantiates this component with the provided imports and
* returns a map of all the exports of the component.
*
* This function is intended to be similar to the
* `WebAssembly.Instantiate` constructor. The second `imports`
* argument is the "import object" for wasm, except here it
* uses component-model-layer types instead of core wasm
* integers/numbers/etc.
*
* The first argument to this function, `getCoreModule`, is
* used to compile core wasm modules within the component.
* Components are composed of core wasm modules and this callback
* will be invoked per core wasm module. The caller of this
* function is responsible for reading the core wasm module
* identified by `path` and returning its compiled
* `WebAssembly.Module` object. This would use the
* `WebAssembly.Module` constructor on the web, for example.
*/
export function instantiate(
getCoreModule: (path: string) => WebAssembly.Module,
imports: ImportObject,
instantiateCore?: (module: WebAssembly.Module, imports: Record<string, any>) => WebAssembly.Instance
): Root;

