// host/ test/ bench/ -> dist/ with the pinned TypeScript compiler.
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export async function run() {
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', new URL('../tsconfig.json', import.meta.url).pathname], {
    stdio: 'inherit',
  });
  // The `unixsock` bin: npx runs it directly, so it must be executable.
  chmodSync(new URL('../dist/host/cli.js', import.meta.url), 0o755);
}
