// The kernel's limit for bench/stream.ts: the same cases in plain C, two
// processes over an AF_UNIX stream socket bound to a path, blocking I/O.
//
//   stream throughput PATH SIZE TOTAL   MB/s moving TOTAL bytes in SIZE writes
//   stream pingpong PATH MS             64-byte round trips per second
//   stream accept PATH COUNT            connections per second (8 connectors)
//   stream connect PATH COUNT           the same against a server already
//                                       listening on PATH (a Node peer): the
//                                       load generator of the accept-rate case
//
// Prints one number. The server is a forked child; everything it opened is
// closed and the path unlinked before exit.
#define _GNU_SOURCE

#include "common.h"

static int dial(const char* path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  connect_path(fd, path);
  return fd;
}

static ssize_t write_all(int fd, const char* p, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = send(fd, p + done, n - done, MSG_NOSIGNAL);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    done += (size_t)r;
  }
  return (ssize_t)done;
}

// The server: sink counts bytes and replies with the count; echo echoes;
// accept closes each connection at once.
static void serve(int listener, const char* mode) {
  static char buf[256 * 1024];
  for (;;) {
    int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (strcmp(mode, "accept") == 0) {
      close(fd);
      continue;
    }
    long long total = 0;
    ssize_t n;
    while ((n = recv(fd, buf, sizeof(buf), 0)) != 0) {
      if (n < 0) {
        if (errno == EINTR) continue;
        break;
      }
      total += n;
      if (strcmp(mode, "echo") == 0 && write_all(fd, buf, (size_t)n) < 0) break;
    }
    if (strcmp(mode, "sink") == 0) {
      char reply[32];
      int len = snprintf(reply, sizeof(reply), "%lld", total);
      write_all(fd, reply, (size_t)len);
    }
    close(fd);
  }
}

static pid_t start_server(const char* path, const char* mode) {
  struct sockaddr_un a = address(path);
  unlink(path);
  int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) die("socket");
  if (bind(listener, (struct sockaddr*)&a, sizeof(a)) != 0) die("bind");
  if (listen(listener, 511) != 0) die("listen");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    serve(listener, mode);
    _exit(0);
  }
  close(listener);
  return pid;
}

static double throughput(const char* path, size_t size, long long total) {
  char* chunk = malloc(size);
  if (chunk == NULL) die("malloc");
  memset(chunk, 'a', size);
  int fd = dial(path);
  double start = now();
  for (long long sent = 0; sent < total; sent += (long long)size) {
    if (write_all(fd, chunk, size) < 0) die("send");
  }
  shutdown(fd, SHUT_WR);
  char reply[32] = {0};
  size_t got = 0;
  ssize_t n;
  while ((n = recv(fd, reply + got, sizeof(reply) - 1 - got, 0)) > 0) got += (size_t)n;
  double seconds = now() - start;
  close(fd);
  free(chunk);
  if (atoll(reply) != total) {
    fprintf(stderr, "peer counted %s of %lld bytes\n", reply, total);
    exit(1);
  }
  return total / 1e6 / seconds;
}

static double pingpong(const char* path, double ms) {
  int fd = dial(path);
  char msg[64];
  memset(msg, 'b', sizeof(msg));
  long trips = 0;
  double start = now();
  while ((now() - start) * 1000 < ms) {
    if (write_all(fd, msg, sizeof(msg)) < 0) die("send");
    size_t got = 0;
    while (got < sizeof(msg)) {
      ssize_t n = recv(fd, msg + got, sizeof(msg) - got, 0);
      if (n <= 0) die("recv");
      got += (size_t)n;
    }
    trips++;
  }
  double rate = trips / (now() - start);
  close(fd);
  return rate;
}

static double accept_rate(const char* path, int count) {
  double start = now();
  pid_t workers[8];
  for (int w = 0; w < 8; w++) {
    workers[w] = fork();
    if (workers[w] < 0) die("fork");
    if (workers[w] == 0) {
      for (int i = w; i < count; i += 8) {
        int fd = dial(path);
        char byte;
        while (recv(fd, &byte, 1, 0) > 0) {
        }
        close(fd);
      }
      _exit(0);
    }
  }
  // A connector that failed (die() exits 1) made fewer connections: no rate.
  int failed = 0;
  for (int w = 0; w < 8; w++) {
    int status = 0;
    if (waitpid(workers[w], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) failed = 1;
  }
  if (failed) {
    fprintf(stderr, "accept: a connector failed\n");
    exit(1);
  }
  return count / (now() - start);
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: stream throughput|pingpong|accept PATH ARGS\n");
    return 2;
  }
  const char* what = argv[1];
  const char* path = argv[2];
  double result;
  if (strcmp(what, "throughput") == 0 && argc == 5) {
    pid_t server = start_server(path, "sink");
    result = throughput(path, (size_t)atoll(argv[3]), atoll(argv[4]));
    stop_server(server, path);
  } else if (strcmp(what, "pingpong") == 0) {
    pid_t server = start_server(path, "echo");
    result = pingpong(path, atof(argv[3]));
    stop_server(server, path);
  } else if (strcmp(what, "accept") == 0) {
    pid_t server = start_server(path, "accept");
    result = accept_rate(path, atoi(argv[3]));
    stop_server(server, path);
  } else if (strcmp(what, "connect") == 0) {
    result = accept_rate(path, atoi(argv[3]));
  } else {
    fprintf(stderr, "unknown case\n");
    return 2;
  }
  printf("%.1f\n", result);
  return 0;
}
