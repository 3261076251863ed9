// What the C baselines (stream.c, message.c) share: a monotonic clock, exit
// on a failed call, and a sockaddr_un for a path (refusing one too long).
#ifndef UNIXSOCK_BENCH_COMMON_H_
#define UNIXSOCK_BENCH_COMMON_H_

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

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

#endif  // UNIXSOCK_BENCH_COMMON_H_
