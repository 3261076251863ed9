// host/ test/ bench/ -> dist/ with the pinned TypeScript compiler.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export async function run() {
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', new URL('../tsconfig.json', import.meta.url).pathname], {
    stdio: 'inherit',
  });
}
