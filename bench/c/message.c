// The kernel's limit for bench/message.ts: the same cases in plain C, two
// processes over AF_UNIX sockets bound to paths, blocking I/O.
//
//   message seqpacket PATH COUNT   64-byte SEQPACKET records per second
//   message dgram PATH COUNT       64-byte datagrams per second (connected sender)
//   message fds PATH COUNT         descriptors per second (stream, 1 byte + 1 fd per send)
//   message fds-seqpacket PATH COUNT   the same over SEQPACKET
//   message pingpong PATH MS       64-byte DGRAM round trips per second
//
// Rate cases check that every message arrived: the receiver counts them and
// replies with the count. Set PASSCRED=1 to turn SO_PASSCRED on at both ends
// (as unixsock's SeqpacketSocket does) and see what credentials cost.
// Prints one number. The server is a forked child; everything it opened is
// closed and the paths unlinked before exit.
#define _GNU_SOURCE
#include <fcntl.h>

#include "common.h"

#define SIZE 64

static int passcred;

static int open_socket(int type) {
  int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  if (passcred && setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &passcred, sizeof(passcred)) != 0) die("SO_PASSCRED");
  return fd;
}

static int bound(int type, const char* path) {
  struct sockaddr_un a = address(path);
  unlink(path);
  int fd = open_socket(type);
  if (bind(fd, (struct sockaddr*)&a, sizeof(a)) != 0) die("bind");
  return fd;
}

static void send_all(int fd, const void* p, size_t n) {
  while (send(fd, p, n, MSG_NOSIGNAL) != (ssize_t)n) {
    if (errno != EINTR) die("send");
  }
}

// One record of 1 byte carrying `passed` (SCM_RIGHTS).
static void send_fd(int fd, int passed) {
  char byte = 'f';
  struct iovec iov = {&byte, 1};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  struct msghdr msg = {0};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof(control.buf);
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &passed, sizeof(int));
  while (sendmsg(fd, &msg, MSG_NOSIGNAL) != 1) {
    if (errno != EINTR) die("sendmsg");
  }
}

// recvmsg with room for descriptors and credentials; closes every received
// descriptor and adds their number to *fds. The length read, 0 at the end.
static ssize_t receive(int fd, char* buf, size_t size, struct sockaddr_un* from, socklen_t* fromlen, long long* fds) {
  union {
    char buf[CMSG_SPACE(sizeof(int) * 253) + CMSG_SPACE(sizeof(struct ucred))];
    struct cmsghdr align;
  } control;
  struct iovec iov = {buf, size};
  struct msghdr msg = {0};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof(control.buf);
  if (from != NULL) {
    msg.msg_name = from;
    msg.msg_namelen = sizeof(*from);
  }
  ssize_t n;
  while ((n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC)) < 0) {
    if (errno != EINTR) return -1;
  }
  if (fromlen != NULL) *fromlen = msg.msg_namelen;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    for (int i = 0; i < count; i++) {
      int passed;
      memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      close(passed);
    }
    *fds += count;
  }
  return n;
}

// seqpacket and fds: count records (or descriptors) until the client shuts
// down, then reply with the count ("bad N" for records of the wrong size).
// A stream reads as many bytes as are there, but never past a write that
// carried descriptors, so descriptors are counted the same way.
static void serve_seqpacket(int listener, int count_fds) {
  static char buf[65536];
  for (;;) {
    int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;
    }
    long long good = 0, bad = 0, fds = 0;
    ssize_t n;
    while ((n = receive(fd, buf, sizeof(buf), NULL, NULL, &fds)) > 0) {
      if (n == SIZE) good++;
      else bad++;
    }
    char reply[32];
    int len = count_fds ? snprintf(reply, sizeof(reply), "%lld", fds)
              : bad ? snprintf(reply, sizeof(reply), "bad %lld", bad)
                    : snprintf(reply, sizeof(reply), "%lld", good);
    send_all(fd, reply, (size_t)len);
    close(fd);
  }
}

// dgram: count datagrams until "end", reply to its sender; pingpong: echo.
static void serve_dgram(int fd, int echo) {
  static char buf[65536];
  long long good = 0, bad = 0, fds = 0;
  for (;;) {
    struct sockaddr_un from;
    socklen_t fromlen = 0;
    ssize_t n = receive(fd, buf, sizeof(buf), &from, &fromlen, &fds);
    if (n < 0) return;
    if (echo) {
      if (sendto(fd, buf, (size_t)n, MSG_NOSIGNAL, (struct sockaddr*)&from, fromlen) < 0 && errno != EINTR) return;
      continue;
    }
    if (n == 3 && memcmp(buf, "end", 3) == 0) {
      char reply[32];
      int len = bad ? snprintf(reply, sizeof(reply), "bad %lld", bad) : snprintf(reply, sizeof(reply), "%lld", good);
      sendto(fd, reply, (size_t)len, MSG_NOSIGNAL, (struct sockaddr*)&from, fromlen);
      good = bad = 0;
    } else if (n == SIZE) {
      good++;
    } else {
      bad++;
    }
  }
}

