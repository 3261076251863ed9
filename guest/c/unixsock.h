/* unixsock.h: a hand-written canonical-ABI binding for C plugins of world
 * `unixsock:ipc/plugin` (wit/world.wit). A plugin imports the `sockets`
 * interface (handles, never descriptor numbers) and exports `run`.
 *
 * Build (build/plugins.mjs does this with @yowasp/clang):
 *   clang --target=wasm32-wasip1 -O2 -mexec-model=reactor \
 *         -Wl,--export-memory=cm32p2_memory -Iguest/c plugin.c guest/c/unixsock.c
 * then componentize against wit/ (world `plugin`, utf8 strings). Only
 * malloc/free/memcpy are used, so the module imports nothing from WASI.
 *
 * A plugin defines
 *   bool us_plugin_run(int argc, char **argv, us_buf *out);
 * `argv` holds NUL-terminated copies of the arguments; append the result
 * text to `out` and return true (WIT `ok`) or false (WIT `err`).
 *
 * Every wrapper returns true on success and fills `*err` (WIT
 * `socket-error`) on failure. Handles are plain numbers owned by the
 * plugin: drop them with the `us_*_drop` functions (dropping closes the
 * socket; `us_*_close` closes it but keeps the handle). A handle the plugin
 * does not own, or one already dropped, traps the plugin.
 */
#ifndef UNIXSOCK_H
#define UNIXSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Handles (WIT resources of interface `sockets`) ---- */
typedef int32_t us_listener;
typedef int32_t us_connection;
typedef int32_t us_datagram;
typedef int32_t us_attachment;

/* ---- Plain data, laid out exactly as the canonical ABI stores it ---- */

/* WIT `types.socket-type`. */
typedef enum { US_STREAM = 0, US_DATAGRAM = 1, US_SEQPACKET = 2 } us_socket_type;

/* WIT `types.shutdown-how`. */
typedef enum { US_SHUT_RECEIVE = 0, US_SHUT_SEND = 1, US_SHUT_BOTH = 2 } us_shutdown_how;

/* WIT `types.readiness` flags. */
enum { US_READABLE = 1, US_WRITABLE = 2, US_HANG_UP = 4 };

/* A byte range (WIT `list<u8>`, or a UTF-8 `string`: not NUL-terminated). */
typedef struct {
  uint8_t *ptr;
  size_t len;
} us_bytes;

/* WIT `types.address` cases. */
enum { US_ADDR_PATH = 0, US_ADDR_PATH_BYTES = 1, US_ADDR_ABSTRACT = 2, US_ADDR_UNNAMED = 3 };

/* WIT `types.address`: `kind` and, except for unnamed, its bytes. */
typedef struct {
  uint8_t kind;
  us_bytes bytes;
} us_address;

/* WIT `types.credentials`. */
typedef struct {
  int32_t pid;
  uint32_t uid;
  uint32_t gid;
} us_credentials;

/* WIT `address.address-error` (case index in `tag`). */
typedef struct {
  uint8_t tag;
  union {
    uint32_t offset; /* contains-nul, bad-syntax */
    struct {
      uint32_t length, maximum;
    } excess; /* path-too-long, absolute-path-too-long, abstract-too-long */
    uint16_t family; /* wrong-family */
    uint8_t length_byte; /* bad-length-byte */
  } v;
} us_address_error;

/* WIT `sockets.socket-error` cases. */
enum { US_ERR_INVALID_ADDRESS = 0, US_ERR_OS = 1, US_ERR_INVALID_STATE = 2, US_ERR_POLICY_DENIED = 3 };

/* WIT `sockets.socket-error`. For `os`: `code` is a WIT `error-code`,
 * `errno_` a WIT `errno`, `operation` a WIT `sockets.operation` (case
 * indices; us_error_text names them). For `policy-denied`: a WIT
 * `permission`. */
typedef struct {
  uint8_t tag;
  union {
    us_address_error invalid_address;
    struct {
      uint8_t code, errno_, operation;
    } os;
    uint8_t permission;
  } v;
} us_error;

/* WIT `types.error-code` cases this binding's callers test most. */
enum {
  US_CODE_POLICY_DENIED = 1,
  US_CODE_INVALID_STATE = 6,
  US_CODE_WOULD_BLOCK = 7,
  US_CODE_NO_SUCH_PATH = 10,
  US_CODE_CONNECTION_REFUSED = 15,
  US_CODE_TIMEOUT = 23,
};

/* WIT `sockets.message`, as `receive` fills it. Free with us_message_free. */
typedef struct {
  us_bytes data;
  us_address sender;
  struct {
    us_attachment *ptr;
    size_t len;
  } attachments;
  bool truncated;
  bool attachments_dropped;
} us_message;

/* WIT `sockets.bind-options` (us_bind_defaults: no mode, unlink on close,
 * recover stale, no working directory). */
typedef struct {
  bool has_mode;
  uint32_t mode;
  bool unlink_on_close;
  bool recover_stale;
  const char *working_directory; /* NULL: none */
} us_bind_options;

