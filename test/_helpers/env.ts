// The environment for a child process whose output a test reads: no colors.
//
// uvu's runner sets FORCE_COLOR=1 in its own environment (bin.js, unless
// --no-color), so a child inherits it. Adding NO_COLOR=1 beside it is not
// enough: FORCE_COLOR wins, and Node >= 22 also prints "Warning: The
// 'NO_COLOR' env is ignored due to the 'FORCE_COLOR' env being set." on
// stderr as soon as anything loads its color support (node:util does).
// Node 24 prints it before the child's own first line, so a test matching
// the start of stderr fails there; Node 22 prints it after.

/** process.env with NO_COLOR=1, without FORCE_COLOR, plus `extra`. */
export function plainEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  delete env.FORCE_COLOR;
  return env;
}
