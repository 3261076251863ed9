/* probe.c: a test plugin. run([action, ...]) performs one action through
 * the `sockets` imports and answers what happened as text: "ok …", or
 * "error <socket-error in words>" such as "error policy-denied connect" or
 * "error os no-such-path ENOENT connect". Actions:
 *   connect PATH | connect-abstract NAME | listen PATH | listen-abstract NAME
 *   bind-unnamed | pair | echo PATH ROUNDS SIZE | accept PATH TIMEOUT_MS
 *   send-to PATH | many-sockets N | keep-pairs N
 *   forged-handle | stale-handle | wrong-type-handle | bad-pointer
 * The last four break the rules on purpose: the linker must trap them. */
#include <stdlib.h>
#include <string.h>

#include "unixsock.h"

static bool error(us_buf *out, const us_error *err) {
  us_buf_str(out, "error ");
  us_error_text(err, out);
  return true;
}

static bool ok(us_buf *out) {
  us_buf_str(out, "ok");
  return true;
}

static bool usage(us_buf *out) {
  us_buf_str(out, "usage: probe <action> [args]");
  return false;
}

static us_address address_of(const char *text, bool abstract) {
  return abstract ? us_abstract(text, strlen(text)) : us_path(text);
}

static bool connect_to(const char *target, bool abstract, us_buf *out) {
  us_connection c;
  us_error err;
  if (!us_connect(address_of(target, abstract), US_STREAM, &c, &err)) return error(out, &err);
  us_connection_drop(c);
  return ok(out);
}

static bool listen_on(const char *target, bool abstract, us_buf *out) {
  us_listener l;
  us_error err;
  us_listen_options o = us_listen_defaults(US_STREAM);
  if (!us_listen(address_of(target, abstract), &o, &l, &err)) return error(out, &err);
  us_listener_drop(l);
  return ok(out);
}

static bool bind_unnamed(us_buf *out) {
  us_datagram d;
  us_error err;
  us_address a = us_unnamed();
  if (!us_datagram_bind(&a, NULL, &d, &err)) return error(out, &err);
  us_address local;
  bool got = us_datagram_local_address(d, &local, &err);
  us_datagram_drop(d);
  if (!got) return error(out, &err);
  us_buf_str(out, "ok ");
  us_buf_u32(out, local.kind);
  us_buf_str(out, " ");
  us_buf_u32(out, (uint32_t)local.bytes.len);
  us_address_free(&local);
  return true;
}

/* Send `len` bytes on a and read them back on b. */
static bool exchange(us_connection a, us_connection b, const uint8_t *data, size_t len, us_buf *out) {
  us_error err;
  size_t sent = 0, got = 0;
  uint8_t *back = malloc(len);
  bool ok = true;
  while (ok && got < len) {
    if (sent < len) {
      uint32_t n = 0;
      if (us_send(a, data + sent, len - sent, NULL, 0, &n, &err)) sent += n;
      else if (!(err.tag == US_ERR_OS && err.v.os.code == US_CODE_WOULD_BLOCK)) {
        error(out, &err);
        ok = false;
      }
    }
    if (!ok) break;
    uint8_t ready = 0;
    if (!us_wait(b, US_READABLE, 5000, &ready, &err)) {
      error(out, &err);
      ok = false;
      break;
    }
    if (ready == 0) {
      us_buf_str(out, "error timeout");
      ok = false;
      break;
    }
    us_message m;
    if (!us_receive(b, (uint32_t)(len - got), &m, &err)) {
      if (err.tag == US_ERR_OS && err.v.os.code == US_CODE_WOULD_BLOCK) continue;
      error(out, &err);
      ok = false;
      break;
    }
    if (m.data.len == 0) {
      us_buf_str(out, "error end of stream");
      ok = false;
    } else {
      memcpy(back + got, m.data.ptr, m.data.len);
      got += m.data.len;
    }
    us_message_free(&m);
  }
  if (ok && memcmp(back, data, len) != 0) {
    us_buf_str(out, "error data differs");
    ok = false;
  }
  free(back);
  return ok;
}

static bool pair(us_buf *out) {
  us_connection a, b;
  us_error err;
  if (!us_socket_pair(US_STREAM, &a, &b, &err)) return error(out, &err);
  static const uint8_t ping[] = "ping";
  bool done = exchange(a, b, ping, 4, out);
  us_connection_drop(a);
  us_connection_drop(b);
  return done ? ok(out) : true;
}

static bool echo(const char *path, uint32_t rounds, uint32_t size, us_buf *out) {
  us_connection c;
  us_error err;
  if (!us_connect(us_path(path), US_STREAM, &c, &err)) return error(out, &err);
  uint8_t *data = malloc(size);
  for (uint32_t i = 0; i < size; i++) data[i] = (uint8_t)(i * 13);
  bool done = true;
  for (uint32_t r = 0; done && r < rounds; r++) done = exchange(c, c, data, size, out);
  free(data);
  us_connection_drop(c);
  if (!done) return true;
  us_buf_str(out, "ok ");
  us_buf_u32(out, rounds);
  return true;
}

