// Programmer errors (wrong argument types, out-of-range slices) throw a
// TypeError from the shim instead of crashing or reaching the kernel.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { socketPair } from '../../host/index.js';
import { native, SOCKET_TYPE } from '../../host/native/native.js';
import type { NativeBinding } from '../../host/native/native.js';
import { throwsTypeError } from './_support.js';

/** The binding with its types erased, to pass deliberately wrong arguments. */
const loose = native as unknown as Record<keyof NativeBinding, (...args: unknown[]) => unknown>;

const Arguments = suite('argument validation');

let fds = new Int32Array(2);

Arguments.before(() => {
  fds = new Int32Array(2);
  assert.is(native.socketPair(SOCKET_TYPE.stream, fds), 0);
});

Arguments.after(() => {
  native.close(fds[0]!);
  native.close(fds[1]!);
});

Arguments('should throw TypeError for non-integer descriptors and enums', () => {
  throwsTypeError(() => loose.socket('stream'), 'socket("stream")');
  throwsTypeError(() => loose.socket(), 'socket()');
  throwsTypeError(() => loose.socket(1.5), 'socket(1.5)');
  throwsTypeError(() => loose.socket(2 ** 31), 'socket(2**31)');
  throwsTypeError(() => loose.close('3'), 'close("3")');
  throwsTypeError(() => loose.close(NaN), 'close(NaN)');
  throwsTypeError(() => loose.listen(fds[0], {}), 'listen(fd, {})');
  throwsTypeError(() => loose.shutdown(fds[0], null), 'shutdown(fd, null)');
  throwsTypeError(() => loose.setUmask('022'), 'setUmask("022")');
  throwsTypeError(() => loose.setSocketOption(fds[0], 0, 'big'), 'setSocketOption(fd, 0, "big")');
  throwsTypeError(() => loose.setSocketOption(fds[0], 6, 1, 'x'), 'setSocketOption(fd, 6, 1, "x")');
});

Arguments('should throw TypeError for wrong typed-array kinds and lengths', () => {
  throwsTypeError(() => loose.socketPair(1, new Uint32Array(2)), 'socketPair(1, Uint32Array)');
  throwsTypeError(() => loose.socketPair(1, new Int32Array(1)), 'socketPair(1, Int32Array(1))');
  throwsTypeError(() => loose.socketPair(1, [0, 0]), 'socketPair(1, array)');
  throwsTypeError(() => loose.bind(fds[0], 'path'), 'bind(fd, string)');
  throwsTypeError(() => loose.connect(fds[0], new Uint8ClampedArray(4)), 'connect(fd, Uint8ClampedArray)');
  throwsTypeError(() => loose.getSockName(fds[0], new ArrayBuffer(8)), 'getSockName(fd, ArrayBuffer)');
  throwsTypeError(() => loose.peerCredentials(fds[0], new Int32Array(2)), 'peerCredentials(fd, Int32Array(2))');
  throwsTypeError(() => loose.getSocketOption(fds[0], 6, new Int32Array(1)), 'getSocketOption(fd, linger, Int32Array(1))');
  throwsTypeError(() => loose.fileIdentity(fds[0], new BigInt64Array(3)), 'fileIdentity(fd, BigInt64Array)');
  throwsTypeError(() => loose.pathIdentity('/tmp', new BigUint64Array(3)), 'pathIdentity(string, out)');
  throwsTypeError(() => loose.pathIdentity(Buffer.from('/tmp'), new BigUint64Array(2)), 'pathIdentity(path, short out)');
  throwsTypeError(() => loose.unlink(undefined), 'unlink(undefined)');
});

Arguments('should throw TypeError when offset/length fall outside the buffer', () => {
  const buf = new Uint8Array(8);
  throwsTypeError(() => native.send(fds[0]!, buf, 4, 5), 'send offset 4 length 5 of 8');
  throwsTypeError(() => native.send(fds[0]!, buf, 9, 0), 'send offset 9 of 8');
  throwsTypeError(() => native.recv(fds[0]!, buf, -1, 1), 'recv offset -1');
  throwsTypeError(() => native.recv(fds[0]!, buf, 0, 1.5), 'recv length 1.5');
  throwsTypeError(() => loose.recv(fds[0], buf, 0), 'recv without length');
  // Boundaries that are in range are accepted.
  assert.is(native.recv(fds[0]!, buf, 8, 0), 0);
});

