// Attachments: descriptors that came with a message (SCM_RIGHTS), or that
// the embedder handed over to be sent, held as handles so a plugin never
// sees a number. Dropping one closes its descriptor.
import { sysClose } from '../bindings/syscalls';
import { Slab } from './slab';

export class Attachment {
  fd: i32 = -1;
}

const slab = new Slab<Attachment>(false);

export function attachmentOf(rep: i32): Attachment | null {
  return slab.get(rep);
}

/** A new attachment owning `fd`; returns its rep. */
export function register(fd: i32): i32 {
  const a = new Attachment();
  a.fd = fd;
  return slab.add(a);
}

/** Give up the descriptor without closing it (descriptors.detach). */
export function detach(a: Attachment): i32 {
  const fd = a.fd;
  a.fd = -1;
  return fd;
}

/** Destructor: close the descriptor if still held, forget the rep. */
export function drop(rep: i32): void {
  const a = slab.get(rep);
  if (a != null && a.fd >= 0) sysClose(a.fd);
  slab.remove(rep);
}
