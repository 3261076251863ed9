// What the C baselines (stream.c, message.c) share: a monotonic clock, exit
// on a failed call, a sockaddr_un for a path (refusing one too long), and
// stopping the forked server.
#ifndef UNIXSOCK_BENCH_COMMON_H_
#define UNIXSOCK_BENCH_COMMON_H_

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

// Ends the forked server `pid` and removes its socket file.
static void stop_server(pid_t pid, const char* path) {
  kill(pid, SIGTERM);
  waitpid(pid, NULL, 0);
  unlink(path);
}

#endif  // UNIXSOCK_BENCH_COMMON_H_
