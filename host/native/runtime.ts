// Which JavaScript runtime runs us, and what that decides: the readiness
// backend of the native addon (native/src/readiness.h). Detected once at
// load, never chosen by the user.
//
//   Node  libuv: on the loop every other handle runs on (Linux: one epoll
//         set on one uv_poll_t, busy sockets on a uv_poll_t of their own).
//   Bun   the reactor: Bun's uv_poll_* are crash stubs (oven-sh/bun#18546).
//   Deno  the reactor: Deno's uv_poll fires once per start and reports the
//         requested events, not the real ones (denoland/deno#36317).
//
// UNIXSOCK_READINESS=reactor selects the reactor on Node too: a diagnostic
// for the test suites (the reactor's own tests and its ASan run), not an
// option of the library.

/** The runtimes unixsock knows. */
export type RuntimeName = 'node' | 'bun' | 'deno';

/** The running runtime and its version. */
export interface Runtime {
  readonly name: RuntimeName;
  readonly version: string;
}

function detect(): Runtime {
  const versions = process.versions as NodeJS.ProcessVersions & { bun?: string; deno?: string };
  if (typeof versions.bun === 'string') return { name: 'bun', version: versions.bun };
  const deno = (globalThis as { Deno?: { version?: { deno?: string } } }).Deno;
  if (typeof versions.deno === 'string') return { name: 'deno', version: versions.deno };
  if (typeof deno?.version?.deno === 'string') return { name: 'deno', version: deno.version.deno };
  return { name: 'node', version: versions.node };
}

/** The runtime this process runs on. */
export const RUNTIME: Runtime = detect();

/** The readiness backend for this runtime (see the top of this file). */
export const READINESS: 'libuv' | 'reactor' =
  RUNTIME.name !== 'node' || process.env.UNIXSOCK_READINESS === 'reactor' ? 'reactor' : 'libuv';
