// The test files that exercise the public API: what a program using the
// package touches (host/index.ts's exports, the `unixsock` CLI, the
// examples), and the Wasm component and WIT every call goes through. These
// run on every runtime of `npm run test:runtimes` (Bun and Deno included);
// the rest run on every Node only:
// - native/*: the addon's internal functions one by one (the public tests
//   reach the same code through the API);
// - fuzz/*, hardening/*: long randomised and resource-limit runs;
// - packaging/*: npm pack and install (npm tooling, not the runtime);
// - docs/*: documentation text against the sources (runtime-independent).
// Paths are relative to test/ (dist/test/ once compiled), without ".test.ts".
export const PUBLIC_API_TESTS = [
  'host/*',
  'examples/examples',
  'assembly/*',
  'wit/vocabulary',
  'kernel/addresses',
  'sandbox/policy',
  'plugin/*',
];

/** A uvu file pattern (a regex over paths under dist/test) matching exactly these files. */
export function publicApiPattern() {
  const alternatives = PUBLIC_API_TESTS.map((p) => p.replace(/\*/g, '[^/]+'));
  return `^(${alternatives.join('|')})\\.test\\.js$`;
}
