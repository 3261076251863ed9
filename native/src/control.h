// Control messages of sendmsg(2)/recvmsg(2): descriptors (SCM_RIGHTS) and
// credentials (SCM_CREDENTIALS), shared by message sockets (message.cc) and
// the stream engine (stream.cc).
#ifndef UNIXSOCK_CONTROL_H_
#define UNIXSOCK_CONTROL_H_

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>

#include "platform.h"

namespace unixsock {

// Most descriptors one call accepts or makes room for: four times the
// kernel's per-message limit; past it only the kernel's error would change,
// while the control buffer stays bounded (it lives on the stack).
constexpr size_t kMaxDescriptorArgument = UNIXSOCK_MAX_FDS_PER_MESSAGE * 4;

#if UNIXSOCK_HAVE_SCM_CREDENTIALS
constexpr size_t kCredentialsSpace = CMSG_SPACE(sizeof(ucred));
#else
constexpr size_t kCredentialsSpace = 0;
#endif

// Control space for `count` descriptors plus one credentials message.
constexpr size_t ControlSpace(size_t count) {
  return (count > 0 ? CMSG_SPACE(sizeof(int) * count) : 0) + kCredentialsSpace;
}

// A cmsghdr-aligned control buffer large enough for any call.
union ControlBuffer {
  cmsghdr align;
  unsigned char bytes[ControlSpace(kMaxDescriptorArgument)];
};

// Writes SCM_RIGHTS for fds[0..count) (none when count is 0) and, when
// `credentials`, SCM_CREDENTIALS with this process's ids; returns the
// control length to give sendmsg (0: no control data).
size_t PutControl(ControlBuffer* control, const int32_t* fds, size_t count,
                  bool credentials);

// Sends iov[0..count) (at most kIovMax) to `name` (null: the connected
// peer) with fds[0..nfds) and, when `credentials`, this process's
// credentials as control data; a lone iovec without control data goes by
// sendto, which skips sendmsg's header copy-in. Non-blocking, never SIGPIPE,
// EINTR retried: bytes | -errno.
ssize_t SendWithControl(int fd, const iovec* iov, size_t count,
                        const sockaddr* name, socklen_t name_length,
                        const int32_t* fds, size_t nfds, bool credentials);

// What TakeControl found.
struct ReceivedControl {
  size_t count = 0;      // descriptors stored
  bool lost = false;     // descriptors closed for want of room, or MSG_CTRUNC
  bool has_credentials = false;
  int32_t pid = 0;
  int32_t uid = 0;
  int32_t gid = 0;
};

// Walks the control data recvmsg left in `message` (from a buffer of
// `control_length` bytes): every descriptor the kernel installed ends up in
// fds[0..capacity) (close-on-exec) or closed; SCM_PIDFD descriptors are
// closed; credentials are read.
void TakeControl(msghdr* message, size_t control_length, int32_t* fds,
                 size_t capacity, ReceivedControl* out);

// Closes a descriptor the caller will never see (never retried, like close()).
void Discard(int fd);

}  // namespace unixsock

#endif  // UNIXSOCK_CONTROL_H_
