// acceptBatch(listenFd, out): drains up to out.length pending connections in one
// call, so a burst of connects costs one JS->C++ crossing instead of one each.
//
//   n >= 0   n new descriptors (O_NONBLOCK, FD_CLOEXEC) were written to
//            out[0..n); 0 means nothing was pending (the first accept gave
//            EAGAIN).
//   -errno   the FIRST accept failed with a real error (EMFILE, EBADF, ...).
//            An error after some connections were accepted ends the batch;
//            the count so far is returned and the error shows up again on the
//            next call (a connection refused for EMFILE stays pending).
//
// accept4(SOCK_NONBLOCK | SOCK_CLOEXEC) on Linux, accept + fcntl elsewhere.
// EINTR is retried; ECONNABORTED (a connection reset while pending) is skipped.
#ifndef UNIXSOCK_ACCEPT_H_
#define UNIXSOCK_ACCEPT_H_

#include <napi.h>

namespace unixsock {

Napi::Value AcceptBatch(const Napi::CallbackInfo& info);  // acceptBatch(fd, out)

}  // namespace unixsock

#endif  // UNIXSOCK_ACCEPT_H_
