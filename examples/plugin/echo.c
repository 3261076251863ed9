/* echo.c: an example unixsock plugin. run([address, rounds, size]) connects
 * to a stream socket at `address` (a path, or @name for an abstract name),
 * then `rounds` times sends a `size`-byte message and reads its echo back,
 * waiting for readiness with a timeout. Answers "ok <rounds>", or an error
 * naming the WIT error (e.g. "connect: policy-denied connect",
 * "connect: os no-such-path ENOENT connect").
 *
 * Built by `npm install` into dist/plugins/echo.wasm (build/plugins.mjs);
 * run it with examples/plugin/run-echo.mjs. */
#include <stdlib.h>
#include <string.h>

#include "unixsock.h"

enum { TIMEOUT_MS = 5000 };

static bool fail(us_buf *out, const char *what, const us_error *err) {
  us_buf_str(out, what);
  us_buf_str(out, ": ");
  us_error_text(err, out);
  return false;
}

/* One round: send message[0..len) and read its echo into echo[0..len).
 * Sending and reading interleave, so a message larger than the socket
 * buffers cannot deadlock against a peer that echoes as it reads. */
static bool round_trip(us_connection c, const uint8_t *message, uint8_t *echo, size_t len, us_buf *out) {
  us_error err;
  size_t sent = 0, got = 0;
  while (got < len) {
    if (sent < len) {
      uint32_t n = 0;
      if (us_send(c, message + sent, len - sent, NULL, 0, &n, &err)) sent += n;
      else if (err.tag != US_ERR_OS || err.v.os.code != US_CODE_WOULD_BLOCK) return fail(out, "send", &err);
    }
    uint8_t ready = 0;
    uint8_t events = US_READABLE | (sent < len ? US_WRITABLE : 0);
    if (!us_wait(c, events, TIMEOUT_MS, &ready, &err)) return fail(out, "wait", &err);
    if (ready == 0) {
      us_buf_str(out, "timeout: no echo within 5 s");
      return false;
    }
    if ((ready & (US_READABLE | US_HANG_UP)) == 0) continue;
    us_message m;
    if (!us_receive(c, (uint32_t)(len - got), &m, &err)) {
      if (err.tag == US_ERR_OS && err.v.os.code == US_CODE_WOULD_BLOCK) continue;
      return fail(out, "receive", &err);
    }
    size_t n = m.data.len;
    memcpy(echo + got, m.data.ptr, n);
    us_message_free(&m);
    if (n == 0) {
      us_buf_str(out, "receive: the peer ended the stream");
      return false;
    }
    got += n;
  }
  return true;
}

bool us_plugin_run(int argc, char **argv, us_buf *out) {
  uint32_t rounds, size;
  if (argc != 3 || !us_parse_u32(argv[1], &rounds) || !us_parse_u32(argv[2], &size) || size == 0) {
    us_buf_str(out, "usage: echo <address> <rounds> <size>");
    return false;
  }
  us_address addr = argv[0][0] == '@' ? us_abstract(argv[0] + 1, strlen(argv[0]) - 1) : us_path(argv[0]);
  us_connection c;
  us_error err;
  if (!us_connect(addr, US_STREAM, &c, &err)) return fail(out, "connect", &err);

  uint8_t *message = malloc(size);
  uint8_t *echo = malloc(size);
  bool ok = message != NULL && echo != NULL;
  if (!ok) us_buf_str(out, "out of memory");
  for (uint32_t round = 0; ok && round < rounds; round++) {
    for (uint32_t i = 0; i < size; i++) message[i] = (uint8_t)(round + i * 7);
    ok = round_trip(c, message, echo, size, out);
    if (ok && memcmp(message, echo, size) != 0) {
      us_buf_str(out, "the echo differs from the message");
      ok = false;
    }
  }
  free(message);
  free(echo);
  us_connection_drop(c); /* closes the socket */
  if (ok) {
    us_buf_str(out, "ok ");
    us_buf_u32(out, rounds);
  }
  return ok;
}
