// unixsock: the public API.
export {
  type AddressInput, type AddressOptions, type AddressVerdict, type SocketAddress,
  decodeSockaddr, encodeSockaddr, formatAddress, isUnixSocketPath, normalizePath,
  parseAddress, validateAddress,
} from './address.js';
export { type Capabilities, capabilities, unixSocketAvailable } from './capabilities.js';
export { type AddressProblem, type AddressReason, UnixsockAddressError } from './errors.js';
export { type Platform } from './component/platform.js';
export { UnixsockError, type ErrorCode, type Permission, UnixsockPolicyError } from './errors.js';
export { type ListenOptions, UnixServer } from './server.js';
export { type PeerCredentials } from './native/credentials.js';
export { type RawAcceptOptions, RawSocket, type RawSocketType, type ReceiveOptions, type WaitOptions } from './raw-socket.js';
export { type AdoptedSocket, closeFd, fromFd, type FromFdOptions } from './adopt.js';
export { LISTEN_FDS_START, type ListenFd, listenFds, type ListenFdsOptions, notify, type NotifyOptions } from './systemd.js';
export { type Linger, type SocketOptionName, type SocketOptionValues } from './native/options.js';
export { type DescriptorsInfo, UnixSocket, type UnixSocketOptions } from './socket.js';
export { type ConnectOptions, connect, createConnection, createServer, listen, socketPair, type SocketPairOptions } from './streams.js';
export { createDatagramSocket, DatagramSocket, type DatagramSocketOptions } from './messages/datagram.js';
export { connectSeqpacket, listenSeqpacket, SeqpacketSocket, type SeqpacketListenOptions, type SeqpacketSocketOptions } from './messages/seqpacket.js';
export { type DescriptorLike } from './native/descriptors.js';
export { type MessageInfo } from './messages/receive.js';
export { type SendOptions } from './messages/channel.js';
export { dial, type DialedSocket, type DialOptions, type DialResult, type DialTarget, formatDial, formatUnixUrl, parseDial, parseUnixUrl, type SocketType, type UnixUrl } from './dial.js';
export { type PeerCredentialed } from './native/net-handover.js';
export { type NetCompatible, serveHttp, type ServeHttpOptions } from './http/serve.js';
export { unixAgent, type UnixAgentOptions, unixFetch } from './http/agent.js';
export { type PeerRequirement, type PolicyRule, type PolicySpec, type Refusals, type RulePermission } from './sandbox/policy.js';
export {
  createEngine, type CreateEngineOptions, SandboxConnection, SandboxDatagram, SandboxEngine, SandboxListener, type SandboxMessage, type WaitEvents,
} from './sandbox/sandbox.js';
export { loadPlugin } from './sandbox/linker.js';
export { type Plugin, PluginError, type PluginErrorCode, type PluginOptions, PluginTrap } from './sandbox/plugin.js';
