// Module registration only: every function lives in its own file.
#include <napi.h>

#include <initializer_list>

#include "accept.h"
#include "constants.h"
#include "credentials.h"
#include "io.h"
#include "message.h"
#include "message_batch.h"
#include "options.h"
#include "poll.h"
#include "readiness.h"
#include "socket.h"
#include "stat.h"
#include "stream.h"
#include "umask.h"
#include "wait.h"

namespace unixsock {

namespace {

struct Number {
  const char* name;
  int64_t value;
};

// A frozen { name: number } object: a numbering host/native/native.ts mirrors
// (test/native/numberings.test.ts compares the two).
Napi::Object Numbering(Napi::Env env, std::initializer_list<Number> entries) {
  Napi::Object out = Napi::Object::New(env);
  for (const Number& n : entries) out.Set(n.name, static_cast<double>(n.value));
  out.Freeze();
  return out;
}

struct Export {
  const char* name;
  Napi::Value (*function)(const Napi::CallbackInfo&);
};

constexpr Export kFunctions[] = {
    {"socket", Socket},
    {"socketPair", SocketPair},
    {"bind", Bind},
    {"listen", Listen},
    {"connect", Connect},
    {"accept", Accept},
    {"acceptBatch", AcceptBatch},
    {"getSockName", GetSockName},
    {"getPeerName", GetPeerName},
    {"shutdown", Shutdown},
    {"close", Close},
    {"setDescriptorFlags", SetDescriptorFlags},
    {"duplicate", Duplicate},
    {"send", Send},
    {"recv", Recv},
    {"writev", Writev},
    {"sendMessage", SendMessage},
    {"receiveMessage", ReceiveMessage},
    {"sendMessages", SendMessages},
    {"bindReceiveArenas", BindReceiveArenas},
    {"receiveMessages", ReceiveMessages},
    {"peerCredentials", PeerCredentials},
    {"getSocketOption", GetSocketOption},
    {"setSocketOption", SetSocketOption},
    {"fileIdentity", FileIdentity},
    {"pathIdentity", PathIdentity},
    {"realPath", RealPath},
    {"unlink", Unlink},
    {"wait", Wait},
    {"setUmask", SetUmask},
    {"setReadiness", SetReadiness},
    {"readiness", ReadinessBackend},
    {"readinessStats", ReadinessStats},
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  for (const Export& entry : kFunctions) {
    exports.Set(entry.name,
                Napi::Function::New(env, entry.function, entry.name));
  }
  exports.Set("Poller", Poller::Define(env));
  exports.Set("StreamEngine", StreamEngine::Define(env));
  exports.Set("STREAM_EVENT", StreamEngine::EventTypes(env));
  exports.Set("SOCKET_TYPE", Numbering(env, {{"stream", kJsStream}, {"datagram", kJsDatagram}, {"seqpacket", kJsSeqpacket}}));
  exports.Set("SHUTDOWN", Numbering(env, {{"read", kShutRead}, {"write", kShutWrite}, {"both", kShutBoth}}));
  exports.Set("SOCKET_OPTION", SocketOptionNumbering(env));
  exports.Set("FILE_TYPE", Numbering(env, {
      {"other", kFileOther}, {"socket", kFileSocket}, {"regular", kFileRegular}, {"directory", kFileDirectory},
      {"symlink", kFileSymlink}, {"fifo", kFileFifo}, {"characterDevice", kFileCharacterDevice},
      {"blockDevice", kFileBlockDevice}}));
  exports.Set("MESSAGE_FLAG", Numbering(env, {{"truncated", kFlagTruncated}, {"controlTruncated", kFlagControlTruncated}}));
  exports.Set("POLL_EVENT", Numbering(env, {{"readable", kReadable}, {"writable", kWritable}, {"disconnect", kDisconnect}}));
  exports.Set("WAIT_EVENT", Numbering(env, {{"readable", kWaitReadable}, {"writable", kWaitWritable}, {"hangUp", kWaitHangUp}}));
  exports.Set("constants", Constants(env));
  return exports;
}

}  // namespace

}  // namespace unixsock

// NODE_API_MODULE pastes the init function's name into an identifier, so it
// needs an unqualified one.
static Napi::Object InitUnixsock(Napi::Env env, Napi::Object exports) {
  return unixsock::Init(env, exports);
}

NODE_API_MODULE(unixsock, InitUnixsock)
