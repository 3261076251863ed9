// The readiness watcher: events, stop/close semantics, and that it never
// keeps the process alive after close() or unref(). It runs on whichever
// backend this runtime calls for (native/src/readiness.h: libuv's uv_poll on
// Node, the epoll reactor on Bun and Deno); `npm run test:reactor` runs this
// file (and the rest of native/ and host/) again on Node with the reactor.
import { spawnSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { native, POLL_EVENT, SOCKET_TYPE } from '../../host/native/native.js';
import { READINESS } from '../../host/native/runtime.js';
import type { Poller } from '../../host/native/native.js';
import { errno, sleep, withTimeout } from './_support.js';
import { moduleArgv } from '../_helpers/runtime.js';

interface Event {
  status: number;
  events: number;
}

/** A stream socketpair plus a poller on its first end recording every callback. */
function watched(onEvent?: (event: Event, poller: Poller) => void) {
  const fds = new Int32Array(2);
  assert.is(native.socketPair(SOCKET_TYPE.stream, fds), 0);
  const [fd, peer] = [fds[0]!, fds[1]!];
  const seen: Event[] = [];
  const poller: Poller = new native.Poller(fd, (status, events) => {
    const event = { status, events };
    seen.push(event);
    onEvent?.(event, poller);
  });
  return {
    fd,
    peer,
    poller,
    seen,
    dispose() {
      poller.close();
      native.close(fd);
      native.close(peer);
    },
  };
}

/** Runs `body` with a watched pair, disposing of it even when an assertion fails. */
async function withWatched(
  body: (w: ReturnType<typeof watched>) => unknown,
  onEvent?: (event: Event, poller: Poller) => void,
): Promise<void> {
  const w = watched(onEvent);
  try {
    await body(w);
  } finally {
    w.dispose();
  }
}

/** Resolves with the first callback of a poller started with `events`. */
function nextEvent(fd: number, events: number): { poller: Poller; event: Promise<Event> } {
  let poller!: Poller;
  const event = new Promise<Event>((resolve) => {
    poller = new native.Poller(fd, (status, got) => {
      poller.stop();
      resolve({ status, events: got });
    });
  });
  assert.is(poller.start(events), 0);
  return { poller, event: withTimeout(event, 2000, 'a poll event') };
}

/** Runs an ES module snippet in a child node with `native` in scope. */
function child(body: string, timeout = 10_000, flags: string[] = []) {
  const module = new URL('../../host/native/native.js', import.meta.url).href;
  const script = `const { native } = await import(${JSON.stringify(module)});\n${body}`;
  const [cmd, ...args] = moduleArgv(script, [], flags);
  return spawnSync(cmd!, args, { encoding: 'utf8', timeout });
}

// ---------------------------------------------------------------------------

const Events = suite('Poller events');

Events('should report readable after the peer writes', async () => {
  const fds = new Int32Array(2);
  native.socketPair(SOCKET_TYPE.stream, fds);
  const { poller, event } = nextEvent(fds[0]!, POLL_EVENT.readable);
  try {
    assert.is(native.send(fds[1]!, Buffer.from('ready'), 0, 5), 5);
    const got = await event;
    assert.is(got.status, 0);
    assert.ok(got.events & POLL_EVENT.readable);
  } finally {
    poller.close();
    native.close(fds[0]!);
    native.close(fds[1]!);
  }
});

Events('should report writable on a fresh connected socket', async () => {
  const fds = new Int32Array(2);
  native.socketPair(SOCKET_TYPE.stream, fds);
  const { poller, event } = nextEvent(fds[0]!, POLL_EVENT.writable);
  try {
    assert.equal(await event, { status: 0, events: POLL_EVENT.writable });
  } finally {
    poller.close();
    native.close(fds[0]!);
    native.close(fds[1]!);
  }
});

Events('should report disconnect when the peer closes', async () => {
  const fds = new Int32Array(2);
  native.socketPair(SOCKET_TYPE.stream, fds);
  const { poller, event } = nextEvent(fds[0]!, POLL_EVENT.readable | POLL_EVENT.disconnect);
  try {
    native.close(fds[1]!);
    const got = await event;
    assert.is(got.status, 0);
    assert.ok(got.events & POLL_EVENT.disconnect, `events ${got.events}`);
  } finally {
    poller.close();
    native.close(fds[0]!);
  }
});

Events('should run on the backend its runtime calls for, and refuse unknown backends', () => {
  assert.is(native.readiness(), READINESS);
  assert.throws(() => native.setReadiness('epoll' as 'reactor'), TypeError);
  assert.throws(() => (native.setReadiness as (b: unknown) => number)(1), TypeError);
  assert.is(native.readiness(), READINESS);
});

Events('should report again while the condition holds (level-triggered), until it is read', () =>
  withWatched(async (w) => {
    native.send(w.peer, Buffer.from('xy'), 0, 2);
    assert.is(w.poller.start(POLL_EVENT.readable), 0);
    await withTimeout(
      (async () => {
        while (w.seen.length < 3) await sleep(1);
      })(),
      2000,
      'three events for one unread byte pair',
    );
    assert.is(native.recv(w.fd, Buffer.alloc(8), 0, 8), 2);
    await sleep(20);
    const settled = w.seen.length;
    await sleep(100);
    assert.is(w.seen.length, settled, 'no event once the data was read');
  }));

Events('should report nothing after stop', () =>
  withWatched(async (w) => {
    assert.is(w.poller.start(POLL_EVENT.readable), 0);
    assert.is(w.poller.stop(), 0);
    native.send(w.peer, Buffer.from('x'), 0, 1);
    await sleep(100);
    assert.is(w.seen.length, 0);
    // ... and reports again once restarted.
    assert.is(w.poller.start(POLL_EVENT.readable), 0);
    await withTimeout(
      (async () => {
        while (w.seen.length === 0) await sleep(5);
      })(),
      2000,
      'the restarted poller',
    );
  }));

Events('should report nothing after close, even with an event already pending', () =>
  withWatched(async (w) => {
    native.send(w.peer, Buffer.from('x'), 0, 1);
    assert.is(w.poller.start(POLL_EVENT.readable | POLL_EVENT.writable), 0);
    w.poller.close();
    await sleep(100);
    assert.is(w.seen.length, 0);
  }));

Events('should deliver exactly one callback when the callback closes the poller', () =>
  withWatched(
    async (w) => {
      // Level-triggered: unread data would be reported on every loop iteration.
      native.send(w.peer, Buffer.from('x'), 0, 1);
      assert.is(w.poller.start(POLL_EVENT.readable), 0);
      await sleep(100);
      assert.is(w.seen.length, 1);
    },
    (_, poller) => poller.close(),
  ));

Events('should make close idempotent and start/stop/ref/unref harmless after it', () =>
  withWatched((w) => {
    assert.is(w.poller.start(POLL_EVENT.readable), 0);
    w.poller.close();
    w.poller.close();
    assert.is(w.poller.start(POLL_EVENT.readable), errno('EBADF'));
    assert.is(w.poller.stop(), 0);
    w.poller.ref();
    w.poller.unref();
  }));

Events('should return -EINVAL for unknown event bits', () =>
  withWatched((w) => {
    assert.is(w.poller.start(8), errno('EINVAL'));
    assert.is(w.poller.start(POLL_EVENT.readable | 16), errno('EINVAL'));
  }));

Events('should report a bad descriptor from start instead of throwing', () => {
  const fd = native.socket(SOCKET_TYPE.stream);
  native.close(fd);
  const poller = new native.Poller(fd, () => {});
  try {
    assert.is(poller.start(POLL_EVENT.readable), errno('EBADF'));
  } finally {
    poller.close();
  }
});

Events('should report -EEXIST for a second poller on a descriptor already watched', () =>
  withWatched((w) => {
    assert.is(w.poller.start(POLL_EVENT.readable), 0);
    const second = new native.Poller(w.fd, () => {});
    try {
      assert.is(second.start(POLL_EVENT.readable), errno('EEXIST'));
    } finally {
      second.close();
    }
  }));

/** A stream socketpair, closed after `body` (even when an assertion fails). */
async function withPair(body: (fd: number, peer: number) => unknown): Promise<void> {
  const fds = new Int32Array(2);
  assert.is(native.socketPair(SOCKET_TYPE.stream, fds), 0);
  try {
    await body(fds[0]!, fds[1]!);
  } finally {
    native.close(fds[0]!);
    native.close(fds[1]!);
  }
}

Events('should deliver no event to a poller closed by another callback of the same wakeup', () =>
  // Both are writable at once, so their events come in one batch; whichever
  // runs first closes both: the other must not be called.
  withPair(async (a) => {
    await withPair(async (b) => {
      let calls = 0;
      const close = (): void => {
        calls++;
        pa.close();
        pb.close();
      };
      const pa = new native.Poller(a, close);
      const pb = new native.Poller(b, close);
      try {
        assert.is(pa.start(POLL_EVENT.writable), 0);
        assert.is(pb.start(POLL_EVENT.writable), 0);
        await sleep(100);
        assert.is(calls, 1);
      } finally {
        pa.close();
        pb.close();
      }
    });
  }));

Events('should keep every semantic once busy (past the libuv backend\'s move to a handle of its own)', () =>
  // The libuv backend moves a watch that fired 16 times out of its shared
  // epoll set; stop, start, level-triggered events and close must not change.
  withPair(async (fd, peer) => {
    let writable = 0;
    let readable = 0;
    let status = 0;
    let resolveBusy!: () => void;
    const busy = new Promise<void>((resolve) => (resolveBusy = resolve));
    const poller = new native.Poller(fd, (s, got) => {
      if (s !== 0) status = s;
      if (got & POLL_EVENT.readable) readable++;
      if (got & POLL_EVENT.writable && ++writable === 40) {
        poller.stop();
        resolveBusy();
      }
    });
    try {
      assert.is(poller.start(POLL_EVENT.writable), 0);
      await withTimeout(busy, 2000, '40 writable events');
      await sleep(20);
      assert.is(writable, 40, 'no event after stop()');
      native.send(peer, Buffer.from('x'), 0, 1);
      assert.is(poller.start(POLL_EVENT.readable), 0);
      await sleep(50);
      assert.ok(readable >= 2, `level-triggered: ${readable} readable events`);
      assert.is(status, 0);
      poller.close();
      const after = readable;
      await sleep(50);
      assert.is(readable, after, 'no event after close');
      assert.is(poller.start(POLL_EVENT.readable), errno('EBADF'));
    } finally {
      poller.close();
    }
  }));

Events.run();

// ---------------------------------------------------------------------------

const Lifetime = suite('Poller lifetime');

const SETUP = `
  const fds = new Int32Array(2);
  native.socketPair(1, fds);
  const poller = new native.Poller(fds[0], () => {});
  poller.start(1);
`;

Lifetime('should take the reactor when the diagnostic UNIXSOCK_READINESS=reactor asks, and keep it', () => {
  const result = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `const { native } = await import(${JSON.stringify(new URL('../../host/native/native.js', import.meta.url).href)}); process.stdout.write([native.readiness(), native.setReadiness('reactor'), native.setReadiness('libuv')].join(' '));`],
    { encoding: 'utf8', timeout: 10_000, env: { ...process.env, UNIXSOCK_READINESS: 'reactor' } },
  );
  assert.is(result.status, 0, result.stderr);
  assert.is(result.stdout.trim(), `reactor 0 ${errno('EBUSY')}`);
});

