// The stream data engine against the real kernel: data both ways, back-pressure
// (readStop/readStart, queued writes), ordering, end/error/shutdown events,
// close semantics, and that it never keeps the process alive or leaks.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { READINESS } from '../../host/native/runtime.js';
import { native, SHUTDOWN, SOCKET_TYPE, STREAM_EVENT } from '../../host/native/native.js';
import type { StreamEngine } from '../../host/native/native.js';
import { errno, openDescriptorCount, sleep, withTimeout } from './_support.js';
import { collectGarbage, moduleArgv } from '../_helpers/runtime.js';

interface Event {
  type: number;
  a?: unknown;
}

type Handler = (type: number, a: unknown, engine: StreamEngine) => void;

/** A stream engine on `fd` recording every event, with a bounded wait. */
function watch(fd: number, onEvent?: Handler) {
  const events: Event[] = [];
  const chunks: Buffer[] = [];
  let waiters: Array<() => void> = [];
  const engine: StreamEngine = new native.StreamEngine(fd, (type: number, a?: unknown) => {
    events.push(a === undefined ? { type } : { type, a });
    if (type === STREAM_EVENT.data) chunks.push(a as Buffer);
    onEvent?.(type, a, engine);
    for (const waiter of [...waiters]) waiter();
  });
  return {
    engine,
    events,
    chunks,
    /** Concatenation of every data event so far. */
    data: () => Buffer.concat(chunks),
    /** Events of one type. */
    of: (type: number) => events.filter((event) => event.type === type),
    /** Resolves once `predicate()` holds (checked after every event), or rejects after `ms`. */
    until(predicate: () => boolean, what: string, ms = 5000): Promise<void> {
      return withTimeout(
        new Promise<void>((resolve) => {
          const check = () => {
            if (!predicate()) return;
            waiters = waiters.filter((waiter) => waiter !== check);
            resolve();
          };
          waiters.push(check);
          check();
        }),
        ms,
        what,
      );
    },
  };
}

/** A connected stream socketpair. */
function pair(): [number, number] {
  const fds = new Int32Array(2);
  assert.is(native.socketPair(SOCKET_TYPE.stream, fds), 0);
  return [fds[0]!, fds[1]!];
}

/** Runs `body` with a socketpair whose descriptors are closed afterwards (engines first). */
async function withPair(body: (a: number, b: number, engines: StreamEngine[]) => unknown): Promise<void> {
  const [a, b] = pair();
  const engines: StreamEngine[] = [];
  try {
    await body(a, b, engines);
  } finally {
    for (const engine of engines) engine.close();
    native.close(a);
    native.close(b);
  }
}

/** Reads `fd` with plain recv until EOF (or `limit` bytes), polling; bounded by `ms`. */
async function drain(fd: number, ms = 10_000, limit = Infinity): Promise<{ bytes: Buffer; eof: boolean }> {
  const parts: Buffer[] = [];
  let total = 0;
  const into = Buffer.allocUnsafe(256 * 1024);
  const deadline = Date.now() + ms;
  for (;;) {
    const n = native.recv(fd, into, 0, into.length);
    if (n > 0) {
      parts.push(Buffer.from(into.subarray(0, n)));
      total += n;
      if (total >= limit) return { bytes: Buffer.concat(parts), eof: false };
      continue;
    }
    if (n === 0) return { bytes: Buffer.concat(parts), eof: true };
    if (n !== errno('EAGAIN')) throw new Error(`recv: ${n}`);
    if (Date.now() > deadline) throw new Error(`timed out draining fd ${fd} (${total} bytes)`);
    await sleep(1);
  }
}

