/* unixsock.c: the canonical-ABI side of unixsock.h. Core imports of
 * `cm32p2|unixsock:ipc/sockets@0.1` with their flattened signatures (one
 * i32 per handle, enum, flag set, bool and pointer; (ptr, len) per string
 * and list; a trailing return-area pointer for every result wider than one
 * value), the `run` export with its post-return, and `cm32p2_realloc`.
 * Results are read from a return area whose layout is the canonical ABI's:
 * the result discriminant at 0, the payload at 4 (every payload here is
 * 4-aligned). Lists the host returns were allocated with cm32p2_realloc
 * (malloc) and belong to the plugin. */
#include "unixsock.h"

#include <stdlib.h>
#include <string.h>

#define US_IMPORT(name) __attribute__((import_module("cm32p2|unixsock:ipc/sockets@0.1"), import_name(name)))

/* The return area of every `result<T, socket-error>` used here. */
typedef struct {
  uint8_t is_err;
  union {
    int32_t handle;
    uint32_t u32;
    uint8_t flags;
    us_address address;
    us_message message;
    us_credentials credentials;
    struct {
      int32_t a, b;
    } pair;
    struct {
      uint8_t is_some;
      int32_t handle;
    } option;
    us_error err;
  } v;
} us_ret;

_Static_assert(sizeof(us_address) == 12, "address layout");
_Static_assert(sizeof(us_error) == 16, "socket-error layout");
_Static_assert(sizeof(us_message) == 32, "message layout");
_Static_assert(offsetof(us_message, attachments) == 20, "message layout");
_Static_assert(offsetof(us_message, truncated) == 28, "message layout");
_Static_assert(offsetof(us_ret, v) == 4, "result layout");
_Static_assert(sizeof(us_ret) == 36, "result layout");

US_IMPORT("socket-pair") extern void us__socket_pair(int32_t type, us_ret *ret);
US_IMPORT("[static]listener.listen")
extern void us__listen(int32_t kind, const uint8_t *ptr, size_t len, int32_t type, uint32_t backlog, int32_t has_mode,
                       uint32_t mode, int32_t unlink, int32_t recover, int32_t has_wd, const char *wd, size_t wd_len,
                       us_ret *ret);
US_IMPORT("[method]listener.accept") extern void us__accept(us_listener l, us_ret *ret);
US_IMPORT("[method]listener.wait") extern void us__listener_wait(us_listener l, int32_t events, uint32_t ms, us_ret *ret);
US_IMPORT("[method]listener.local-address") extern void us__listener_local(us_listener l, us_ret *ret);
US_IMPORT("[method]listener.close") extern void us__listener_close(us_listener l, us_ret *ret);
US_IMPORT("[static]connection.connect")
extern void us__connect(int32_t kind, const uint8_t *ptr, size_t len, int32_t type, us_ret *ret);
US_IMPORT("[method]connection.local-address") extern void us__local(us_connection c, us_ret *ret);
US_IMPORT("[method]connection.remote-address") extern void us__remote(us_connection c, us_ret *ret);
US_IMPORT("[method]connection.shutdown") extern void us__shutdown(us_connection c, int32_t how, us_ret *ret);
US_IMPORT("[method]connection.send")
extern void us__send(us_connection c, const void *data, size_t len, const us_attachment *atts, size_t n, us_ret *ret);
US_IMPORT("[method]connection.receive") extern void us__receive(us_connection c, uint32_t max, us_ret *ret);
US_IMPORT("[method]connection.wait") extern void us__wait(us_connection c, int32_t events, uint32_t ms, us_ret *ret);
US_IMPORT("[method]connection.peer-credentials") extern void us__peer(us_connection c, us_ret *ret);
US_IMPORT("[method]connection.close") extern void us__close(us_connection c, us_ret *ret);
US_IMPORT("[static]datagram.bind")
extern void us__dgram_bind(int32_t has_addr, int32_t kind, const uint8_t *ptr, size_t len, int32_t has_mode,
                           uint32_t mode, int32_t unlink, int32_t recover, int32_t has_wd, const char *wd,
                           size_t wd_len, us_ret *ret);
US_IMPORT("[method]datagram.connect")
extern void us__dgram_connect(us_datagram d, int32_t kind, const uint8_t *ptr, size_t len, us_ret *ret);
US_IMPORT("[method]datagram.send-to")
extern void us__dgram_send_to(us_datagram d, const void *data, size_t len, int32_t has_to, int32_t kind,
                              const uint8_t *to, size_t to_len, const us_attachment *atts, size_t n, us_ret *ret);
