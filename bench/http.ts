// HTTP benchmark: node:http served by serveHttp() vs by node:net, side by
// side in one run. This process serves both (one http.createServer handler,
// 128-byte answers, keep-alive) on two socket files in one directory; the
// client is another process, bench/c/http.c: CONNS keep-alive connections,
// one request in flight on each, for SECONDS per round. Rounds alternate
// which server goes first; REPS (UNIXSOCK_BENCH_REPS, default 9) rounds each;
// medians and the ratio of medians, with the per-round ratios' IQR.
//   direct: the C client straight at each server (bar: >= 0.97x node:net)
//   nginx:  the C client at nginx (Debian's, started here with its own temp
//           config, 1 worker), which proxies over kept-alive upstream
//           connections to each server: the reverse-proxy setup
// UNIXSOCK_BENCH_HTTP_SECONDS sets the round length (default 2),
// UNIXSOCK_BENCH_HTTP_CONNS the concurrency (default 16).
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { serveHttp, type UnixServer } from '../host/index.js';
import { makeTempDir } from '../test/_helpers/tmpdir.js';
import { alternate, compileC, median, pairedSpread, REPS, selected, spreadText } from './harness.js';

type Lib = 'net' | 'unixsock';
const LIBS: Lib[] = ['net', 'unixsock'];
const SECONDS = Number(process.env.UNIXSOCK_BENCH_HTTP_SECONDS ?? 2);
const CONNS = Number(process.env.UNIXSOCK_BENCH_HTTP_CONNS ?? 16);
const BODY = Buffer.alloc(128, 'x');

function handler(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
  res.end(BODY);
}

/** One round of the C client against `path`: requests/s. */
function load(exe: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(exe, [path, String(CONNS), String(SECONDS)], { timeout: (SECONDS + 20) * 1000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`http client: ${err.message} ${stderr}`));
      else resolve(Number(stdout.trim()));
    });
  });
}

/** nginx proxying unix:front-LIB.sock to unix:LIB.sock, or undefined (with the reason printed) when it cannot run. */
async function startNginx(dir: string, upstreams: Record<Lib, string>): Promise<{ child: ChildProcess; front: Record<Lib, string> } | undefined> {
  const which = spawnSync('sh', ['-c', 'command -v nginx || ls /usr/sbin/nginx'], { encoding: 'utf8' });
  const exe = which.status === 0 ? which.stdout.trim().split('\n')[0]! : undefined;
  if (exe === undefined) {
    console.log('  nginx: skipped (nginx is not installed; Debian: apt-get install nginx)');
    return undefined;
  }
  const front = { net: join(dir, 'front-net.sock'), unixsock: join(dir, 'front-unixsock.sock') };
  const servers = LIBS.map((lib) => `
    upstream up_${lib} { server unix:${upstreams[lib]}; keepalive 32; keepalive_requests 100000000; }
    server {
      listen unix:${front[lib]};
      location / { proxy_pass http://up_${lib}; proxy_http_version 1.1; proxy_set_header Connection ""; }
    }`).join('\n');
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, `${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
daemon off;
master_process on;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'nginx-error.log')} error;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 600s;
  client_body_temp_path ${dir};
  proxy_temp_path ${dir};
  fastcgi_temp_path ${dir};
  uwsgi_temp_path ${dir};
  scgi_temp_path ${dir};
  ${servers}
}
`);
  const child = spawn(exe, ['-c', conf, '-p', dir, '-e', join(dir, 'nginx-error.log')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const up = await Promise.all(LIBS.map((lib) => new Promise<boolean>((resolve) => {
      const c = net.connect(front[lib], () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    })));
    if (up.every(Boolean)) return { child, front };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGTERM');
  console.log('  nginx: skipped (it did not start; see the error log above)');
  return undefined;
}

async function compare(title: string, exe: string, paths: Record<Lib, string>): Promise<void> {
  await load(exe, paths.net);
  await load(exe, paths.unixsock);
  const rates = await alternate(LIBS, (lib) => load(exe, paths[lib]));
  const [net, us] = [median(rates.net), median(rates.unixsock)];
  const fmt = (x: number): string => Math.round(x).toLocaleString('en-US').padStart(9);
  console.log(`  ${title.padEnd(34)} net ${fmt(net)} req/s   unixsock ${fmt(us)} req/s   ${(us / net).toFixed(2)}x net  per-round IQR ${spreadText(pairedSpread(rates.unixsock, rates.net))}`);
}

export async function run(): Promise<void> {
  const dir = makeTempDir('us-bh');
  const exe = compileC('http', dir.path);
  if (exe === undefined) {
    console.log('  skipped: no C compiler for bench/c/http.c');
    dir.remove();
    return;
  }
  const paths = { net: join(dir.path, 'net.sock'), unixsock: join(dir.path, 'unixsock.sock') };
  const netServer = http.createServer({ keepAliveTimeout: 60000 }, handler);
  netServer.listen(paths.net);
  await once(netServer, 'listening');
  const usServer = http.createServer({ keepAliveTimeout: 60000 }, handler);
  const listener: UnixServer = await serveHttp(usServer, paths.unixsock);
  console.log(`HTTP/1.1 keep-alive, 128 B answers, ${CONNS} concurrent requests (bench/c/http.c), ${SECONDS} s rounds, median of ${REPS}`);
  let nginx: Awaited<ReturnType<typeof startNginx>>;
  try {
    if (selected('direct')) await compare('direct (bar: >= 0.97x net)', exe, paths);
    if (selected('nginx')) {
      nginx = await startNginx(dir.path, paths);
      if (nginx !== undefined) await compare('nginx in front', exe, nginx.front);
    }
  } finally {
    if (nginx !== undefined) {
      nginx.child.kill('SIGTERM');
      if (nginx.child.exitCode === null) await once(nginx.child, 'exit');
    }
    netServer.closeAllConnections();
    usServer.closeAllConnections();
    await new Promise((r) => netServer.close(r));
    await new Promise((r) => listener.close(() => r(undefined)));
    dir.remove();
  }
}