Arguments('should throw TypeError for a writev list that is not all Uint8Array', () => {
  throwsTypeError(() => loose.writev(fds[0], 'abc'), 'writev(fd, string)');
  throwsTypeError(() => loose.writev(fds[0], [new Uint8Array(1), 'b']), 'writev(fd, [bytes, string])');
  throwsTypeError(() => loose.writev(fds[0], [new Uint16Array(1)]), 'writev(fd, [Uint16Array])');
});

Arguments('should propagate an exception thrown by a writev element getter', () => {
  const list = [new Uint8Array(1)];
  Object.defineProperty(list, 1, {
    get() {
      throw new RangeError('from getter');
    },
    enumerable: true,
  });
  assert.throws(() => native.writev(fds[0]!, list), (error: unknown) => error instanceof RangeError);
});

Arguments('should throw TypeError from bindReceiveArenas/receiveMessages misused, and keep the bound arenas', async () => {
  const exchange = async (): Promise<string> => {
    const [a, b] = socketPair({ type: 'datagram' });
    const got = new Promise<string>((resolve) => b.once('message', (d: Buffer) => resolve(d.toString())));
    await a.send('still receiving');
    const text = await got;
    await a.close();
    await b.close();
    return text;
  };
  assert.is(await exchange(), 'still receiving');
  // Every call here throws before it changes anything: the channels of this
  // process keep receiving into the arenas they bound.
  throwsTypeError(() => loose.bindReceiveArenas('arena', new Int32Array(1), new Uint8Array(128), new Int32Array(9)), 'bindReceiveArenas(string, ...)');
  throwsTypeError(() => loose.bindReceiveArenas(new Uint8Array(64), new Uint8Array(4), new Uint8Array(128), new Int32Array(9)), 'bindReceiveArenas with a Uint8Array fdsOut');
  throwsTypeError(() => loose.bindReceiveArenas(new Uint8Array(64), new Int32Array(1), null, new Int32Array(9)), 'bindReceiveArenas with no addrOut');
  throwsTypeError(() => loose.bindReceiveArenas(new Uint8Array(64), new Int32Array(1), new Uint8Array(128)), 'bindReceiveArenas without info');
  throwsTypeError(() => loose.receiveMessages('0', 64, 1, 0, false), 'receiveMessages(string fd)');
  throwsTypeError(() => loose.receiveMessages(fds[0], 64, 0, 0, false), 'count 0');
  throwsTypeError(() => loose.receiveMessages(fds[0], 64, 65, 0, false), 'count 65');
  throwsTypeError(() => loose.receiveMessages(fds[0], 64, 1, 0, 'yes'), 'withAddresses not a boolean');
  throwsTypeError(() => loose.receiveMessages(fds[0], 0, 1, 0, false), 'slot 0');
  throwsTypeError(() => loose.receiveMessages(fds[0], 2 ** 40, 1, 0, false), 'a slot larger than any arena');
  throwsTypeError(() => loose.receiveMessages(fds[0], 64, 1, 5000, false), 'fdSlot past 4 * SCM_MAX_FD');
  assert.is(await exchange(), 'still receiving');
});

Arguments('should throw TypeError from the Poller constructor and methods misused', () => {
  const Poller = native.Poller as unknown as new (...args: unknown[]) => unknown;
  throwsTypeError(() => new Poller(fds[0], 'not a function'), 'new Poller(fd, string)');
  throwsTypeError(() => new Poller('0', () => {}), 'new Poller(string, fn)');
  throwsTypeError(() => (Poller as unknown as (...args: unknown[]) => unknown)(fds[0], () => {}), 'Poller() without new');
  const poller = new native.Poller(fds[0]!, () => {});
  throwsTypeError(() => (poller as unknown as { start(e: unknown): number }).start('readable'), 'start("readable")');
  poller.close();
  assert.throws(() => (native.Poller.prototype as unknown as { start(e: number): number }).start.call({}, 1));
});

Arguments.run();