Lifetime('should queue a Drain again when the JS thread has not started it, and still deliver each event once (reactor)', () => {
  // The reactor thread re-queues a Drain that has not started after 10, 20, 40 ms...
  // (native/src/reactor.cc, "Lost wake-ups": Deno 2.9 can lose a cross-thread wake-up).
  // Here the JS thread is busy for 150 ms after the peer writes, so the thread re-queues;
  // the extra Drains must find nothing to deliver twice.
  const result = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `
      const { native, SOCKET_TYPE, POLL_EVENT } = await import(${JSON.stringify(new URL('../../host/native/native.js', import.meta.url).href)});
      const fds = new Int32Array(2);
      native.socketPair(SOCKET_TYPE.stream, fds);
      const buf = Buffer.alloc(16);
      let calls = 0, bytes = 0;
      const poller = new native.Poller(fds[0], (status, events) => {
        calls++;
        const n = native.recv(fds[0], buf, 0, buf.length);
        if (n > 0) bytes += n;
      });
      poller.start(POLL_EVENT.readable);
      native.send(fds[1], Buffer.from('x'), 0, 1);
      const until = performance.now() + 150;
      while (performance.now() < until);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const stats = native.readinessStats();
      poller.close();
      native.close(fds[0]);
      native.close(fds[1]);
      process.stdout.write(JSON.stringify({ backend: native.readiness(), calls, bytes, nudges: stats.nudges, pending: stats.pending }));
    `],
    { encoding: 'utf8', timeout: 10_000, env: { ...process.env, UNIXSOCK_READINESS: 'reactor' } },
  );
  assert.is(result.status, 0, result.stderr);
  const out = JSON.parse(result.stdout) as { backend: string; calls: number; bytes: number; nudges: number; pending: number };
  assert.is(out.backend, 'reactor');
  assert.is(out.bytes, 1);
  assert.is(out.calls, 1, 'one event, one callback');
  assert.ok(out.nudges >= 1, `re-queued ${out.nudges} times while the JS thread was busy`);
  assert.is(out.pending, 0);
});

