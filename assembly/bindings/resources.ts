// The `sockets` resources as the component model hands them to their
// exporter: `[resource-new]` makes an own handle from our rep, and an
// attachment handle the host passes back is read (`[resource-rep]`) and
// dropped. Shared by sockets.ts and descriptors.ts, which both return these
// resources.

// @ts-ignore: decorator
@external('cm32p2|_ex_unixsock:ipc/sockets@0.1', 'listener_new')
export declare function listenerNew(rep: i32): i32;
// @ts-ignore: decorator
@external('cm32p2|_ex_unixsock:ipc/sockets@0.1', 'connection_new')
export declare function connectionNew(rep: i32): i32;
// @ts-ignore: decorator
@external('cm32p2|_ex_unixsock:ipc/sockets@0.1', 'datagram_new')
export declare function datagramNew(rep: i32): i32;
// @ts-ignore: decorator
@external('cm32p2|_ex_unixsock:ipc/sockets@0.1', 'attachment_new')
export declare function attachmentNew(rep: i32): i32;
// @ts-ignore: decorator
@external('cm32p2|_ex_unixsock:ipc/sockets@0.1', 'attachment_rep')
export declare function attachmentRep(handle: i32): i32;
// @ts-ignore: decorator
@external('cm32p2|_ex_unixsock:ipc/sockets@0.1', 'attachment_drop')
export declare function attachmentDrop(handle: i32): void;

/** The object behind a rep the runtime passed: it passes only live reps, so anything else is a bug. */
export function live<T>(x: T): NonNullable<T> {
  if (x == null) unreachable();
  return changetype<NonNullable<T>>(x);
}