/** Runs an ES module snippet in a child node with `native` in scope. */
function child(body: string, timeout = 10_000, flags: string[] = []) {
  const module = new URL('../../host/native/native.js', import.meta.url).href;
  const script = `const { native } = await import(${JSON.stringify(module)});\n${body}`;
  const [cmd, ...args] = moduleArgv(script, [], flags);
  return spawnSync(cmd!, args, { encoding: 'utf8', timeout });
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

// ---------------------------------------------------------------------------

const Data = suite('StreamEngine data');

Data('should export the event numbers declared in host/native/native.ts', () => {
  assert.equal({ ...native.STREAM_EVENT }, { ...STREAM_EVENT });
});

Data('should carry data both ways over a socketpair', () =>
  withPair(async (a, b, engines) => {
    const left = watch(a);
    const right = watch(b);
    engines.push(left.engine, right.engine);
    assert.is(left.engine.readStart(), 0);
    assert.is(right.engine.readStart(), 0);
    assert.is(left.engine.write(Buffer.from('hello, '), 1), 1);
    assert.is(left.engine.write([Buffer.from('right '), new Uint8Array(0), Buffer.from('side')], 2), 1);
    await right.until(() => right.data().length === 17, 'data at the right end');
    assert.is(right.data().toString(), 'hello, right side');
    assert.ok(Buffer.isBuffer(right.chunks[0]), 'data events carry Buffers');
    assert.is(right.engine.write(Buffer.from('and back'), 3), 1);
    await left.until(() => left.data().length === 8, 'data at the left end');
    assert.is(left.data().toString(), 'and back');
    // Synchronous writes get no 'written' event.
    assert.is(left.of(STREAM_EVENT.written).length + right.of(STREAM_EVENT.written).length, 0);
    assert.is(left.engine.bytesWritten, 17);
    assert.is(right.engine.bytesRead, 17);
    assert.is(right.engine.bytesWritten, 8);
    assert.is(left.engine.bytesRead, 8);
  }));

Data('should coalesce what is queued into one data event, up to the read cap', () =>
  withPair(async (a, b, engines) => {
    const payload = randomBytes(100_000);
    assert.is(native.send(b, payload, 0, payload.length), payload.length);
    const reader = watch(a);
    engines.push(reader.engine);
    assert.is(reader.engine.readStart(), 0);
    await reader.until(() => reader.data().length === payload.length, 'the payload');
    assert.is(reader.chunks.length, 1, 'one data event for everything queued');
    assert.ok(reader.data().equals(payload));

    assert.is(reader.engine.setReadCap(1000), 0);
    assert.is(native.send(b, payload, 0, 5000), 5000);
    await reader.until(() => reader.data().length === payload.length + 5000, 'the capped reads');
    assert.is(reader.chunks.length, 6);
    for (const chunk of reader.chunks.slice(1)) assert.is(chunk.length, 1000);
    assert.ok(reader.data().subarray(payload.length).equals(payload.subarray(0, 5000)));
  }));

Data('should read on in one wakeup, up to 4 data events, while each read took all that was queued up to the cap', () =>
  withPair(async (a, b, engines) => {
    // Events of one wakeup share a callback scope: a microtask queued by the
    // first runs only after the last, so it sees how many came together.
    const wakeups: number[] = [];
    let count = 0;
    const reader = watch(a, (type) => {
      if (type !== STREAM_EVENT.data) return;
      if (count++ === 0) queueMicrotask(() => { wakeups.push(count); count = 0; });
    });
    engines.push(reader.engine);
    const cap = 20_000;  // above the 16 KiB from which reads are sized by FIONREAD
    assert.is(reader.engine.setReadCap(cap), 0);
    const payload = randomBytes(6 * cap);
    assert.is(native.send(b, payload, 0, cap), cap);
    assert.is(reader.engine.readStart(), 0);
    await reader.until(() => reader.data().length === cap, 'the first read');
    assert.is(native.send(b, payload, cap, 5 * cap), 5 * cap);
    await reader.until(() => reader.data().length === payload.length, 'the rest');
    assert.ok(reader.data().equals(payload));
    assert.equal(reader.chunks.map((c) => c.length), Array(6).fill(cap));
    if (READINESS === 'libuv') {
      assert.equal(wakeups, [1, 4, 1], 'the first read alone, then 4 reads in one wakeup and the last in the next');
    } else {
      // The reactor delivers a batch of readiness events inside one threadsafe-function
      // call, whose callback scope drains microtasks once for all of them: the second
      // and third wakeups may share one (and do, when the JS thread's own non-blocking
      // epoll_wait finds the socket readable again right away).
      assert.is(wakeups[0], 1, 'the first read alone');
      assert.is(wakeups.reduce((x, y) => x + y, 0), 6);
      assert.ok(wakeups.length <= 3, `wakeups ${JSON.stringify(wakeups)}`);
    }
  }));

Data('should reject an invalid read cap with -EINVAL', () =>
  withPair((a, _b, engines) => {
    const { engine } = watch(a);
    engines.push(engine);
    assert.is(engine.setReadCap(0), errno('EINVAL'));
    assert.is(engine.setReadCap(2 ** 30), errno('EINVAL'));
    assert.throws(() => engine.setReadCap(-1), TypeError);
  }));

Data('should deliver nothing while stopped and resume on readStart', () =>
  withPair(async (a, b, engines) => {
    const reader = watch(a);
    engines.push(reader.engine);
    assert.is(reader.engine.readStart(), 0);
    assert.is(reader.engine.readStop(), 0);
    native.send(b, Buffer.from('held'), 0, 4);
    await sleep(50);
    assert.is(reader.events.length, 0);
    assert.is(reader.engine.readStart(), 0);
    await reader.until(() => reader.data().length === 4, 'the held bytes');
    assert.is(reader.data().toString(), 'held');
  }));

Data('should transfer 8 MiB intact and in order while the reader pauses and resumes', () =>
  withPair(async (a, b, engines) => {
    const total = 8 * 1024 * 1024;
    const payload = randomBytes(total);
    let paused = false;
    let dataWhilePaused = 0;
    let events = 0;
    const reader = watch(b, (type, _a, engine) => {
      if (type !== STREAM_EVENT.data) return;
      if (paused) dataWhilePaused++;
      if (++events % 3 === 0) {
        paused = true;
        assert.is(engine.readStop(), 0);
        setTimeout(() => {
          paused = false;
          engine.readStart();
        }, 1 + (events % 4));
      }
    });
    // Random write sizes, some as gathered arrays; back-pressure at 1 MiB queued.
    let offset = 0;
    let id = 0;
    let seed = 12345;
    const random = (limit: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return 1 + (seed % limit);
    };
    const writer = watch(a, (type) => {
      if (type === STREAM_EVENT.written) pump();
    });
    engines.push(reader.engine, writer.engine);
    const pump = () => {
      while (offset < total && writer.engine.writeQueueSize() < 1024 * 1024) {
        const size = Math.min(random(200_000), total - offset);
        const slice = payload.subarray(offset, offset + size);
        const chunks = id % 5 === 0 ? [slice.subarray(0, size >> 1), slice.subarray(size >> 1)] : slice;
        const r = writer.engine.write(chunks, ++id);
        assert.ok(r === 0 || r === 1, `write returned ${r}`);
        offset += size;
      }
    };
    assert.is(reader.engine.readStart(), 0);
    pump();
    await reader.until(() => reader.data().length >= total, '8 MiB', 30_000);
    const received = reader.data();
    assert.is(received.length, total);
    assert.is(sha256(received), sha256(payload));
    assert.is(dataWhilePaused, 0, 'no data event while stopped');
    assert.is(writer.engine.writeQueueSize(), 0);
    assert.is(writer.engine.bytesWritten, total);
    assert.is(reader.engine.bytesRead, total);
    assert.is(writer.of(STREAM_EVENT.error).length + reader.of(STREAM_EVENT.error).length, 0);
  }));

Data('should deliver small reads as Buffers that survive later reads', () =>
  withPair(async (a, b, engines) => {
    const reader = watch(a);
    engines.push(reader.engine);
    assert.is(reader.engine.readStart(), 0);
    const sent: Buffer[] = [];
    for (let i = 0; i < 400; i++) {
      const message = Buffer.from(`message ${i} `.repeat(1 + (i % 7)));
      sent.push(message);
      native.send(b, message, 0, message.length);
      await reader.until(() => reader.chunks.length === i + 1, `message ${i}`);
    }
    for (let i = 0; i < sent.length; i++) assert.ok(reader.chunks[i]!.equals(sent[i]!), `chunk ${i}`);
    // Receive buffer sizes stay small for small reads.
    assert.ok(reader.chunks.every((chunk) => chunk.length < 200));
  }));

// Large reads land in recycled blocks (native/src/blocks.h) that return to
// the pool when their Buffer is collected: one still referenced must never
// be reused.
Data('should never reuse the memory of a large received Buffer that is still referenced', () =>
  withPair(async (a, b, engines) => {
    const gc = collectGarbage;
    const total = 32 * 1024 * 1024;
    const payload = randomBytes(total);
    const kept: { offset: number; chunk: Buffer }[] = [];
    let received = 0;
    let large = 0;
    let chunks = 0;
    const reader = watch(b, (type, data) => {
      if (type !== STREAM_EVENT.data) return;
      const chunk = data as Buffer;
      if (chunk.length > 32 * 1024) large++;
      // Keep every third chunk; drop the rest so their blocks come back.
      if (chunks++ % 3 === 0) kept.push({ offset: received, chunk });
      received += chunk.length;
      reader.chunks.length = 0;  // watch() keeps every chunk otherwise
      if (chunks % 16 === 0) gc();
    });
    const writer = watch(a, (type) => {
      if (type === STREAM_EVENT.written) pump();
    });
    engines.push(reader.engine, writer.engine);
    let offset = 0;
    let id = 0;
    const pump = () => {
      while (offset < total && writer.engine.writeQueueSize() < 1024 * 1024) {
        const size = Math.min(256 * 1024, total - offset);
        const r = writer.engine.write(payload.subarray(offset, offset + size), ++id);
        assert.ok(r === 0 || r === 1, `write returned ${r}`);
        offset += size;
      }
    };
    assert.is(reader.engine.readStart(), 0);
    pump();
    await reader.until(() => received >= total, '32 MiB', 60_000);
    gc();
    await sleep(20);  // finalizers run after GC, on the event loop
    gc();
    assert.is(received, total);
    assert.ok(large > 0, 'some reads were large enough to use the block pool');
    for (const { offset: at, chunk } of kept) {
      assert.ok(chunk.equals(payload.subarray(at, at + chunk.length)), `chunk at ${at} unchanged`);
    }
  }));

Data.run();

// ---------------------------------------------------------------------------

const Writes = suite('StreamEngine writes');

Writes('should queue a write larger than the socket buffer and report written', () =>
  withPair(async (a, b, engines) => {
    const writer = watch(a);
    engines.push(writer.engine);
    const big = randomBytes(4 * 1024 * 1024);
    assert.is(writer.engine.write(big, 7), 0);
    const queued = writer.engine.writeQueueSize();
    assert.ok(queued > 0 && queued < big.length, `queued ${queued}`);
    const { bytes } = await drain(b, 10_000, big.length);
    assert.ok(bytes.equals(big));
    await writer.until(() => writer.events.length > 0, 'the written event');
    assert.equal(writer.events, [{ type: STREAM_EVENT.written, a: 7 }]);
    assert.is(writer.engine.writeQueueSize(), 0);
    assert.is(writer.engine.bytesWritten, big.length);
  }));

Writes('should keep later writes behind queued ones, in order', () =>
  withPair(async (a, b, engines) => {
    const writer = watch(a);
    engines.push(writer.engine);
    const big = randomBytes(1024 * 1024);
    assert.is(writer.engine.write(big, 1), 0);
    assert.is(writer.engine.write(Buffer.from('second'), 2), 0);
    assert.is(writer.engine.write([Buffer.from('thi'), Buffer.from('rd')], 3), 0);
    assert.is(writer.engine.write([], 4), 0, 'an empty request still queues behind the others');
    assert.is(writer.engine.write(Buffer.from('last'), 5), 0);
    const expected = Buffer.concat([big, Buffer.from('secondthirdlast')]);
    const { bytes } = await drain(b, 10_000, expected.length);
    assert.ok(bytes.equals(expected), 'bytes arrive in write order');
    await writer.until(() => writer.events.length === 5, 'five written events');
    assert.equal(
      writer.events.map((event) => event.a),
      [1, 2, 3, 4, 5],
    );
    assert.ok(writer.events.every((event) => event.type === STREAM_EVENT.written));
  }));

Writes('should keep a queued Buffer alive without a JS reference', () => {
  const result = child(
    `
    const fds = new Int32Array(2);
    native.socketPair(1, fds);
    let written = 0;
    const engine = new native.StreamEngine(fds[0], (type) => { if (type === 4) written++; });
    const expected = [];
    for (let i = 0; i < 8; i++) {
      const chunk = Buffer.alloc(256 * 1024, i + 1);
      expected.push(i + 1);
      engine.write(chunk, i);
    }
    for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
    const into = Buffer.alloc(65536);
    const seen = [];
    let total = 0;
    const deadline = Date.now() + 5000;
    while (total < 8 * 256 * 1024 && Date.now() < deadline) {
      const n = native.recv(fds[1], into, 0, into.length);
      if (n > 0) {
        for (let j = 0; j < n; j++) if (seen.at(-1) !== into[j]) seen.push(into[j]);
        total += n;
      } else await new Promise((r) => setTimeout(r, 1));
    }
    while (written < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    engine.close();
    console.log(JSON.stringify({ total, seen, written }));
    `,
    10_000,
    ['--expose-gc'],
  );
  assert.is(result.status, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout), { total: 8 * 256 * 1024, seen: [1, 2, 3, 4, 5, 6, 7, 8], written: 8 });
});

