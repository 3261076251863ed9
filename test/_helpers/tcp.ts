// A TCP socket's descriptor, for tests that hand one to an entry point that
// must refuse it. node:net has no public way to get it: Node and Bun expose
// `server._handle.fd`; Deno's handle has no fd (undefined), so such a test
// skips its TCP case there, saying so.
import type { Server } from 'node:net';

/** The listening descriptor of a node:net TCP server, or undefined when the runtime does not expose it. */
export function tcpListenerFd(server: Server): number | undefined {
  const fd = (server as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}
