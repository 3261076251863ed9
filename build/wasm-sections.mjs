// Minimal WebAssembly binary reading/writing for the build: walk sections,
// rewrite a core module's export names. (The host has its own reader for the
// one thing it needs at run time; see host/component/component.ts.)

export function readLeb(bytes, offset) {
  let value = 0;
  let shift = 0;
  let pos = offset;
  for (;;) {
    const b = bytes[pos++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, pos];
  }
}

export function writeLeb(value) {
  const out = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return out;
}

/** [{ id, start, end }] for each section after the 8-byte preamble. */
export function sections(bytes) {
  const list = [];
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [size, body] = readLeb(bytes, pos + 1);
    list.push({ id, start: pos, body, end: body + size });
    pos = body + size;
  }
  return list;
}

/** A copy of a core module with every export renamed by `rename(name) -> name`. */
export function renameExports(bytes, rename) {
  const enc = new TextEncoder();
  const dec = new TextDecoder('utf-8', { fatal: true });
  const parts = [bytes.subarray(0, 8)];
  for (const s of sections(bytes)) {
    if (s.id !== 7) {
      parts.push(bytes.subarray(s.start, s.end));
      continue;
    }
    let [count, pos] = readLeb(bytes, s.body);
    const body = [...writeLeb(count)];
    for (let i = 0; i < count; i++) {
      const [len, at] = readLeb(bytes, pos);
      const name = dec.decode(bytes.subarray(at, at + len));
      pos = at + len;
      const kind = bytes[pos++];
      const [index, next] = readLeb(bytes, pos);
      pos = next;
      const renamed = enc.encode(rename(name));
      body.push(...writeLeb(renamed.length), ...renamed, kind, ...writeLeb(index));
    }
    parts.push(Uint8Array.of(7, ...writeLeb(body.length), ...body));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
