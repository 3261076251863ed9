// Compile-time feature detection for the AF_UNIX shim. Every Linux-only facility
// is named here once, so the other files test one UNIXSOCK_HAVE_* macro instead
// of repeating platform checks. Defining UNIXSOCK_PORTABLE_FALLBACKS forces the
// non-Linux code paths (socket+fcntl, accept+fcntl) so they can be compiled and
// exercised on Linux.
#ifndef UNIXSOCK_PLATFORM_H_
#define UNIXSOCK_PLATFORM_H_

#include <limits.h>
#include <sys/socket.h>

#include <cstddef>

// socket(2)/socketpair(2) accept SOCK_NONBLOCK | SOCK_CLOEXEC in the type.
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC) && \
    !defined(UNIXSOCK_PORTABLE_FALLBACKS)
#define UNIXSOCK_HAVE_SOCK_FLAGS 1
#else
#define UNIXSOCK_HAVE_SOCK_FLAGS 0
#endif

// accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC.
#if defined(__linux__) && UNIXSOCK_HAVE_SOCK_FLAGS
#define UNIXSOCK_HAVE_ACCEPT4 1
#else
#define UNIXSOCK_HAVE_ACCEPT4 0
#endif

// send(2)/sendmsg(2) flag that suppresses SIGPIPE; elsewhere SO_NOSIGPIPE is set
// on every descriptor the shim creates.
#if defined(MSG_NOSIGNAL)
#define UNIXSOCK_SEND_FLAGS (MSG_DONTWAIT | MSG_NOSIGNAL)
#define UNIXSOCK_NEED_SO_NOSIGPIPE 0
#else
#define UNIXSOCK_SEND_FLAGS (MSG_DONTWAIT)
#define UNIXSOCK_NEED_SO_NOSIGPIPE 1
#endif

// Linux abstract socket namespace (sun_path[0] == '\0').
#if defined(__linux__)
#define UNIXSOCK_HAVE_ABSTRACT 1
#else
#define UNIXSOCK_HAVE_ABSTRACT 0
#endif

// SOCK_SEQPACKET over AF_UNIX (macOS defines the constant but rejects it).
#if defined(SOCK_SEQPACKET) && (defined(__linux__) || defined(__FreeBSD__))
#define UNIXSOCK_HAVE_SEQPACKET 1
#else
#define UNIXSOCK_HAVE_SEQPACKET 0
#endif

// Peer credentials: SO_PEERCRED (pid, uid, gid) on Linux; getpeereid(3)
// (uid, gid only) on macOS and the BSDs.
#if defined(__linux__) && defined(SO_PEERCRED)
#define UNIXSOCK_HAVE_SO_PEERCRED 1
#define UNIXSOCK_HAVE_GETPEEREID 0
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || \
    defined(__NetBSD__) || defined(__DragonFly__)
#define UNIXSOCK_HAVE_SO_PEERCRED 0
#define UNIXSOCK_HAVE_GETPEEREID 1
#else
#define UNIXSOCK_HAVE_SO_PEERCRED 0
#define UNIXSOCK_HAVE_GETPEEREID 0
#endif

// SO_PASSCRED (receive SCM_CREDENTIALS).
#if defined(SO_PASSCRED)
#define UNIXSOCK_HAVE_PASSCRED 1
#else
#define UNIXSOCK_HAVE_PASSCRED 0
#endif

// Most descriptors one SCM_RIGHTS message may carry (Linux SCM_MAX_FD). The
// non-Linux value is a conservative guess, not a measured limit.
#if defined(__linux__)
#define UNIXSOCK_MAX_FDS_PER_MESSAGE 253
#else
#define UNIXSOCK_MAX_FDS_PER_MESSAGE 64
#endif

// SCM_CREDENTIALS (struct ucred: pid, uid, gid) in both directions.
#if defined(__linux__) && defined(SCM_CREDENTIALS)
#define UNIXSOCK_HAVE_SCM_CREDENTIALS 1
#else
#define UNIXSOCK_HAVE_SCM_CREDENTIALS 0
#endif

// recvmsg(2) installs received descriptors close-on-exec (MSG_CMSG_CLOEXEC);
// elsewhere FD_CLOEXEC is set on each right after the syscall.
// UNIXSOCK_HAVE_RECV_CLOEXEC is the one to test in #if: glibc defines
// MSG_CMSG_CLOEXEC as an enumerator (#define MSG_CMSG_CLOEXEC
// MSG_CMSG_CLOEXEC), which the preprocessor reads as 0.
#if defined(MSG_CMSG_CLOEXEC) && !defined(UNIXSOCK_PORTABLE_FALLBACKS)
#define UNIXSOCK_HAVE_RECV_CLOEXEC 1
#define UNIXSOCK_RECV_CLOEXEC MSG_CMSG_CLOEXEC
#else
#define UNIXSOCK_HAVE_RECV_CLOEXEC 0
#define UNIXSOCK_RECV_CLOEXEC 0
#endif

// recvmsg(2) with MSG_TRUNC returns a datagram's real length (Linux).
#if defined(__linux__)
#define UNIXSOCK_RECV_REAL_LENGTH MSG_TRUNC
#else
#define UNIXSOCK_RECV_REAL_LENGTH 0
#endif

namespace unixsock {

// Most iovecs one sendmsg(2) takes.
#if defined(IOV_MAX)
constexpr size_t kIovMax = IOV_MAX;
#else
constexpr size_t kIovMax = 16;  // POSIX minimum (_XOPEN_IOV_MAX)
#endif

}  // namespace unixsock

// process.platform spelling of the target OS.
#if defined(__linux__)
#define UNIXSOCK_PLATFORM "linux"
#elif defined(__APPLE__)
#define UNIXSOCK_PLATFORM "darwin"
#elif defined(__FreeBSD__)
#define UNIXSOCK_PLATFORM "freebsd"
#elif defined(__OpenBSD__)
#define UNIXSOCK_PLATFORM "openbsd"
#elif defined(__NetBSD__)
#define UNIXSOCK_PLATFORM "netbsd"
#elif defined(__sun)
#define UNIXSOCK_PLATFORM "sunos"
#elif defined(_AIX)
#define UNIXSOCK_PLATFORM "aix"
#else
#define UNIXSOCK_PLATFORM "unknown"
#endif

#endif  // UNIXSOCK_PLATFORM_H_