Writes('should throw TypeError for bad arguments, even after close', () =>
  withPair((a, _b, engines) => {
    const { engine } = watch(a);
    engines.push(engine);
    assert.throws(() => engine.write('text' as unknown as Uint8Array, 1), TypeError);
    assert.throws(() => engine.write([Buffer.from('x'), 'y'] as unknown as Uint8Array[], 1), TypeError);
    assert.throws(() => engine.write(Buffer.from('x'), 'id' as unknown as number), TypeError);
    assert.throws(() => new native.StreamEngine('fd' as unknown as number, () => {}), TypeError);
    engine.close();
    assert.throws(() => engine.write(new Uint16Array(2) as unknown as Uint8Array, 1), TypeError);
  }));

Writes('should return -EPIPE for a write after the peer closed, without a signal', () =>
  withPair(async (a, b, engines) => {
    const writer = watch(a);
    engines.push(writer.engine);
    native.close(b);
    assert.is(writer.engine.write(Buffer.from('nobody'), 1), errno('EPIPE'));
    await sleep(20);
    assert.is(writer.events.length, 0, 'an immediate error is returned, not emitted');
    // withPair closes b again: harmless -EBADF.
  }));

Writes('should emit error when the peer closes while writes are queued, and stay alive', () =>
  withPair(async (a, b, engines) => {
    const writer = watch(a);
    engines.push(writer.engine);
    assert.is(writer.engine.write(randomBytes(2 * 1024 * 1024), 1), 0);
    native.close(b);
    await writer.until(() => writer.events.length > 0, 'the error event');
    const [event] = writer.events;
    assert.is(event?.type, STREAM_EVENT.error);
    assert.ok(event?.a === errno('EPIPE') || event?.a === errno('ECONNRESET'), `error ${String(event?.a)}`);
    assert.is(writer.engine.writeQueueSize(), 0, 'the queue was dropped');
    assert.is(writer.engine.write(Buffer.from('more'), 2), event?.a as number, 'later writes report the error');
    await sleep(50);
    assert.is(writer.events.length, 1, 'one error, no written event');
  }));

