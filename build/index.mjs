// `npm install` / `npm run build`: every artifact, in dependency order.
//   wasm       assembly/ -> dist/unixsock.core.wasm        (build/wasm.mjs)
//   component  core + wit/ -> dist/unixsock.wasm           (build/component.mjs)
//   plugins    C plugins -> dist/plugins/*.wasm             (build/plugins.mjs; cached)
//   native     native/ -> native/build/Release/*.node      (build/native.mjs)
//   prebuild   that addon, and native/ cross-compiled -> prebuilds/<target>/ (build/prebuild.mjs; what npm pack ships)
//   ts         host/ test/ bench/ -> dist/                 (build/typescript.mjs)
//   types      dist/unixsock.wasm -> host/component/generated/*.d.ts (build/types.mjs; only on request)
//   abi        wit/ -> host/component/generated/abi-layout.ts        (build/wit-abi.mjs; only on request)
// `--ts` runs only the TypeScript step (what `npm test` and `npm run bench` need
// after an install); `--only=a,b` picks steps by name.
import { performance } from 'node:perf_hooks';

const STEPS = ['wasm', 'component', 'plugins', 'native', 'prebuild', 'ts'];
// Not run by default: rewrites committed files (see build/types.mjs).
const EXTRA = ['types', 'abi'];
const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const steps = args.includes('--ts') ? ['ts'] : only ?? STEPS;

for (const name of steps) {
  if (!STEPS.includes(name) && !EXTRA.includes(name)) throw new Error(`unknown build step ${name}; steps: ${STEPS.join(', ')}`);
  const started = performance.now();
  const step = await import(`./${{ ts: 'typescript', abi: 'wit-abi' }[name] ?? name}.mjs`);
  try {
    await step.run();
  } catch (err) {
    // The step printed its own diagnostics; one line says which step failed.
    console.error(`build: ${name} failed: ${err.message.split('\n')[0]}`);
    process.exit(1);
  }
  if (!args.includes('--quiet')) {
    console.log(`build: ${name} ${(performance.now() - started).toFixed(0)} ms`);
  }
}
