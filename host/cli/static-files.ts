// A read-only static file handler for `serve-http`: GET and HEAD of files
// under one directory, never outside it. A request is refused (403) when a
// decoded path segment is `..`, or holds a NUL, a slash or a backslash, and
// when the file's real path (symbolic links resolved) leaves the directory's.
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) + 1, ...headers });
  res.end(`${text}\n`);
}

/** The URL path's segments, decoded; 400 for a malformed path, 403 for one that may not be served. */
function segmentsOf(url: string): string[] | 400 | 403 {
  const path = url.split(/[?#]/, 1)[0]!;
  if (!path.startsWith('/')) return 400;
  const out: string[] = [];
  for (const raw of path.split('/')) {
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return 400;
    }
    if (s === '..' || s.includes('\0') || s.includes('\\') || s.includes('/')) return 403;
    if (s !== '' && s !== '.') out.push(s);
  }
  return out;
}

function within(root: string, file: string): boolean {
  return file === root || file.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * A request handler serving the files under `dir`: directories give their
 * index.html or a listing; other methods than GET and HEAD get 405.
 * @param log called once per request with method, URL and status
 */
export async function staticFiles(dir: string, log?: (line: string) => void): Promise<(req: IncomingMessage, res: ServerResponse) => void> {
  const root = await realpath(dir);
  if (!(await stat(root)).isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
  return (req, res) => {
    res.once('finish', () => log?.(`${req.method} ${req.url} ${res.statusCode}`));
    void serve(root, req, res).catch(() => {
      if (!res.headersSent) plain(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  };
}

async function serve(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method Not Allowed', { allow: 'GET, HEAD' });
  const segments = segmentsOf(req.url ?? '');
  if (segments === 400) return plain(res, 400, 'Bad Request');
  if (segments === 403) return plain(res, 403, 'Forbidden');
  let file: string;
  try {
    file = await realpath(join(root, ...segments));
  } catch {
    return plain(res, 404, 'Not Found');
  }
  if (!within(root, file)) return plain(res, 403, 'Forbidden');
  let info = await stat(file);
  if (info.isDirectory()) {
    const path = (req.url ?? '/').split(/[?#]/, 1)[0]!;
    if (!path.endsWith('/')) return plain(res, 301, 'Moved Permanently', { location: `${path}/` });
    const names = await readdir(file, { withFileTypes: true });
    if (names.some((d) => d.name === 'index.html' && d.isFile())) {
      file = join(file, 'index.html');
      info = await stat(file);
    } else {
      const items = names
        .map((d) => `${d.name}${d.isDirectory() ? '/' : ''}`)
        .sort()
        .map((n) => `<li><a href="${encodeURIComponent(n.replace(/\/$/, ''))}${n.endsWith('/') ? '/' : ''}">${escapeHtml(n)}</a></li>`);
      const body = `<!doctype html>\n<title>${escapeHtml(path)}</title>\n<ul>\n${items.join('\n')}\n</ul>\n`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
  }
  if (!info.isFile()) return plain(res, 403, 'Forbidden');
  res.writeHead(200, {
    'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': info.size,
    'last-modified': info.mtime.toUTCString(),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.once('error', () => res.destroy());
  stream.pipe(res);
}