Writes('should survive a peer that vanishes mid-transfer in a child (no SIGPIPE)', () => {
  const result = child(`
    const fds = new Int32Array(2);
    native.socketPair(1, fds);
    const engine = new native.StreamEngine(fds[0], (type, a) => {
      if (type === 3) {
        console.log('error ' + a);
        const again = engine.write(Buffer.alloc(10), 2);
        console.log('write ' + again);
        engine.close();
        native.close(fds[0]);
      }
    });
    engine.write(Buffer.alloc(1 << 21), 1);
    native.close(fds[1]);
  `);
  assert.is(result.signal, null, result.stderr);
  assert.is(result.status, 0, result.stderr);
  const [error, write] = result.stdout.trim().split('\n');
  assert.match(error ?? '', /^error -(32|104)$/);
  assert.match(write ?? '', /^write -(32|104)$/);
});

Writes.run();

// ---------------------------------------------------------------------------

const Ends = suite('StreamEngine end, error, shutdown');

Ends('should emit end when the peer shuts down its write side', () =>
  withPair(async (a, b, engines) => {
    const reader = watch(a);
    engines.push(reader.engine);
    assert.is(reader.engine.readStart(), 0);
    native.send(b, Buffer.from('bye'), 0, 3);
    assert.is(native.shutdown(b, SHUTDOWN.write), 0);
    await reader.until(() => reader.of(STREAM_EVENT.end).length > 0, 'end');
    assert.equal(
      reader.events.map((event) => event.type),
      [STREAM_EVENT.data, STREAM_EVENT.end],
    );
    assert.is(reader.data().toString(), 'bye');
    // Reading stopped for good: nothing more, even when restarted.
    assert.is(reader.engine.readStart(), 0);
    await sleep(30);
    assert.is(reader.events.length, 2);
    // The write side still works after the peer's end.
    assert.is(reader.engine.write(Buffer.from('still'), 1), 1);
    assert.is((await drain(b, 2000, 5)).bytes.toString(), 'still');
  }));

