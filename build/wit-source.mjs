// The WIT package as one source string: world.wit (which carries the
// `package` line) followed by every other wit/*.wit file, in name order.
// wasm-tools' embed reads a single source, so this is how the build hands it
// the package without a preopened filesystem.
import { readFileSync, readdirSync } from 'node:fs';

export const WIT_DIR = new URL('../wit/', import.meta.url);

export function witSource() {
  const files = readdirSync(WIT_DIR).filter((f) => f.endsWith('.wit') && f !== 'world.wit').sort();
  return ['world.wit', ...files].map((f) => readFileSync(new URL(f, WIT_DIR), 'utf8')).join('\n');
}