static int is_fds(const char* what) { return strncmp(what, "fds", 3) == 0; }

// The socket type of a case.
static int type_of(const char* what) {
  if (strcmp(what, "fds") == 0) return SOCK_STREAM;
  if (strcmp(what, "seqpacket") == 0 || strcmp(what, "fds-seqpacket") == 0) return SOCK_SEQPACKET;
  return SOCK_DGRAM;
}

static pid_t start_server(const char* path, const char* what) {
  int connected = type_of(what) != SOCK_DGRAM;
  int fd = bound(type_of(what), path);
  if (connected && listen(fd, 511) != 0) die("listen");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    if (connected) serve_seqpacket(fd, is_fds(what));
    else serve_dgram(fd, strcmp(what, "pingpong") == 0);
    _exit(0);
  }
  close(fd);
  return pid;
}

// Waits for the receiver's count on fd, exits unless it is `count`; the
// seconds since `start`.
static double await_count(int fd, long long count, double start) {
  char reply[32] = {0};
  long long ignored = 0;
  if (receive(fd, reply, sizeof(reply) - 1, NULL, NULL, &ignored) <= 0) die("recv reply");
  double seconds = now() - start;
  if (atoll(reply) != count || strncmp(reply, "bad", 3) == 0) {
    fprintf(stderr, "peer counted %s of %lld\n", reply, count);
    exit(1);
  }
  return seconds;
}

static double connected_rate(const char* path, int type, long long count, int with_fds) {
  int fd = open_socket(type);
  connect_path(fd, path);
  int passed = with_fds ? open("/dev/null", O_RDONLY | O_CLOEXEC) : -1;
  char msg[SIZE];
  memset(msg, 'a', sizeof(msg));
  double start = now();
  for (long long i = 0; i < count; i++) {
    if (with_fds) send_fd(fd, passed);
    else send_all(fd, msg, sizeof(msg));
  }
  shutdown(fd, SHUT_WR);
  double seconds = await_count(fd, count, start);
  close(fd);
  if (passed >= 0) close(passed);
  return count / seconds;
}

// A DGRAM client bound to PATH.c and connected to PATH.
static int dgram_client(const char* path, char* client_path, size_t size) {
  snprintf(client_path, size, "%s.c", path);
  int fd = bound(SOCK_DGRAM, client_path);
  connect_path(fd, path);
  return fd;
}

static double dgram_rate(const char* path, long long count) {
  char client_path[128];
  int fd = dgram_client(path, client_path, sizeof(client_path));
  char msg[SIZE];
  memset(msg, 'a', sizeof(msg));
  double start = now();
  for (long long i = 0; i < count; i++) send_all(fd, msg, sizeof(msg));
  send_all(fd, "end", 3);
  double seconds = await_count(fd, count, start);
  close(fd);
  unlink(client_path);
  return count / seconds;
}

static double pingpong(const char* path, double ms) {
  char client_path[128];
  int fd = dgram_client(path, client_path, sizeof(client_path));
  char msg[SIZE];
  memset(msg, 'b', sizeof(msg));
  long trips = 0;
  long long ignored = 0;
  double start = now();
  while ((now() - start) * 1000 < ms) {
    send_all(fd, msg, sizeof(msg));
    if (receive(fd, msg, sizeof(msg), NULL, NULL, &ignored) != SIZE) die("recv");
    trips++;
  }
  double rate = trips / (now() - start);
  close(fd);
  unlink(client_path);
  return rate;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: message seqpacket|dgram|fds|fds-seqpacket|pingpong PATH COUNT|MS\n");
    return 2;
  }
  const char* what = argv[1];
  const char* path = argv[2];
  const char* env = getenv("PASSCRED");
  passcred = env != NULL && strcmp(env, "1") == 0;
  signal(SIGPIPE, SIG_IGN);
  double result;
  pid_t server;
  if (strcmp(what, "seqpacket") == 0 || is_fds(what)) {
    server = start_server(path, what);
    result = connected_rate(path, type_of(what), atoll(argv[3]), is_fds(what));
  } else if (strcmp(what, "dgram") == 0) {
    server = start_server(path, what);
    result = dgram_rate(path, atoll(argv[3]));
  } else if (strcmp(what, "pingpong") == 0) {
    server = start_server(path, what);
    result = pingpong(path, atof(argv[3]));
  } else {
    fprintf(stderr, "unknown case\n");
    return 2;
  }
  stop_server(server, path);
  printf("%.1f\n", result);
  return 0;
}