static bool accept_on(const char *path, uint32_t timeout_ms, us_buf *out) {
  us_listener l;
  us_error err;
  if (!us_listen_path(path, US_STREAM, &l, &err)) return error(out, &err);
  uint8_t ready = 0;
  us_connection c = 0;
  bool fine = us_listener_wait(l, US_READABLE, timeout_ms, &ready, &err) && us_accept(l, &c, &err);
  us_listener_drop(l);
  if (!fine) return error(out, &err);
  if (c == 0) {
    us_buf_str(out, "none");
    return true;
  }
  us_credentials cred;
  fine = us_peer_credentials(c, &cred, &err);
  us_connection_drop(c);
  if (!fine) return error(out, &err);
  us_buf_str(out, "ok uid ");
  us_buf_u32(out, cred.uid);
  return true;
}

static bool send_to(const char *path, us_buf *out) {
  us_datagram d;
  us_error err;
  if (!us_datagram_bind(NULL, NULL, &d, &err)) return error(out, &err);
  us_address to = us_path(path);
  uint32_t sent = 0;
  bool fine = us_datagram_send_to(d, "hi", 2, &to, NULL, 0, &sent, &err);
  us_datagram_drop(d);
  if (!fine) return error(out, &err);
  us_buf_str(out, "ok ");
  us_buf_u32(out, sent);
  return true;
}

/* Open pairs until an error or `limit` pairs; drop them unless `keep`. */
static bool many(uint32_t limit, bool keep, us_buf *out) {
  us_connection *held = malloc(2 * (size_t)limit * sizeof(us_connection) + 1);
  uint32_t n = 0;
  us_error err;
  bool failed = false;
  while (n < limit) {
    if (!us_socket_pair(US_STREAM, &held[2 * n], &held[2 * n + 1], &err)) {
      failed = true;
      break;
    }
    n++;
  }
  if (failed) {
    error(out, &err);
    us_buf_str(out, " after ");
  } else {
    us_buf_str(out, "ok ");
  }
  us_buf_u32(out, n);
  if (!keep) {
    for (uint32_t i = 0; i < 2 * n; i++) us_connection_drop(held[i]);
  }
  free(held);
  return true;
}

bool us_plugin_run(int argc, char **argv, us_buf *out) {
  if (argc < 1) return usage(out);
  const char *action = argv[0];
  uint32_t a = 0, b = 0;
  us_error err;
  if (strcmp(action, "connect") == 0 && argc == 2) return connect_to(argv[1], false, out);
  if (strcmp(action, "connect-abstract") == 0 && argc == 2) return connect_to(argv[1], true, out);
  if (strcmp(action, "listen") == 0 && argc == 2) return listen_on(argv[1], false, out);
  if (strcmp(action, "listen-abstract") == 0 && argc == 2) return listen_on(argv[1], true, out);
  if (strcmp(action, "bind-unnamed") == 0) return bind_unnamed(out);
  if (strcmp(action, "pair") == 0) return pair(out);
  if (strcmp(action, "echo") == 0 && argc == 4 && us_parse_u32(argv[2], &a) && us_parse_u32(argv[3], &b))
    return echo(argv[1], a, b, out);
  if (strcmp(action, "accept") == 0 && argc == 3 && us_parse_u32(argv[2], &a)) return accept_on(argv[1], a, out);
  if (strcmp(action, "send-to") == 0 && argc == 2) return send_to(argv[1], out);
  if (strcmp(action, "many-sockets") == 0 && argc == 2 && us_parse_u32(argv[1], &a)) return many(a, false, out);
  if (strcmp(action, "keep-pairs") == 0 && argc == 2 && us_parse_u32(argv[1], &a)) return many(a, true, out);
  if (strcmp(action, "forged-handle") == 0) {
    uint32_t sent;
    if (!us_send(12345, "x", 1, NULL, 0, &sent, &err)) return error(out, &err);
    us_buf_str(out, "sent on a forged handle");
    return true;
  }
  if (strcmp(action, "stale-handle") == 0) {
    us_connection c, d;
    if (!us_socket_pair(US_STREAM, &c, &d, &err)) return error(out, &err);
    us_connection_drop(c);
    uint32_t sent;
    if (!us_send(c, "x", 1, NULL, 0, &sent, &err)) return error(out, &err);
    us_buf_str(out, "sent on a dropped handle");
    return true;
  }
  if (strcmp(action, "wrong-type-handle") == 0) {
    us_datagram d;
    if (!us_datagram_bind(NULL, NULL, &d, &err)) return error(out, &err);
    uint32_t sent;
    if (!us_send((us_connection)d, "x", 1, NULL, 0, &sent, &err)) return error(out, &err);
    us_buf_str(out, "sent on a datagram handle as a connection");
    return true;
  }
  if (strcmp(action, "bad-pointer") == 0) {
    us_connection c, d;
    if (!us_socket_pair(US_STREAM, &c, &d, &err)) return error(out, &err);
    uint32_t sent;
    if (!us_send(c, (const void *)0x7ffffff0, 4096, NULL, 0, &sent, &err)) return error(out, &err);
    us_buf_str(out, "sent from outside memory");
    return true;
  }
  return usage(out);
}
