// Control messages (see control.h).
#include "control.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "retry.h"

namespace unixsock {

ssize_t SendWithControl(int fd, const iovec* iov, size_t count,
                        const sockaddr* name, socklen_t name_length,
                        const int32_t* fds, size_t nfds, bool credentials) {
  ssize_t r;
  if (count == 1 && nfds == 0 && !credentials) {
    r = RetryOnEintr([&] {
      return sendto(fd, iov[0].iov_base, iov[0].iov_len, UNIXSOCK_SEND_FLAGS,
                    name, name_length);
    });
  } else {
    msghdr message;
    std::memset(&message, 0, sizeof(message));
    message.msg_name = const_cast<sockaddr*>(name);
    message.msg_namelen = name == nullptr ? 0 : name_length;
    message.msg_iov = const_cast<iovec*>(iov);
    message.msg_iovlen = static_cast<decltype(message.msg_iovlen)>(count);
    ControlBuffer control;
    size_t control_length = PutControl(&control, fds, nfds, credentials);
    if (control_length > 0) {
      message.msg_control = control.bytes;
      message.msg_controllen =
          static_cast<decltype(message.msg_controllen)>(control_length);
    }
    r = RetryOnEintr([&] { return sendmsg(fd, &message, UNIXSOCK_SEND_FLAGS); });
  }
  return r == -1 ? -static_cast<ssize_t>(errno) : r;
}

size_t PutControl(ControlBuffer* control, const int32_t* fds, size_t count,
                  bool credentials) {
  size_t length = 0;
  if (count > 0) {
    size_t space = CMSG_SPACE(sizeof(int) * count);
    std::memset(control->bytes, 0, space);
    cmsghdr* header = reinterpret_cast<cmsghdr*>(control->bytes);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int) * count);
    std::memcpy(CMSG_DATA(header), fds, sizeof(int) * count);
    length = space;
  }
#if UNIXSOCK_HAVE_SCM_CREDENTIALS
  if (credentials) {
    std::memset(control->bytes + length, 0, kCredentialsSpace);
    cmsghdr* header = reinterpret_cast<cmsghdr*>(control->bytes + length);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_CREDENTIALS;
    header->cmsg_len = CMSG_LEN(sizeof(ucred));
    ucred own;
    std::memset(&own, 0, sizeof(own));
    own.pid = getpid();
    own.uid = geteuid();
    own.gid = getegid();
    std::memcpy(CMSG_DATA(header), &own, sizeof(own));
    length += kCredentialsSpace;
  }
#else
  (void)credentials;
#endif
  return length;
}

void TakeControl(msghdr* message, size_t control_length, int32_t* fds,
                 size_t capacity, ReceivedControl* out) {
  *out = ReceivedControl();
  if (message->msg_flags & MSG_CTRUNC) out->lost = true;
  if (control_length == 0 || message->msg_control == nullptr) return;
  message->msg_controllen = static_cast<decltype(message->msg_controllen)>(
      std::min<size_t>(message->msg_controllen, control_length));
  if (message->msg_controllen == 0) return;
  const unsigned char* control_end =
      static_cast<const unsigned char*>(message->msg_control) +
      message->msg_controllen;
  for (cmsghdr* header = CMSG_FIRSTHDR(message); header != nullptr;
       header = CMSG_NXTHDR(message, header)) {
    if (header->cmsg_len < CMSG_LEN(0)) break;
    const unsigned char* data = CMSG_DATA(header);
    // A truncated message may claim more bytes than arrived.
    size_t available =
        data < control_end ? static_cast<size_t>(control_end - data) : 0;
    size_t data_length = std::min<size_t>(
        static_cast<size_t>(header->cmsg_len) - CMSG_LEN(0), available);
    if (header->cmsg_level != SOL_SOCKET) continue;
    if (header->cmsg_type == SCM_RIGHTS) {
      for (size_t i = 0; i + sizeof(int) <= data_length; i += sizeof(int)) {
        int received = -1;
        std::memcpy(&received, data + i, sizeof(int));
        if (out->count < capacity) {
#if !UNIXSOCK_HAVE_RECV_CLOEXEC
          RetryOnEintr([&] { return fcntl(received, F_SETFD, FD_CLOEXEC); });
#endif
          fds[out->count++] = received;
        } else {
          Discard(received);
          out->lost = true;
        }
      }
#if defined(SCM_PIDFD)
    } else if (header->cmsg_type == SCM_PIDFD) {
      // SO_PASSPIDFD set on a socket received from elsewhere: not ours to keep.
      for (size_t i = 0; i + sizeof(int) <= data_length; i += sizeof(int)) {
        int received = -1;
        std::memcpy(&received, data + i, sizeof(int));
        Discard(received);
      }
#endif
#if UNIXSOCK_HAVE_SCM_CREDENTIALS
    } else if (header->cmsg_type == SCM_CREDENTIALS &&
               data_length >= sizeof(ucred)) {
      ucred credentials;
      std::memcpy(&credentials, data, sizeof(credentials));
      out->has_credentials = true;
      out->pid = static_cast<int32_t>(credentials.pid);
      out->uid = static_cast<int32_t>(credentials.uid);
      out->gid = static_cast<int32_t>(credentials.gid);
#endif
    }
  }
}

void Discard(int fd) { close(fd); }

}  // namespace unixsock
