// `npm run bench`: every benchmark, side by side, ratios from the same run.
// Figures vary run to run on a shared 2-core machine: compare ratios, repeat,
// report medians.
import * as address from './address.js';
import * as fanout from './fanout.js';
import * as http from './http.js';
import * as message from './message.js';
import * as plugin from './plugin.js';
import * as stream from './stream.js';

const BENCHES: Record<string, { run: () => Promise<void> }> = { address, stream, fanout, message, plugin, http };

const only = process.argv.slice(2);
for (const [name, bench] of Object.entries(BENCHES)) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`\n== ${name} ==`);
  await bench.run();
}
