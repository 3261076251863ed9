// Resource reps: objects held in a slab, rep = index + 1 (0 is never a rep).
// Freed slots are reused; a stale rep finds null, never another object.

/** Sockets held across the counting slabs (the policy's socket limit). */
export let socketsHeld: i32 = 0;

export class Slab<T> {
  private items: Array<T | null> = new Array<T | null>();
  private free: Array<i32> = new Array<i32>();

  /** `countsSockets`: its objects count towards {@link socketsHeld}. */
  constructor(private countsSockets: bool = true) {}

  /** Store `item`; returns its rep. */
  add(item: T): i32 {
    if (this.countsSockets) socketsHeld++;
    if (this.free.length > 0) {
      const i = this.free.pop();
      this.items[i] = item;
      return i + 1;
    }
    this.items.push(item);
    return this.items.length;
  }

  /** The object behind a rep, or null. */
  get(rep: i32): T | null {
    return rep > 0 && rep <= this.items.length ? this.items[rep - 1] : null;
  }

  /** Forget a rep (its destructor ran). */
  remove(rep: i32): void {
    if (this.get(rep) == null) return;
    if (this.countsSockets) socketsHeld--;
    this.items[rep - 1] = null;
    this.free.push(rep - 1);
  }
}
