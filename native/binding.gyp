# unixsock native host shim: thin AF_UNIX syscall wrappers + readiness (uv_poll or the epoll reactor).
# Built by build/native.mjs (node-gyp rebuild -C native); output build/Release/unixsock.node.
{
  "targets": [
    {
      "target_name": "unixsock",
      "sources": [
        "src/accept.cc",
        "src/addon.cc",
        "src/args.cc",
        "src/blocks.cc",
        "src/constants.cc",
        "src/control.cc",
        "src/credentials.cc",
        "src/io.cc",
        "src/message.cc",
        "src/message_batch.cc",
        "src/options.cc",
        "src/poll.cc",
        "src/reactor.cc",
        "src/readiness_uv.cc",
        "src/socket.cc",
        "src/stat.cc",
        "src/stream.cc",
        "src/umask.cc",
        "src/wait.cc"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api"
      ],
      # node_addon_api (the noexcept target) defines
      # NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS and -fno-exceptions; napi.h then
      # defines NAPI_DISABLE_CPP_EXCEPTIONS itself (defining it here too would
      # be a macro redefinition warning).
      # NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS: a TypeError thrown while the
      # environment is shutting down (a callback calling back into the addon
      # during a worker's terminate()) is dropped instead of aborting the
      # process (node-addon-api's Error::ThrowAsJavaScriptException).
      "defines": [
        "NAPI_VERSION=8",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"
      ],
      "cflags_cc": [
        "-Wall",
        "-Wextra"
      ],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "NO",
        "OTHER_CPLUSPLUSFLAGS": [
          "-Wall",
          "-Wextra"
        ]
      }
    }
  ]
}
