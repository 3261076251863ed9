// AsyncLocalStorage across the addon's callbacks.
//
// node:net runs a socket's callbacks in the async context the socket was
// made in, so an AsyncLocalStorage store set around `connect()` or
// `listen()` is the store in its 'data', 'connection' and 'message'
// handlers. The addon calls back through napi_make_callback with an async
// context of its own (native/src/stream.cc, poll.cc), but that one is made
// when the engine or poller is, which is lazily, at the first read or write
// (so on Node 20 and 22 it is that call's context, not the socket's); on
// Node >= 24, whose storage lives in AsyncContextFrame, it carries no store
// at all, nor on Bun or Deno (Deno's napi_async_init is a no-op). So the
// host captures the context itself: an AsyncResource made where the socket
// is made, entered around each callback.
import { AsyncResource } from 'node:async_hooks';

/** The async context a socket's callbacks run in. */
export type CallerContext = AsyncResource;

/** The current async context, captured for a socket made now (`name`: its AsyncResource type). */
export function callerContext(name: string): CallerContext {
  return new AsyncResource(name);
}

/** `fn` (a callback of the addon: at most four arguments) run in `context`. */
export function inContext<F extends (a: never, b: never, c: never, d: never) => void>(context: CallerContext, fn: F): F {
  const call = fn as unknown as (a: unknown, b: unknown, c: unknown, d: unknown) => void;
  return ((a: unknown, b: unknown, c: unknown, d: unknown) => context.runInAsyncScope(call, undefined, a, b, c, d)) as unknown as F;
}
