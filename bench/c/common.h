// What the C baselines (stream.c, message.c) share: a monotonic clock, exit
// on a failed call, a sockaddr_un for a path (refusing one too long),
// connecting to it, and stopping the forked server.
#ifndef UNIXSOCK_BENCH_COMMON_H_
#define UNIXSOCK_BENCH_COMMON_H_

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char* what) {
  perror(what);
  exit(1);
}

static struct sockaddr_un address(const char* path) {
  struct sockaddr_un a;
  memset(&a, 0, sizeof(a));
  a.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof(a.sun_path)) {
    fprintf(stderr, "path too long\n");
    exit(1);
  }
  strcpy(a.sun_path, path);
  return a;
}

// Connects `fd` to `path`, retrying while interrupted or the backlog is full.
static void connect_path(int fd, const char* path) {
  struct sockaddr_un a = address(path);
  while (connect(fd, (struct sockaddr*)&a, sizeof(a)) != 0) {
    if (errno != EINTR && errno != EAGAIN) die("connect");
  }
}

// Ends the forked server `pid` and removes its socket file.
static void stop_server(pid_t pid, const char* path) {
  kill(pid, SIGTERM);
  waitpid(pid, NULL, 0);
  unlink(path);
}

#endif  // UNIXSOCK_BENCH_COMMON_H_
