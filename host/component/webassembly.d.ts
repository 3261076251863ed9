// The slice of the WebAssembly JS API that host/ uses. TypeScript ships these
// types only in lib.dom, which would bring browser globals into a Node library.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array<ArrayBuffer> | ArrayBuffer);
    static exports(module: Module): { name: string; kind: string }[];
    static imports(module: Module): { module: string; name: string; kind: string }[];
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class RuntimeError extends Error {}
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
}