Ends('should emit error -ECONNRESET when the peer closes with unread data', () =>
  withPair(async (a, b, engines) => {
    const reader = watch(a);
    engines.push(reader.engine);
    native.send(a, Buffer.from('unread'), 0, 6);  // never read by b
    native.close(b);
    assert.is(reader.engine.readStart(), 0);
    await reader.until(() => reader.events.length > 0, 'the error');
    assert.equal(reader.events, [{ type: STREAM_EVENT.error, a: errno('ECONNRESET') }]);
    await sleep(30);
    assert.is(reader.events.length, 1, 'no data or end after the error');
  }));

Ends('should shut down at once when nothing is queued', () =>
  withPair(async (a, b, engines) => {
    const writer = watch(a);
    engines.push(writer.engine);
    assert.is(writer.engine.write(Buffer.from('all'), 1), 1);
    assert.is(writer.engine.shutdownWrite(), 0);
    const { bytes, eof } = await drain(b, 2000);
    assert.is(bytes.toString(), 'all');
    assert.ok(eof, 'the peer sees EOF');
    assert.is(writer.engine.write(Buffer.from('late'), 2), errno('EPIPE'));
    await sleep(20);
    assert.is(writer.events.length, 0, 'an immediate shutdown emits nothing');
  }));

Ends('should defer shutdown until the queue drained, then emit it', () =>
  withPair(async (a, b, engines) => {
    const writer = watch(a);
    engines.push(writer.engine);
    const big = randomBytes(3 * 1024 * 1024);
    assert.is(writer.engine.write(big, 1), 0);
    assert.is(writer.engine.write(Buffer.from('tail'), 2), 0);
    assert.is(writer.engine.shutdownWrite(), 1);
    assert.is(writer.engine.write(Buffer.from('after'), 3), errno('EPIPE'));
    const { bytes, eof } = await drain(b, 10_000);
    assert.ok(eof, 'EOF after every byte');
    assert.ok(bytes.equals(Buffer.concat([big, Buffer.from('tail')])), 'all bytes before EOF');
    await writer.until(() => writer.of(STREAM_EVENT.shutdown).length > 0, 'the shutdown event');
    assert.equal(writer.events, [
      { type: STREAM_EVENT.written, a: 1 },
      { type: STREAM_EVENT.written, a: 2 },
      { type: STREAM_EVENT.shutdown, a: 0 },
    ]);
  }));