// A poller that has fired 40 times (busy: the libuv backend gave it a handle of its own), now waiting for readable.
const BUSY = `
  const fds = new Int32Array(2);
  native.socketPair(1, fds);
  let fired = 0;
  const poller = new native.Poller(fds[0], () => { if (++fired === 40) poller.start(1); });
  poller.start(2);
  await new Promise((resolve) => { const check = () => (fired >= 40 ? resolve() : setTimeout(check, 5)); check(); });
`;

Lifetime('should let the process exit after close', () => {
  const result = child(`${SETUP} poller.close();`);
  assert.is(result.signal, null, 'the child exited by itself');
  assert.is(result.status, 0, result.stderr);
});

Lifetime('should let the process exit after unref while still started', () => {
  const result = child(`${SETUP} poller.unref();`);
  assert.is(result.signal, null, 'the child exited by itself');
  assert.is(result.status, 0, result.stderr);
});

Lifetime('should keep the process alive while started and referenced', () => {
  const result = child(SETUP, 750);
  assert.is(result.signal, 'SIGTERM', 'the child was still running at the timeout');
});

Lifetime('should keep the lifetime rules once busy: alive while started and referenced, exit after unref or close', () => {
  const alive = child(BUSY, 1500);
  assert.is(alive.signal, 'SIGTERM', 'the child was still running at the timeout');
  for (const end of ['poller.unref();', 'poller.close();', 'poller.unref(); poller.ref(); poller.stop();']) {
    const result = child(`${BUSY} ${end}`);
    assert.is(result.signal, null, `the child exited by itself after ${end}`);
    assert.is(result.status, 0, result.stderr);
  }
});