US_IMPORT("[method]datagram.receive") extern void us__dgram_receive(us_datagram d, uint32_t max, us_ret *ret);
US_IMPORT("[method]datagram.wait") extern void us__dgram_wait(us_datagram d, int32_t events, uint32_t ms, us_ret *ret);
US_IMPORT("[method]datagram.local-address") extern void us__dgram_local(us_datagram d, us_ret *ret);
US_IMPORT("[method]datagram.remote-address") extern void us__dgram_remote(us_datagram d, us_ret *ret);
US_IMPORT("[method]datagram.close") extern void us__dgram_close(us_datagram d, us_ret *ret);
US_IMPORT("listener_drop") extern void us__listener_drop(us_listener l);
US_IMPORT("connection_drop") extern void us__connection_drop(us_connection c);
US_IMPORT("datagram_drop") extern void us__datagram_drop(us_datagram d);
US_IMPORT("attachment_drop") extern void us__attachment_drop(us_attachment a);

/* ---- Memory the host allocates in this instance ---- */

__attribute__((export_name("cm32p2_realloc"))) void *cm32p2_realloc(void *old, size_t old_size, size_t align,
                                                                    size_t new_size) {
  (void)old_size;
  if (new_size == 0) {
    free(old);
    return (void *)align;
  }
  /* malloc aligns to 16, more than any canonical-ABI alignment. */
  void *p = realloc(old, new_size);
  if (p == NULL) __builtin_trap();
  return p;
}

/* Free a list the host allocated: an empty one was never allocated. */
static void free_list(void *ptr, size_t len) {
  if (len != 0) free(ptr);
}

/* ---- Result helpers ---- */

static bool finish(const us_ret *r, us_error *err) {
  if (!r->is_err) return true;
  if (err != NULL) *err = r->v.err;
  return false;
}

static bool handle_result(const us_ret *r, int32_t *out, us_error *err) {
  if (!finish(r, err)) return false;
  *out = r->v.handle;
  return true;
}

static bool address_result(const us_ret *r, us_address *out, us_error *err) {
  if (!finish(r, err)) return false;
  *out = r->v.address;
  return true;
}

static bool message_result(const us_ret *r, us_message *out, us_error *err) {
  if (!finish(r, err)) return false;
  *out = r->v.message;
  return true;
}

static bool flags_result(const us_ret *r, uint8_t *out, us_error *err) {
  if (!finish(r, err)) return false;
  *out = r->v.flags;
  return true;
}

static bool u32_result(const us_ret *r, uint32_t *out, us_error *err) {
  if (!finish(r, err)) return false;
  if (out != NULL) *out = r->v.u32;
  return true;
}

/* ---- Addresses ---- */

us_address us_path(const char *path) {
  us_address a = {US_ADDR_PATH, {(uint8_t *)path, strlen(path)}};
  return a;
}

us_address us_abstract(const void *name, size_t len) {
  us_address a = {US_ADDR_ABSTRACT, {(uint8_t *)name, len}};
  return a;
}

us_address us_unnamed(void) {
  us_address a = {US_ADDR_UNNAMED, {NULL, 0}};
  return a;
}

void us_address_free(us_address *a) {
  if (a->kind != US_ADDR_UNNAMED) free_list(a->bytes.ptr, a->bytes.len);
  a->kind = US_ADDR_UNNAMED;
  a->bytes.ptr = NULL;
  a->bytes.len = 0;
}

us_bind_options us_bind_defaults(void) {
  us_bind_options o = {false, 0, true, true, NULL};
  return o;
}

us_listen_options us_listen_defaults(us_socket_type type) {
  us_listen_options o = {type, 128, us_bind_defaults()};
  return o;
}

/* ---- Connections ---- */

bool us_connect(us_address addr, us_socket_type type, us_connection *out, us_error *err) {
  us_ret r;
  us__connect(addr.kind, addr.bytes.ptr, addr.bytes.len, type, &r);
  return handle_result(&r, out, err);
}

bool us_connect_path(const char *path, us_socket_type type, us_connection *out, us_error *err) {
  return us_connect(us_path(path), type, out, err);
}

bool us_send(us_connection c, const void *data, size_t len, const us_attachment *attachments, size_t n_attachments,
             uint32_t *sent, us_error *err) {
  us_ret r;
  us__send(c, data, len, attachments, n_attachments, &r);
  return u32_result(&r, sent, err);
}