Ends.run();

// ---------------------------------------------------------------------------

const Close = suite('StreamEngine close');

Close('should deliver nothing after close() inside the data callback', () =>
  withPair(async (a, b, engines) => {
    const reader = watch(a, (type, _a, engine) => {
      if (type === STREAM_EVENT.data) engine.close();
    });
    engines.push(reader.engine);
    assert.is(reader.engine.readStart(), 0);
    native.send(b, Buffer.from('one'), 0, 3);
    await reader.until(() => reader.events.length > 0, 'the first data event');
    native.send(b, Buffer.from('two'), 0, 3);
    native.shutdown(b, SHUTDOWN.write);
    await sleep(50);
    assert.is(reader.events.length, 1);
  }));

Close('should stop emitting written events when closed inside one', () =>
  withPair(async (a, b, engines) => {
    const writer = watch(a, (type, _a, engine) => {
      if (type === STREAM_EVENT.written) engine.close();
    });
    engines.push(writer.engine);
    assert.is(writer.engine.write(randomBytes(1024 * 1024), 1), 0);
    assert.is(writer.engine.write(Buffer.from('x'), 2), 0);
    assert.is(writer.engine.write(Buffer.from('y'), 3), 0);
    assert.is(writer.engine.shutdownWrite(), 1);
    await drain(b, 10_000, 1024 * 1024);
    await writer.until(() => writer.events.length > 0, 'a written event');
    await sleep(50);
    assert.equal(writer.events, [{ type: STREAM_EVENT.written, a: 1 }]);
  }));