Lifetime('should keep a started poller working after its last JS reference is collected', () => {
  const result = child(
    `
    const fds = new Int32Array(2);
    native.socketPair(1, fds);
    let calls = 0;
    (() => {
      const dropped = new native.Poller(fds[0], () => { calls += 1; if (calls === 1) console.log('event'); });
      dropped.start(1);
      new native.Poller(fds[1], () => {});  // never started: collectable
    })();
    for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
    native.send(fds[1], new Uint8Array(1), 0, 1);
    await new Promise((r) => setTimeout(r, 100));
    process.exit(calls > 0 ? 0 : 3);
    `,
    10_000,
    ['--expose-gc'],
  );
  assert.is(result.signal, null);
  assert.is(result.status, 0, result.stderr);
  assert.is(result.stdout.trim(), 'event');
});

Lifetime('should let closed, unreferenced Pollers and StreamEngines be collected (no strong self-reference)', () => {
  // The async context once took the object itself as its resource, which
  // Node >= 24 holds strongly: nothing was ever collected (10,000 connections
  // kept ~30 MiB). Each case is made in a function, so no binding outlives it.
  const result = child(
    `
    let collected = 0;
    const registry = new FinalizationRegistry(() => { collected += 1; });
    function one(i) {
      const fds = new Int32Array(2);
      native.socketPair(1, fds);
      const watcher = i % 2 === 0 ? new native.Poller(fds[0], () => {}) : new native.StreamEngine(fds[0], () => {});
      if (i % 4 < 2) { watcher.close(); }
      registry.register(watcher, i);
      native.close(fds[0]);
      native.close(fds[1]);
    }
    for (let i = 0; i < 400; i++) one(i);
    for (let i = 0; i < 10 && collected < 400; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
    process.stdout.write(String(collected));
    `,
    10_000,
    ['--expose-gc'],
  );
  assert.is(result.status, 0, result.stderr);
  assert.ok(Number(result.stdout) >= 390, `collected ${result.stdout} of 400`);
});

