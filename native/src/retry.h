// EINTR retry loop shared by every syscall wrapper except close(2) (which must
// never be retried) and connect(2) (which keeps connecting after EINTR).
#ifndef UNIXSOCK_RETRY_H_
#define UNIXSOCK_RETRY_H_

#include <cerrno>

namespace unixsock {

// Calls `syscall()` until it returns something other than -1/EINTR.
template <typename Syscall>
inline auto RetryOnEintr(Syscall syscall) -> decltype(syscall()) {
  decltype(syscall()) result;
  do {
    result = syscall();
  } while (result == -1 && errno == EINTR);
  return result;
}

}  // namespace unixsock

#endif  // UNIXSOCK_RETRY_H_