bool us_receive(us_connection c, uint32_t max, us_message *msg, us_error *err) {
  us_ret r;
  us__receive(c, max, &r);
  return message_result(&r, msg, err);
}

bool us_wait(us_connection c, uint8_t events, uint32_t timeout_ms, uint8_t *ready, us_error *err) {
  us_ret r;
  us__wait(c, events, timeout_ms, &r);
  return flags_result(&r, ready, err);
}

bool us_shutdown(us_connection c, us_shutdown_how how, us_error *err) {
  us_ret r;
  us__shutdown(c, how, &r);
  return finish(&r, err);
}

bool us_peer_credentials(us_connection c, us_credentials *out, us_error *err) {
  us_ret r;
  us__peer(c, &r);
  if (!finish(&r, err)) return false;
  *out = r.v.credentials;
  return true;
}

bool us_local_address(us_connection c, us_address *out, us_error *err) {
  us_ret r;
  us__local(c, &r);
  return address_result(&r, out, err);
}

bool us_remote_address(us_connection c, us_address *out, us_error *err) {
  us_ret r;
  us__remote(c, &r);
  return address_result(&r, out, err);
}

bool us_close(us_connection c, us_error *err) {
  us_ret r;
  us__close(c, &r);
  return finish(&r, err);
}

void us_connection_drop(us_connection c) { us__connection_drop(c); }

bool us_socket_pair(us_socket_type type, us_connection *a, us_connection *b, us_error *err) {
  us_ret r;
  us__socket_pair(type, &r);
  if (!finish(&r, err)) return false;
  *a = r.v.pair.a;
  *b = r.v.pair.b;
  return true;
}

/* ---- Listeners ---- */

bool us_listen(us_address addr, const us_listen_options *o, us_listener *out, us_error *err) {
  us_ret r;
  const char *wd = o->bind.working_directory;
  us__listen(addr.kind, addr.bytes.ptr, addr.bytes.len, o->socket_type, o->backlog, o->bind.has_mode, o->bind.mode,
             o->bind.unlink_on_close, o->bind.recover_stale, wd != NULL, wd, wd != NULL ? strlen(wd) : 0, &r);
  return handle_result(&r, out, err);
}

bool us_listen_path(const char *path, us_socket_type type, us_listener *out, us_error *err) {
  us_listen_options o = us_listen_defaults(type);
  return us_listen(us_path(path), &o, out, err);
}

bool us_accept(us_listener l, us_connection *out, us_error *err) {
  us_ret r;
  us__accept(l, &r);
  if (!finish(&r, err)) return false;
  *out = r.v.option.is_some ? r.v.option.handle : 0;
  return true;
}

bool us_listener_wait(us_listener l, uint8_t events, uint32_t timeout_ms, uint8_t *ready, us_error *err) {
  us_ret r;
  us__listener_wait(l, events, timeout_ms, &r);
  return flags_result(&r, ready, err);
}

bool us_listener_local_address(us_listener l, us_address *out, us_error *err) {
  us_ret r;
  us__listener_local(l, &r);
  return address_result(&r, out, err);
}

bool us_listener_close(us_listener l, us_error *err) {
  us_ret r;
  us__listener_close(l, &r);
  return finish(&r, err);
}

void us_listener_drop(us_listener l) { us__listener_drop(l); }

/* ---- Datagram sockets ---- */

bool us_datagram_bind(const us_address *addr, const us_bind_options *options, us_datagram *out, us_error *err) {
  us_bind_options o = options != NULL ? *options : us_bind_defaults();
  us_address a = addr != NULL ? *addr : us_unnamed();
  const char *wd = o.working_directory;
  us_ret r;
  us__dgram_bind(addr != NULL, a.kind, a.bytes.ptr, a.bytes.len, o.has_mode, o.mode, o.unlink_on_close,
                 o.recover_stale, wd != NULL, wd, wd != NULL ? strlen(wd) : 0, &r);
  return handle_result(&r, out, err);
}

bool us_datagram_connect(us_datagram d, us_address addr, us_error *err) {
  us_ret r;
  us__dgram_connect(d, addr.kind, addr.bytes.ptr, addr.bytes.len, &r);
  return finish(&r, err);
}

