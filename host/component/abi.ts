// Canonical-ABI access to an instance's linear memory: views that follow its
// growth (MemoryView; the plugin linker's view of a guest too), and lowering
// strings and bytes through an engine's cabi_realloc, lifting results
// (CoreMemory). Shared by the export bindings (component.ts,
// sockets-binding.ts), the syscalls imports (syscalls.ts) and the plugin
// linker (sandbox/linker.ts).

import { WORD } from './generated/abi-layout.js';

type Realloc = (old: number, oldSize: number, align: number, size: number) => number;

/** Views of one instance's linear memory, refreshed after it grows. */
export class MemoryView {
  readonly #memory: WebAssembly.Memory;
  bytes: Buffer;
  view: DataView;

  constructor(memory: WebAssembly.Memory) {
    this.#memory = memory;
    this.bytes = Buffer.from(memory.buffer);
    this.view = new DataView(memory.buffer);
  }

  get size(): number {
    return this.#memory.buffer.byteLength;
  }

  /** Refresh the views after the memory grew. */
  fresh(): void {
    if (this.bytes.buffer !== this.#memory.buffer) {
      this.bytes = Buffer.from(this.#memory.buffer);
      this.view = new DataView(this.#memory.buffer);
    }
  }
}

/** An engine instance's memory with its cabi_realloc: lowering values into it. */
export class CoreMemory extends MemoryView {
  readonly #realloc: Realloc;
  /** Where the last lowering put its value. */
  ptr = 0;
  len = 0;

  constructor(memory: WebAssembly.Memory, realloc: Realloc) {
    super(memory);
    this.#realloc = realloc;
  }

  /** A block of `len` bytes in the instance, which then owns it. */
  allocate(len: number): number {
    const ptr = this.#realloc(0, 0, 1, len);
    this.fresh();
    return ptr;
  }

  /** Give back a block from {@link allocate} that was never handed over. */
  free(ptr: number): void {
    this.#realloc(ptr, 0, 1, 0);
  }

  // The callee owns what we allocate; it frees at post-return. A string
  // needs at most 3 UTF-8 bytes per UTF-16 unit; empty values pass (1, 0)
  // without allocating, as jco does.
  lowerString(s: string): void {
    if (s.length === 0) {
      this.ptr = 1;
      this.len = 0;
      return;
    }
    const ptr = this.allocate(s.length * 3);
    this.ptr = ptr;
    // Short ASCII strings (most paths) are copied inline: cheaper than the
    // native call behind Buffer#write.
    if (s.length <= 128) {
      const b = this.bytes;
      let i = 0;
      for (; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[ptr + i] = c;
      }
      if (i === s.length) {
        this.len = i;
        return;
      }
    }
    this.len = this.bytes.write(s, ptr, s.length * 3, 'utf8');
  }

  lowerBytes(b: Uint8Array): void {
    if (b.length === 0) {
      this.ptr = 1;
      this.len = 0;
      return;
    }
    const ptr = this.allocate(b.length);
    this.bytes.set(b, ptr);
    this.ptr = ptr;
    this.len = b.length;
  }

  /** Lower a list of 32-bit words (list<u32>, list<s32>, handles). */
  lowerWords(words: ArrayLike<number>): void {
    if (words.length === 0) {
      this.ptr = WORD.align;
      this.len = 0;
      return;
    }
    const ptr = this.allocate(words.length * WORD.size);
    for (let i = 0; i < words.length; i++) this.view.setInt32(ptr + WORD.size * i, words[i]!, true);
    this.ptr = ptr;
    this.len = words.length;
  }

  /** A copy of [ptr, ptr + len). */
  copy(ptr: number, len: number): Buffer {
    const out = Buffer.allocUnsafe(len);
    this.bytes.copy(out, 0, ptr, ptr + len);
    return out;
  }

  utf8(ptr: number, len: number): string {
    return this.bytes.toString('utf8', ptr, ptr + len);
  }
}
