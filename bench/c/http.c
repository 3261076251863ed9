#define _GNU_SOURCE
// HTTP/1.1 keep-alive load generator for bench/http.ts: `http PATH CONNS
// SECONDS` keeps CONNS connections to the Unix socket PATH busy, one GET in
// flight on each (so CONNS concurrent requests), for SECONDS after a short
// warm-up, and prints requests per second. The first response fixes the
// response length (its headers plus Content-Length); every response must
// have that length, which node:http's fixed-size answers do (the Date header
// has a fixed width). One thread, poll(2): the client stays cheap, so the
// server is what is measured.
#include <poll.h>

#include "common.h"

#define MAX_CONNS 256

static const char REQUEST[] = "GET /bench HTTP/1.1\r\nHost: localhost\r\n\r\n";

static void send_request(int fd) {
  size_t off = 0;
  while (off < sizeof(REQUEST) - 1) {
    ssize_t n = send(fd, REQUEST + off, sizeof(REQUEST) - 1 - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("send");
    }
    off += (size_t)n;
  }
}

// Reads one whole response on `fd` (blocking) and returns its length in bytes.
static size_t first_response_length(int fd) {
  char buf[65536];
  size_t got = 0;
  for (;;) {
    ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
    if (n <= 0) die("recv (first response)");
    got += (size_t)n;
    buf[got] = '\0';
    char* end = strstr(buf, "\r\n\r\n");
    if (end == NULL) continue;
    char* cl = strcasestr(buf, "\r\ncontent-length:");
    if (cl == NULL || cl > end) {
      fprintf(stderr, "first response has no Content-Length\n");
      exit(1);
    }
    size_t length = (size_t)(end + 4 - buf) + strtoul(cl + 17, NULL, 10);
    while (got < length) {
      n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
      if (n <= 0) die("recv (first body)");
      got += (size_t)n;
    }
    if (got != length) {
      fprintf(stderr, "more bytes than one response\n");
      exit(1);
    }
    return length;
  }
}

// Runs the loop for `seconds`; returns the responses completed.
static long run(struct pollfd* fds, size_t* pending, int conns, size_t length, double seconds) {
  static char buf[1 << 16];
  long done = 0;
  double deadline = now() + seconds;
  while (now() < deadline) {
    int r = poll(fds, (nfds_t)conns, 100);
    if (r < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    for (int i = 0; i < conns; i++) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      ssize_t n = recv(fds[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
      if (n == 0) {
        fprintf(stderr, "server closed a connection\n");
        exit(1);
      }
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        die("recv");
      }
      pending[i] += (size_t)n;
      if (pending[i] > length) {
        fprintf(stderr, "response longer than the first (%zu > %zu)\n", pending[i], length);
        exit(1);
      }
      if (pending[i] == length) {
        pending[i] = 0;
        done++;
        send_request(fds[i].fd);
      }
    }
  }
  return done;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: http PATH CONNS SECONDS\n");
    return 2;
  }
  const char* path = argv[1];
  int conns = atoi(argv[2]);
  double seconds = atof(argv[3]);
  if (conns < 1 || conns > MAX_CONNS || !(seconds > 0)) {
    fprintf(stderr, "bad arguments\n");
    return 2;
  }
  struct pollfd fds[MAX_CONNS];
  size_t pending[MAX_CONNS];
  for (int i = 0; i < conns; i++) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    connect_path(fd, path);
    fds[i].fd = fd;
    fds[i].events = POLLIN;
    pending[i] = 0;
  }
  send_request(fds[0].fd);
  size_t length = first_response_length(fds[0].fd);
  for (int i = 0; i < conns; i++) send_request(fds[i].fd);
  run(fds, pending, conns, length, 0.3);
  long done = run(fds, pending, conns, length, seconds);
  printf("%.0f\n", done / seconds);
  return 0;
}