bool us_datagram_send_to(us_datagram d, const void *data, size_t len, const us_address *to,
                         const us_attachment *attachments, size_t n_attachments, uint32_t *sent, us_error *err) {
  us_address a = to != NULL ? *to : us_unnamed();
  us_ret r;
  us__dgram_send_to(d, data, len, to != NULL, a.kind, a.bytes.ptr, a.bytes.len, attachments, n_attachments, &r);
  return u32_result(&r, sent, err);
}

bool us_datagram_receive(us_datagram d, uint32_t max, us_message *msg, us_error *err) {
  us_ret r;
  us__dgram_receive(d, max, &r);
  return message_result(&r, msg, err);
}

bool us_datagram_wait(us_datagram d, uint8_t events, uint32_t timeout_ms, uint8_t *ready, us_error *err) {
  us_ret r;
  us__dgram_wait(d, events, timeout_ms, &r);
  return flags_result(&r, ready, err);
}

bool us_datagram_local_address(us_datagram d, us_address *out, us_error *err) {
  us_ret r;
  us__dgram_local(d, &r);
  return address_result(&r, out, err);
}

bool us_datagram_remote_address(us_datagram d, us_address *out, us_error *err) {
  us_ret r;
  us__dgram_remote(d, &r);
  return address_result(&r, out, err);
}

bool us_datagram_close(us_datagram d, us_error *err) {
  us_ret r;
  us__dgram_close(d, &r);
  return finish(&r, err);
}

void us_datagram_drop(us_datagram d) { us__datagram_drop(d); }

/* ---- Attachments and messages ---- */

void us_attachment_drop(us_attachment a) { us__attachment_drop(a); }

void us_message_free(us_message *m) {
  free_list(m->data.ptr, m->data.len);
  us_address_free(&m->sender);
  for (size_t i = 0; i < m->attachments.len; i++) {
    if (m->attachments.ptr[i] != 0) us__attachment_drop(m->attachments.ptr[i]);
  }
  free_list(m->attachments.ptr, m->attachments.len);
  memset(m, 0, sizeof *m);
}

/* ---- Text ---- */

void us_buf_bytes(us_buf *b, const void *data, size_t len) {
  if (b->len + len + 1 > b->cap) {
    size_t cap = b->cap < 64 ? 64 : b->cap;
    while (cap < b->len + len + 1) cap *= 2;
    char *p = realloc(b->ptr, cap);
    if (p == NULL) __builtin_trap();
    b->ptr = p;
    b->cap = cap;
  }
  memcpy(b->ptr + b->len, data, len);
  b->len += len;
  b->ptr[b->len] = 0;
}

void us_buf_str(us_buf *b, const char *s) { us_buf_bytes(b, s, strlen(s)); }

void us_buf_u32(us_buf *b, uint32_t n) {
  char digits[10];
  size_t i = sizeof digits;
  do {
    digits[--i] = (char)('0' + n % 10);
    n /= 10;
  } while (n != 0);
  us_buf_bytes(b, digits + i, sizeof digits - i);
}

void us_buf_free(us_buf *b) {
  free(b->ptr);
  b->ptr = NULL;
  b->len = b->cap = 0;
}

bool us_parse_u32(const char *s, uint32_t *out) {
  uint64_t n = 0;
  if (*s == 0) return false;
  for (; *s != 0; s++) {
    if (*s < '0' || *s > '9') return false;
    n = n * 10 + (uint64_t)(*s - '0');
    if (n > 0xffffffffu) return false;
  }
  *out = (uint32_t)n;
  return true;
}

#define NAME_OF(table, i) ((i) < sizeof(table) / sizeof(table[0]) ? table[i] : "?")

static const char *const ERROR_CODES[] = {
    "access-denied", "policy-denied", "not-supported", "invalid-argument", "invalid-address",
    "name-too-long", "invalid-state", "would-block", "address-in-use", "address-not-available",
    "no-such-path", "not-a-directory", "symlink-loop", "read-only-filesystem", "no-space",
    "connection-refused", "connection-reset", "connection-aborted", "broken-pipe", "wrong-socket-type",
    "message-too-large", "too-many-descriptors", "out-of-memory", "timeout", "bad-descriptor",
    "not-a-socket", "other",
};

