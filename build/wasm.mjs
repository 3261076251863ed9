// assembly/ -> dist/unixsock.core.wasm with the pinned AssemblyScript compiler.
// The incremental runtime's TLSF allocator backs every canonical-ABI block;
// `--use abort=` removes the env.abort import (see assembly/index.ts).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function run() {
  mkdirSync(`${root}dist`, { recursive: true });
  const { error, stderr } = await asc.main(
    [
      'assembly/index.ts',
      '--outFile', 'dist/unixsock.core.wasm',
      '--optimizeLevel', '3',
      '--shrinkLevel', '1',
      '--noAssert',
      '--runtime', 'incremental',
      '--use', 'abort=assembly/index/trap',
      '--disableWarning', '235',
    ],
    { baseDir: root },
  );
  if (error) {
    console.error(stderr.toString());
    throw error;
  }
}