Close('should be idempotent and make every method harmless', () =>
  withPair((a, _b) => {
    const { engine, events } = watch(a);
    assert.is(engine.readStart(), 0);
    engine.close();
    engine.close();
    assert.is(engine.readStart(), errno('EBADF'));
    assert.is(engine.readStop(), errno('EBADF'));
    assert.is(engine.write(Buffer.from('x'), 1), errno('EBADF'));
    assert.is(engine.shutdownWrite(), errno('EBADF'));
    assert.is(engine.writeQueueSize(), 0);
    engine.ref();
    engine.unref();
    assert.is(events.length, 0);
  }));

Close('should emit nothing after close, even with data and writes pending', () =>
  withPair(async (a, b) => {
    const { engine, events } = watch(a);
    assert.is(engine.readStart(), 0);
    assert.is(engine.write(randomBytes(1024 * 1024), 1), 0);
    native.send(b, Buffer.from('pending'), 0, 7);
    native.shutdown(b, SHUTDOWN.write);
    engine.close();
    assert.is(engine.writeQueueSize(), 0);
    await drain(b, 2000, 1).catch(() => undefined);
    await sleep(50);
    assert.is(events.length, 0);
  }));

Close('should report a bad descriptor instead of throwing', () => {
  const fd = native.socket(SOCKET_TYPE.stream);
  native.close(fd);
  const engine = new native.StreamEngine(fd, () => {});
  try {
    assert.is(engine.readStart(), errno('EBADF'));
    assert.is(engine.write(Buffer.from('x'), 1), errno('EBADF'));
  } finally {
    engine.close();
  }
});

