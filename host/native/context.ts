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
// at all, nor on Bun or Deno (Deno's napi_async_init is a no-op). So each
// socket captures its context where it is made, and binds the callbacks it
// hands the addon to it: `callerContext('UnixSocket').bind(callback)`.
import { AsyncResource } from 'node:async_hooks';

/** The current async context, captured for a socket made now (`name`: its AsyncResource type). */
export function callerContext(name: string): AsyncResource {
  return new AsyncResource(name);
}
