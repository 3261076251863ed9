// The other process of bench/message.ts: the receiving end over unixsock or
// the library it is compared with (bench/message-peer-libs.ts).
//   seqpacket-sink  SEQPACKET listener: count 64-byte records until the
//                   client shuts down, then reply with the count
//   dgram-sink      bound DGRAM socket: count 64-byte datagrams until an
//                   "end" datagram, then reply with the count to its sender
//   dgram-echo      bound DGRAM socket: send every datagram back to its sender
//   fds-sink        stream listener: count received descriptors, closing
//                   each, until the client shuts down, then reply with the count
//   fds-seqpacket-sink  the same over a SEQPACKET listener (unixsock only)
// A reply is the count as text, or "bad N" when N messages had the wrong
// size. Prints "ready" once bound; exits when its parent closes stdin.
import { closeSync } from 'node:fs';
import { createDatagramSocket, listen, listenSeqpacket, type MessageInfo, type SeqpacketSocket, type SocketAddress, type UnixSocket } from '../host/index.js';
import { pinUsocket, requirePeer, type UnixDgramSocket } from './message-peer-libs.js';
import { END, type Lib, MESSAGE_SIZE, type Mode } from './message-peer-protocol.js';

const fail = (err: unknown): never => {
  console.error(err);
  process.exit(1);
};

/** Counts messages of MESSAGE_SIZE; `reply()` is the text sent back. */
class Counter {
  good = 0;
  bad = 0;
  add(length: number): void {
    if (length === MESSAGE_SIZE) this.good++;
    else this.bad++;
  }
  reply(): string {
    const text = this.bad === 0 ? String(this.good) : `bad ${this.bad}`;
    this.good = this.bad = 0;
    return text;
  }
}

/** Where to answer a datagram: its path as a string (cached by sendTo), else the address itself. */
function replyTo(address: SocketAddress | undefined): unknown {
  if (address === undefined) throw new Error('datagram without a sender address');
  return 'path' in address && typeof address.path === 'string' ? address.path : address;
}

/** unix-dgram sendto, retried on 'writable' after congestion (EAGAIN). */
function udgSendTo(s: UnixDgramSocket, buf: Buffer, path: string): void {
  s.send(buf, 0, buf.length, path, (err) => {
    if (err === undefined) return;
    if (err.code === 1) s.once('writable', () => udgSendTo(s, buf, path));
    else fail(err);
  });
}

async function unixsock(mode: Mode, path: string): Promise<void> {
  if (mode === 'fds-sink') {
    const server = await listen(path, { allowHalfOpen: true });
    server.on('connection', (s: UnixSocket) => {
      let fds = 0;
      s.on('descriptors', (received: number[]) => {
        fds += received.length;
        for (const fd of received) closeSync(fd);
      });
      s.on('data', () => {});
      s.on('end', () => s.end(String(fds)));
      s.on('error', fail);
    });
    return;
  }
  if (mode === 'seqpacket-sink' || mode === 'fds-seqpacket-sink') {
    const server = await listenSeqpacket(path);
    server.on('connection', (s: SeqpacketSocket) => {
      const counter = new Counter();
      let fds = 0;
      s.on('message', (data: Buffer, info: MessageInfo) => {
        if (mode === 'seqpacket-sink') return counter.add(data.length);
        fds += info.fds.length;
        for (const fd of info.fds) closeSync(fd);
      });
      s.on('end', () => {
        const reply = mode === 'seqpacket-sink' ? counter.reply() : String(fds);
        s.send(reply).then(() => s.close(), fail);
      });
      s.on('error', fail);
    });
    return;
  }
  const s = createDatagramSocket({ bind: path });
  s.on('error', fail);
  if (mode === 'dgram-echo') {
    s.on('message', (data: Buffer, info: MessageInfo) => { s.writeTo(data, replyTo(info.address)); });
    return;
  }
  const counter = new Counter();
  s.on('message', (data: Buffer, info: MessageInfo) => {
    if (data.length === END.length && data.toString() === END) s.sendTo(counter.reply(), replyTo(info.address)).catch(fail);
    else counter.add(data.length);
  });
}

function nodeUnixSocket(path: string): void {
  const nus = requirePeer('node-unix-socket');
  const server = new nus.SeqpacketServer();
  server.on('connection', (s: InstanceType<typeof nus.SeqpacketSocket>) => {
    const counter = new Counter();
    s.on('data', (data: Buffer) => counter.add(data.length));
    s.on('end', () => {
      const reply = Buffer.from(counter.reply());
      s.write(reply, 0, reply.length, () => s.destroy());
    });
    s.on('error', fail);
  });
  server.on('error', fail);
  server.listen(path);
}

function unixDgram(mode: Mode, path: string): void {
  const udg = requirePeer('unix-dgram');
  const counter = new Counter();
  const s = udg.createSocket('unix_dgram', (data, rinfo) => {
    if (rinfo.path === undefined) fail(new Error('datagram without a sender path'));
    if (mode === 'dgram-echo') return udgSendTo(s, data, rinfo.path!);
    if (data.length === END.length && data.toString() === END) udgSendTo(s, Buffer.from(counter.reply()), rinfo.path!);
    else counter.add(data.length);
  });
  s.on('error', fail);
  s.bind(path);
}

/** usocket delivers descriptors with the stream's bytes; read(size, count) takes both (the documented way). */
async function usocket(path: string): Promise<void> {
  const us = requirePeer('usocket');
  const server = new us.UServer();
  server.on('connection', (s: InstanceType<typeof us.USocket>) => {
    pinUsocket(s);
    let fds = 0;
    const read = s.read as unknown as (size: null, count: null) => { data: Buffer | null; fds: number[] } | null;
    s.on('readable', () => {
      for (;;) {
        const m = read.call(s, null, null);
        if (m === null || (m.data === null && m.fds.length === 0)) return;
        fds += m.fds.length;
        for (const fd of m.fds) closeSync(fd);
      }
    });
    s.on('end', () => { s.write(Buffer.from(String(fds)), () => s.end()); });
    s.on('error', fail);
  });
  server.on('error', fail);
  await new Promise<void>((resolve) => server.listen(path, 511, resolve));
}

const [lib, mode, path] = process.argv.slice(2) as [Lib, Mode, string];
if (lib === 'unixsock') await unixsock(mode, path);
else if (lib === 'node-unix-socket') nodeUnixSocket(path);
else if (lib === 'unix-dgram') unixDgram(mode, path);
else await usocket(path);
console.log('ready');
process.stdin.on('end', () => process.exit(0)).resume();
