// A python3 peer that sends what this process cannot: other pids, uids and
// gids (root may claim any in SCM_CREDENTIALS), and control messages built
// by another library, in either order. It prints what it sent, one JSON line
// per message.
import { spawn, spawnSync } from 'node:child_process';
import * as assert from 'uvu/assert';
import { type MessageInfo, socketPair } from '../../host/index.js';
import { within } from '../_helpers/wait.js';

const PEER = `
import json, os, random, socket, struct, sys
seed, count, hi = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(seed)
s = socket.socket(fileno=3)
root = os.geteuid() == 0
for i in range(count):
    n = rnd.randint(0, 12)
    payload = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 300)))
    pid = rnd.choice([os.getpid(), 1]) if root else os.getpid()
    uid = rnd.randint(0, hi) if root else os.geteuid()
    gid = rnd.randint(0, hi) if root else os.getegid()
    control = [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, struct.pack('iII', pid, uid, gid))]
    if n:
        control.append((socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack('%di' % n, *([0] * n))))
    if rnd.random() < 0.5:
        control.reverse()
    s.sendmsg([payload], control)
    print(json.dumps([len(payload), n, pid, uid, gid]), flush=True)
`;

/** Whether python3 with SCM_CREDENTIALS is available. */
export function python3(): boolean {
  return spawnSync('python3', ['-c', 'import socket; socket.SCM_CREDENTIALS'], { stdio: 'ignore' }).status === 0;
}

/** Messages from python3 with random credentials (uid/gid up to `hi`); what was sent and what arrived. */
export async function peerMessages(seed: number, count: number, hi: number): Promise<{ sent: number[][]; received: [Buffer, MessageInfo][] }> {
  const [mine, theirs] = socketPair({ type: 'datagram', maxDescriptors: 16 });
  mine.setOption('SO_PASSCRED', true);
  const received: [Buffer, MessageInfo][] = [];
  const all = new Promise<void>((resolve) => mine.on('message', (d: Buffer, info: MessageInfo) => {
    received.push([d, info]);
    if (received.length === count) resolve();
  }));
  const child = spawn('python3', ['-c', PEER, String(seed), String(count), String(hi)], { stdio: ['ignore', 'pipe', 'inherit', theirs.fd], env: { ...process.env, NO_COLOR: '1' } });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  try {
    await within(all, 60_000, `${count} messages from python3`);
    assert.is(await within(exited, 10000, 'python3 exit'), 0, 'python3 sender');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await theirs.close();
    await mine.close();
  }
  return { sent: out.trim().split('\n').map((l) => JSON.parse(l) as number[]), received };
}

