// unixsock: the public API.
export {
  type AddressInput, type AddressOptions, type AddressVerdict, type SocketAddress,
  decodeSockaddr, encodeSockaddr, formatAddress, isUnixSocketPath, normalizePath,
  parseAddress, validateAddress,
} from './address.js';
export { type Capabilities, capabilities, unixSocketAvailable } from './capabilities.js';
export { type AddressProblem, type AddressReason, UnixsockAddressError } from './errors.js';
export { type Platform } from './platform.js';
export { UnixsockError, type ErrorCode } from './errors.js';
export { type ListenOptions, UnixServer } from './server.js';
export { type PeerCredentials, UnixSocket, type UnixSocketOptions } from './socket.js';
export { type ConnectOptions, connect, createConnection, createServer, listen, socketPair } from './streams.js';
