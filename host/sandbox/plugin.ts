// Plugins: a guest component of world `unixsock:ipc/plugin` (see
// guest/c/unixsock.h) runs against a fresh engine instance of its own
// (sandbox.ts), whose locked sandbox policy decides what the guest may do:
// nothing at all unless the embedder's policy allows it. This file is the
// public side: what loadPlugin() (linker.ts) returns and the errors it throws.
//
// The guest is untrusted. A handle it does not hold (forged, already
// dropped, of another resource type), a pointer or length outside its
// memory, a misaligned pointer, ill-formed UTF-8, an out-of-range case, or
// an import called from its realloc or post-return traps it: a
// `PluginTrap` (a WebAssembly.RuntimeError) unwinds out of `run`, the
// engine is never entered with the bad value, and the plugin is poisoned:
// the sockets it held are closed at once and every later call throws
// `ERR_UNIXSOCK_PLUGIN_POISONED`.
//
// `run` is synchronous: a guest that waits (`wait`, with its timeout)
// blocks this thread, so its peers must live in other processes or threads.
import type { PolicySpec, Refusals } from './policy.js';

// WebAssembly.RuntimeError, taken at run time: declaring it globally would
// clash with lib.dom in consumers' type checks.
const RuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: new (message?: string) => Error } })
  .WebAssembly.RuntimeError;

/** The guest broke the canonical ABI's rules; thrown out of `run` as a wasm trap is. */
export class PluginTrap extends RuntimeError {
  readonly code = 'ERR_UNIXSOCK_PLUGIN_TRAP';

  constructor(message: string) {
    super(`unixsock plugin trapped: ${message}`);
    this.name = 'PluginTrap';
  }
}

/** Codes of {@link PluginError}. */
export type PluginErrorCode =
  /** The binary is not a plugin component (no core module, missing exports). */
  | 'ERR_UNIXSOCK_PLUGIN_INVALID'
  /** The guest imports something other than the plugin world's functions. */
  | 'ERR_UNIXSOCK_PLUGIN_IMPORTS'
  /** `run` returned `err`; the text is `result`. */
  | 'ERR_UNIXSOCK_PLUGIN_FAILED'
  /** The plugin trapped before; it cannot run again (the trap is `cause`). */
  | 'ERR_UNIXSOCK_PLUGIN_POISONED'
  /** `close()` was called. */
  | 'ERR_UNIXSOCK_PLUGIN_CLOSED'
  /** `run` was called while the plugin was running. */
  | 'ERR_UNIXSOCK_PLUGIN_BUSY';

/** A plugin could not be loaded or run. */
export class PluginError extends Error {
  readonly code: PluginErrorCode;
  /** For `ERR_UNIXSOCK_PLUGIN_FAILED`: the `err` text the guest returned. */
  readonly result: string | undefined;

  constructor(code: PluginErrorCode, message: string, options?: { cause?: unknown; result?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PluginError';
    this.code = code;
    this.result = options?.result;
  }
}

export interface PluginOptions {
  /**
   * The policy the plugin's engine enforces (a PolicySpec), locked before
   * the guest starts. Without one the guest may do nothing: every socket
   * operation is `policy-denied`.
   */
  policy?: PolicySpec;
}

/** Everything a plugin exported to the host. */
export interface Plugin {
  /** Call the guest's `run`: its `ok` text, or a PluginError (`ERR_UNIXSOCK_PLUGIN_FAILED`) for `err`. */
  run(args: string[]): string;
  /** Handles the guest holds now (listeners, connections, datagram sockets, attachments). */
  readonly handleCount: number;
  /** The plugin trapped and can no longer run. */
  readonly poisoned: boolean;
  /** What its policy refused so far. */
  refusals(): Refusals;
  /** Drop every handle the guest still holds (the engine closes those sockets) and release both instances. */
  close(): void;
  [Symbol.dispose](): void;
}
