// Child process of the smoke suite (test/bun/smoke.ts): the peer of a plugin
// that blocks in `accept PATH TIMEOUT` (the engine's `wait` import). Connects
// to argv[2] as soon as something listens there, using only calls that
// never wait on libuv readiness (so it runs under Bun too), holds the
// connection for a moment, and exits 0; exits 1 if nothing listened within
// 5 s.
import { RawSocket } from '../../host/index.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: connector.js <path>');
const deadline = Date.now() + 5000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

for (;;) {
  const s = RawSocket.create('stream');
  try {
    await s.connect(path);
    await sleep(300);
    s.close();
    console.log('connector: connected');
    process.exit(0);
  } catch (err) {
    s.close();
    const code = (err as { code?: string }).code;
    if ((code !== 'ENOENT' && code !== 'ECONNREFUSED') || Date.now() > deadline) {
      console.error(`connector: ${String(err)}`);
      process.exit(1);
    }
    await sleep(5);
  }
}
