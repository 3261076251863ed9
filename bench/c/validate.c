/* The C baseline for address validation: what a careful C program does
 * before bind(2) (length, NUL, limit checks, then filling sockaddr_un), timed
 * in-process. Prints median ns per call of 9 repetitions. */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

static volatile int sink;

static int validate_path(const char *p, size_t len) {
  if (len == 0) return -1;
  if (memchr(p, 0, len) != NULL) return -2;
  if (len > sizeof(((struct sockaddr_un *)0)->sun_path)) return -3;
  return 0;
}

static int encode_path(const char *p, size_t len, struct sockaddr_un *sa) {
  int r = validate_path(p, len);
  if (r != 0) return r;
  sa->sun_family = AF_UNIX;
  memcpy(sa->sun_path, p, len);
  if (len < sizeof(sa->sun_path)) sa->sun_path[len] = 0;
  return (int)(offsetof(struct sockaddr_un, sun_path) + len + (len < sizeof(sa->sun_path)));
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "/tmp/app.sock";
  /* The length is taken per call, as JS callers pay for it too. */
  volatile const char *vp = path;
  const long iterations = 2000000;
  double runs[2][9];
  struct sockaddr_un sa;
  for (int r = 0; r < 9; r++) {
    double t0 = now_ns();
    for (long i = 0; i < iterations; i++) sink += validate_path((const char *)vp, strlen((const char *)vp));
    double t1 = now_ns();
    for (long i = 0; i < iterations; i++) sink += encode_path((const char *)vp, strlen((const char *)vp), &sa);
    double t2 = now_ns();
    runs[0][r] = (t1 - t0) / iterations;
    runs[1][r] = (t2 - t1) / iterations;
  }
  qsort(runs[0], 9, sizeof(double), cmp);
  qsort(runs[1], 9, sizeof(double), cmp);
  printf("%.2f %.2f\n", runs[0][4], runs[1][4]);
  return 0;
}
