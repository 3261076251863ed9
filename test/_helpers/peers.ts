// Peer tools for interop tests: whether one is installed, the skip message,
// and the python3 snippets both interop suites run.
import { spawnSync } from 'node:child_process';

/** Whether `cmd` is on PATH. */
export const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** Prints why a test did nothing (its peer tool is missing). */
export function skip(reason: string): void {
  console.log(`  skipped: ${reason}`);
}

/**
 * Python prelude: `addr(a)` turns escapes in an argument (\x00) into bytes,
 * for abstract names; `read_all(s)` receives until end of stream.
 */
export const PY_ADDR = `import socket, sys
def addr(a):
    return a.encode('latin1').decode('unicode_escape').encode('latin1') if a.startswith('\\\\x00') else a
def read_all(s, size=65536):
    data = b''
    while True:
        chunk = s.recv(size)
        if not chunk: return data
        data += chunk
`;

/** Python stream client of argv[1]: sends `message`, half-closes, writes what comes back to stdout (no newline). */
export const pyEchoClient = (message: string): string => `${PY_ADDR}
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(addr(sys.argv[1]))
s.sendall(b'${message}')
s.shutdown(socket.SHUT_WR)
sys.stdout.write(read_all(s).decode())
`;

/**
 * Python stream server on argv[1]: prints "ready", accepts one connection,
 * reads until the peer half-closes, answers "python got <what it read>".
 */
export const PY_HALF_CLOSE_SERVER = `${PY_ADDR}
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(addr(sys.argv[1]))
srv.listen(1)
print('ready', flush=True)
conn, _ = srv.accept()
conn.sendall(b'python got ' + read_all(conn))
conn.close()
`;