Lifetime('should route an exception thrown by the callback to uncaughtException', () => {
  const result = child(`
    process.on('uncaughtException', (error) => {
      console.log('caught ' + error.message);
      poller.close();
    });
    const fds = new Int32Array(2);
    native.socketPair(1, fds);
    const poller = new native.Poller(fds[0], () => { throw new Error('boom'); });
    poller.start(2);
  `);
  assert.is(result.signal, null);
  assert.is(result.status, 0, result.stderr);
  assert.is(result.stdout.trim(), 'caught boom');
});

Lifetime('should close its handle cleanly when a worker thread is terminated', () => {
  // The poller fires on every loop iteration (writable) while the worker is
  // terminated; teardown must close the handle before the addon is unloaded.
  const module = new URL('../../host/native/native.js', import.meta.url).href;
  const worker = `(async () => {
    const { parentPort } = await import('node:worker_threads');
    const { native } = await import(${JSON.stringify(module)});
    const fds = new Int32Array(2);
    native.socketPair(1, fds);
    let sent = false;
    const active = new native.Poller(fds[0], () => { if (!sent) { sent = true; parentPort.postMessage('event'); } });
    active.start(2);
    new native.Poller(fds[1], () => {});  // idle, never closed
    // Busy, then quiet (waiting for readable), and one closed while its close is pending.
    const more = new Int32Array(2);
    native.socketPair(1, more);
    let fired = 0;
    const busy = new native.Poller(more[0], () => { if (++fired === 40) busy.start(1); });
    busy.start(2);
    const closing = new native.Poller(more[1], () => {});
    closing.start(1);
    closing.close();
  })();`;
  // The main thread must not load the addon itself, or terminating the worker
  // would not unload it and a late close callback would go unnoticed.
  const main = `
    import { Worker } from 'node:worker_threads';
    for (let i = 0; i < 3; i++) {
      const worker = new Worker(${JSON.stringify(worker)}, { eval: true });
      await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
      await worker.terminate();
    }
    console.log('done');
  `;
  const [cmd, ...args] = moduleArgv(main);
  const result = spawnSync(cmd!, args, { encoding: 'utf8', timeout: 10_000 });
  assert.is(result.signal, null, result.stderr);
  assert.is(result.status, 0, result.stderr);
  assert.is(result.stdout.trim(), 'done');
});

Lifetime.run();