/* WIT `sockets.listen-options`. */
typedef struct {
  us_socket_type socket_type;
  uint32_t backlog;
  us_bind_options bind;
} us_listen_options;

/* ---- Addresses ---- */
us_address us_path(const char *path);
us_address us_abstract(const void *name, size_t len);
us_address us_unnamed(void);
/* Free the bytes of an address the binding returned (local-address, …). */
void us_address_free(us_address *a);

us_bind_options us_bind_defaults(void);
us_listen_options us_listen_defaults(us_socket_type type);

/* ---- Connections ---- */
bool us_connect(us_address addr, us_socket_type type, us_connection *out, us_error *err);
bool us_connect_path(const char *path, us_socket_type type, us_connection *out, us_error *err);
/* Bytes the kernel took in `*sent`; `attachments` are borrowed (may be NULL). */
bool us_send(us_connection c, const void *data, size_t len, const us_attachment *attachments, size_t n_attachments,
             uint32_t *sent, us_error *err);
/* At most `max` bytes. Empty data on a stream (max > 0) is the end of the stream. */
bool us_receive(us_connection c, uint32_t max, us_message *msg, us_error *err);
/* The ready subset of `events` in `*ready` (0 on timeout). Blocks. */
bool us_wait(us_connection c, uint8_t events, uint32_t timeout_ms, uint8_t *ready, us_error *err);
bool us_shutdown(us_connection c, us_shutdown_how how, us_error *err);
bool us_peer_credentials(us_connection c, us_credentials *out, us_error *err);
bool us_local_address(us_connection c, us_address *out, us_error *err);
bool us_remote_address(us_connection c, us_address *out, us_error *err);
bool us_close(us_connection c, us_error *err);
void us_connection_drop(us_connection c);
/* A connected pair (stream or seqpacket). */
bool us_socket_pair(us_socket_type type, us_connection *a, us_connection *b, us_error *err);

/* ---- Listeners ---- */
bool us_listen(us_address addr, const us_listen_options *options, us_listener *out, us_error *err);
bool us_listen_path(const char *path, us_socket_type type, us_listener *out, us_error *err);
/* `*out` is 0 when nothing is pending. */
bool us_accept(us_listener l, us_connection *out, us_error *err);
bool us_listener_wait(us_listener l, uint8_t events, uint32_t timeout_ms, uint8_t *ready, us_error *err);
bool us_listener_local_address(us_listener l, us_address *out, us_error *err);
bool us_listener_close(us_listener l, us_error *err);
void us_listener_drop(us_listener l);

/* ---- Datagram sockets ---- */
/* `addr` NULL: unbound; `options` NULL: us_bind_defaults(). */
bool us_datagram_bind(const us_address *addr, const us_bind_options *options, us_datagram *out, us_error *err);
bool us_datagram_connect(us_datagram d, us_address addr, us_error *err);
/* `to` NULL: the default peer. */
bool us_datagram_send_to(us_datagram d, const void *data, size_t len, const us_address *to,
                         const us_attachment *attachments, size_t n_attachments, uint32_t *sent, us_error *err);
bool us_datagram_receive(us_datagram d, uint32_t max, us_message *msg, us_error *err);
bool us_datagram_wait(us_datagram d, uint8_t events, uint32_t timeout_ms, uint8_t *ready, us_error *err);
bool us_datagram_local_address(us_datagram d, us_address *out, us_error *err);
bool us_datagram_remote_address(us_datagram d, us_address *out, us_error *err);
bool us_datagram_close(us_datagram d, us_error *err);
void us_datagram_drop(us_datagram d);

/* ---- Attachments and messages ---- */
void us_attachment_drop(us_attachment a);
/* Free the data and sender; drop every attachment still in the message. */
void us_message_free(us_message *m);

/* ---- Text ---- */

/* A growable text buffer (malloc'd; `ptr` may be NULL while empty). */
typedef struct {
  char *ptr;
  size_t len, cap;
} us_buf;

void us_buf_bytes(us_buf *b, const void *data, size_t len);
void us_buf_str(us_buf *b, const char *s);
void us_buf_u32(us_buf *b, uint32_t n);
void us_buf_free(us_buf *b);
/* Append a socket-error in words: "policy-denied connect",
 * "os no-such-path ENOENT connect", "invalid-state",
 * "invalid-address path-too-long". */
void us_error_text(const us_error *err, us_buf *b);
/* Names of WIT cases ("?" when out of range). */
const char *us_error_code_name(uint8_t code);
const char *us_errno_name(uint8_t errno_);
const char *us_operation_name(uint8_t operation);
const char *us_permission_name(uint8_t permission);
/* Parse a decimal u32; false if `s` is not one. */
bool us_parse_u32(const char *s, uint32_t *out);

/* ---- The plugin's entry point (defined by the plugin) ---- */
bool us_plugin_run(int argc, char **argv, us_buf *out);

#ifdef __cplusplus
}
#endif

#endif