Close('should leave the descriptor count unchanged after 2,000 create/close cycles', async () => {
  const [a, b] = pair();
  try {
    const before = openDescriptorCount();
    const payload = Buffer.alloc(512 * 1024);
    for (let i = 0; i < 2000; i++) {
      const engine = new native.StreamEngine(a, () => {});
      assert.is(engine.readStart(), 0);
      if (i % 100 === 0) assert.ok(engine.write(payload, i) >= 0);
      engine.close();
      if (i % 200 === 0) await sleep(0);  // let pending uv_close callbacks run
    }
    await sleep(10);
    assert.is(openDescriptorCount(), before);
  } finally {
    native.close(a);
    native.close(b);
  }
});

Close.run();

// ---------------------------------------------------------------------------

const Lifetime = suite('StreamEngine lifetime');

const READING = `
  const fds = new Int32Array(2);
  native.socketPair(1, fds);
  const engine = new native.StreamEngine(fds[0], () => {});
  engine.readStart();
`;

Lifetime('should let the process exit after close', () => {
  const result = child(`${READING} engine.write(Buffer.alloc(1 << 20), 1); engine.close();`, 5000);
  assert.is(result.signal, null, 'the child exited by itself');
  assert.is(result.status, 0, result.stderr);
});

Lifetime('should let the process exit after unref while reading with writes queued', () => {
  const result = child(`${READING} engine.write(Buffer.alloc(1 << 20), 1); engine.unref();`, 5000);
  assert.is(result.signal, null, 'the child exited by itself');
  assert.is(result.status, 0, result.stderr);
});

Lifetime('should let the process exit once reading stopped and nothing is queued', () => {
  const result = child(`${READING} engine.readStop();`, 5000);
  assert.is(result.signal, null, 'the child exited by itself');
  assert.is(result.status, 0, result.stderr);
});

Lifetime('should keep the process alive while reading and referenced', () => {
  const result = child(READING, 750);
  assert.is(result.signal, 'SIGTERM', 'the child was still running at the timeout');
});

Lifetime('should keep reading after its last JS reference is collected', () => {
  const result = child(
    `
    const fds = new Int32Array(2);
    native.socketPair(1, fds);
    let got = '';
    (() => {
      const engine = new native.StreamEngine(fds[0], (type, data) => {
        if (type === 1) got += data.toString();
        if (got === 'ping') engine.close();
      });
      engine.readStart();
      new native.StreamEngine(fds[1], () => {});  // idle: collectable
    })();
    for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
    native.send(fds[1], Buffer.from('ping'), 0, 4);
    await new Promise((r) => setTimeout(r, 100));
    console.log(got);
    `,
    10_000,
    ['--expose-gc'],
  );
  assert.is(result.status, 0, result.stderr);
  assert.is(result.stdout.trim(), 'ping');
});

Lifetime('should route an exception thrown by the callback to uncaughtException', () => {
  const result = child(`
    process.on('uncaughtException', (error) => {
      console.log('caught ' + error.message);
      engine.close();
    });
    const fds = new Int32Array(2);
    native.socketPair(1, fds);
    const engine = new native.StreamEngine(fds[0], () => { throw new Error('boom'); });
    engine.readStart();
    native.send(fds[1], Buffer.from('x'), 0, 1);
  `);
  assert.is(result.signal, null);
  assert.is(result.status, 0, result.stderr);
  assert.is(result.stdout.trim(), 'caught boom');
});

Lifetime('should close its handle cleanly when a worker thread is terminated', () => {
  const module = new URL('../../host/native/native.js', import.meta.url).href;
  const worker = `(async () => {
    const { parentPort } = await import('node:worker_threads');
    const { native } = await import(${JSON.stringify(module)});
    const fds = new Int32Array(2);
    native.socketPair(1, fds);
    let told = false;
    const reader = new native.StreamEngine(fds[0], () => { if (!told) { told = true; parentPort.postMessage('event'); } });
    reader.readStart();
    const writer = new native.StreamEngine(fds[1], () => {});
    writer.write(Buffer.alloc(1 << 20), 1);  // stays queued: nobody drains fast enough
    new native.StreamEngine(fds[1], () => {});  // idle, never closed
  })();`;
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
