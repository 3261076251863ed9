// Shared by the plugin suites: the built plugins (dist/plugins, brought up
// to date first: build/plugins.mjs skips what its stamps say is current),
// open-descriptor counts, and an echo peer in another process (a guest
// blocks in `wait`, so its peer cannot live on this event loop).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { type PolicySpec, RULE_PERMISSIONS } from '../../host/sandbox/policy.js';

const ROOT = new URL('../../../', import.meta.url);

/** Every permission for every address: for tests of the linker rather than the policy. */
export const ALLOW_ALL: PolicySpec = { rules: [{ allow: RULE_PERMISSIONS, any: true }] };
let built: Promise<void> | undefined;

/** The bytes of dist/plugins/<name>.wasm, rebuilt first if its sources changed. */
export async function pluginBytes(name: string): Promise<Uint8Array> {
  built ??= import(new URL('build/plugins.mjs', ROOT).href).then((m: { run: () => Promise<void> }) => m.run());
  await built;
  return readFileSync(new URL(`dist/plugins/${name}.wasm`, ROOT));
}

function available(tool: string): boolean {
  return spawnSync(tool, ['-V'], { stdio: 'ignore' }).error === undefined;
}

const PYTHON_ECHO = `
import os, socket, sys, threading
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(16)
def serve(c):
    while True:
        d = c.recv(65536)
        if not d: break
        c.sendall(d)
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
`;

/** A stream echo server at `path` in a child process (socat, else python3), or the reason there is none. */
export async function startEchoPeer(path: string): Promise<{ child: ChildProcess; stop: () => Promise<void> } | string> {
  let child: ChildProcess;
  if (available('socat')) child = spawn('socat', [`UNIX-LISTEN:${path},fork`, 'EXEC:cat'], { stdio: 'ignore' });
  else if (available('python3')) child = spawn('python3', ['-c', PYTHON_ECHO, path], { stdio: 'ignore' });
  else return 'neither socat nor python3 is installed';
  let exited = false;
  const gone = new Promise<void>((resolve) => child.on('exit', () => { exited = true; resolve(); }));
  const stop = async (): Promise<void> => {
    if (!exited) child.kill('SIGTERM');
    await gone;
  };
  for (let waited = 0; !existsSync(path); waited += 20) {
    if (exited || waited > 5000) {
      await stop();
      throw new Error(`the echo peer did not come up at ${path}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, stop };
}