static const char *const ERRNOS[] = {
    "EACCES", "EPERM", "EADDRINUSE", "EADDRNOTAVAIL", "EAFNOSUPPORT", "EAGAIN", "EALREADY", "EBADF",
    "ECONNABORTED", "ECONNREFUSED", "ECONNRESET", "EDESTADDRREQ", "EEXIST", "EINPROGRESS", "EINVAL",
    "EIO", "EISCONN", "EISDIR", "ELOOP", "EMFILE", "EMSGSIZE", "ENAMETOOLONG",
    "ENFILE", "ENOBUFS", "ENOENT", "ENOMEM", "ENOSPC", "EDQUOT", "ENOTCONN",
    "ENOTDIR", "ENOTSOCK", "EOPNOTSUPP", "EPIPE", "EPROTONOSUPPORT", "EPROTOTYPE",
    "EROFS", "ESOCKTNOSUPPORT", "ETIMEDOUT", "ETOOMANYREFS", "ENOPROTOOPT", "UNKNOWN",
};

static const char *const OPERATIONS[] = {
    "socket", "bind", "listen", "connect", "accept", "getsockname", "getpeername", "shutdown", "close",
    "lstat", "unlink", "getsockopt", "socketpair", "send", "receive", "poll", "realpath",
};

static const char *const PERMISSIONS[] = {
    "bind", "listen", "connect", "accept", "send-to", "receive-from", "socket-pair",
    "send-descriptors", "receive-descriptors", "socket-limit", "descriptor-limit",
};

static const char *const ADDRESS_ERRORS[] = {
    "empty-path", "contains-nul", "path-too-long", "absolute-path-too-long", "relative-path-rejected",
    "missing-working-directory", "working-directory-not-absolute", "abstract-unsupported",
    "abstract-too-long", "autobind-unsupported", "truncated", "wrong-family", "bad-length-byte",
    "bad-syntax",
};

const char *us_error_code_name(uint8_t code) { return NAME_OF(ERROR_CODES, code); }
const char *us_errno_name(uint8_t errno_) { return NAME_OF(ERRNOS, errno_); }
const char *us_operation_name(uint8_t operation) { return NAME_OF(OPERATIONS, operation); }
const char *us_permission_name(uint8_t permission) { return NAME_OF(PERMISSIONS, permission); }

void us_error_text(const us_error *err, us_buf *b) {
  switch (err->tag) {
    case US_ERR_INVALID_ADDRESS:
      us_buf_str(b, "invalid-address ");
      us_buf_str(b, NAME_OF(ADDRESS_ERRORS, err->v.invalid_address.tag));
      break;
    case US_ERR_OS:
      us_buf_str(b, "os ");
      us_buf_str(b, us_error_code_name(err->v.os.code));
      us_buf_str(b, " ");
      us_buf_str(b, us_errno_name(err->v.os.errno_));
      us_buf_str(b, " ");
      us_buf_str(b, us_operation_name(err->v.os.operation));
      break;
    case US_ERR_INVALID_STATE:
      us_buf_str(b, "invalid-state");
      break;
    case US_ERR_POLICY_DENIED:
      us_buf_str(b, "policy-denied ");
      us_buf_str(b, us_permission_name(err->v.permission));
      break;
    default:
      us_buf_str(b, "?");
  }
}

/* ---- The `run` export ---- */

typedef struct {
  uint8_t is_err;
  us_bytes text;
} us_run_ret;

static us_run_ret run_ret;

/* `run: func(args: list<string>) -> result<string, string>`: the host
 * allocated the list and each string here; they are freed before return.
 * The result text stays allocated until `run_post`. */
__attribute__((export_name("cm32p2||run"))) us_run_ret *us__run(us_bytes *args, size_t n) {
  char **argv = malloc((n + 1) * sizeof(char *));
  if (argv == NULL) __builtin_trap();
  for (size_t i = 0; i < n; i++) {
    argv[i] = malloc(args[i].len + 1);
    if (argv[i] == NULL) __builtin_trap();
    memcpy(argv[i], args[i].ptr, args[i].len);
    argv[i][args[i].len] = 0;
    free_list(args[i].ptr, args[i].len);
  }
  argv[n] = NULL;
  free_list(args, n);
  us_buf out = {NULL, 0, 0};
  bool ok = us_plugin_run((int)n, argv, &out);
  for (size_t i = 0; i < n; i++) free(argv[i]);
  free(argv);
  run_ret.is_err = ok ? 0 : 1;
  run_ret.text.ptr = (uint8_t *)out.ptr;
  run_ret.text.len = out.len;
  return &run_ret;
}

__attribute__((export_name("cm32p2||run_post"))) void us__run_post(us_run_ret *ret) {
  free(ret->text.ptr);
  ret->text.ptr = NULL;
  ret->text.len = 0;
}
