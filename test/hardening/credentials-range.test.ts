// Regression test for a defect the control-message fuzzer found
// (test/fuzz/messages.test.ts; fixed in 0d7f4b4): uid_t and gid_t are
// unsigned 32-bit, but credentials cross the native boundary in Int32Arrays,
// and the host read them signed, so a uid or gid of 2^31 or more came out
// negative — in MessageInfo.credentials (SCM_CREDENTIALS) and in
// peerCredentials() (SO_PEERCRED). Such ids are legal (user-namespace
// ranges). Needs root and python3 to produce them; skips otherwise.
import { spawn } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { listen } from '../../host/index.js';
import { closeFd } from '../_helpers/descriptors.js';
import { within } from '../_helpers/wait.js';
import { peerMessages, python3 } from '../fuzz/_python-peer.js';

const HIGH_UID = 3_000_000_000;
const HIGH_GID = 4_000_000_000;
const root = process.getuid?.() === 0;

const test = suite('credentials: ids of 2^31 and above');

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'Linux only';
  if (!root) return 'needs root to claim other ids';
  if (!python3()) return 'needs python3';
  return undefined;
}

test('should report SCM_CREDENTIALS uid and gid of 2^31 and above unsigned', async () => {
  const skip = skipReason();
  if (skip !== undefined) {
    console.log(`  skipped: ${skip}`);
    return;
  }
  // hi = 2^32 - 2: the largest valid id ((uid_t)-1 means "no change").
  const { sent, received } = await peerMessages(1, 40, 0xfffffffe);
  for (const [, info] of received) for (const fd of info.fds) closeFd(fd);
  let high = 0;
  received.forEach(([, info], i) => {
    const [, , pid, uid, gid] = sent[i]!;
    if (uid! >= 2 ** 31 || gid! >= 2 ** 31) high++;
    assert.equal(info.credentials, { pid, uid, gid }, `#${i}`);
  });
  assert.ok(high > 0, 'some ids were 2^31 or above');
});

test('should report a peer uid and gid of 2^31 and above unsigned (SO_PEERCRED)', async () => {
  const skip = skipReason();
  if (skip !== undefined) {
    console.log(`  skipped: ${skip}`);
    return;
  }
  // Abstract, so the peer needs no permission on a directory.
  const name = `us-cred-${process.pid}`;
  const server = await listen(`\0${name}`);
  const py = `
import os, socket
os.setgid(${HIGH_GID}); os.setuid(${HIGH_UID})
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(b'\\0${name}')
s.recv(1)
`;
  const child = spawn('python3', ['-c', py], { stdio: 'inherit', env: { ...process.env, NO_COLOR: '1' } });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const socket = await within(server.accept(), 10000, 'accept');
    const creds = socket.peerCredentials();
    socket.destroy();
    assert.equal(creds, { pid: child.pid, uid: HIGH_UID, gid: HIGH_GID });
  } finally {
    server.close();
    if (child.exitCode === null) child.kill('SIGKILL');
    await within(exited, 5000, 'python3 exit');
  }
});

test.run();
