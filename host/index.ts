// unixsock: the public API.
export {
  type AddressInput, type AddressOptions, type AddressVerdict, type SocketAddress,
  decodeSockaddr, encodeSockaddr, formatAddress, isUnixSocketPath, normalizePath,
  parseAddress, validateAddress,
} from './address.js';
export { type Capabilities, capabilities, unixSocketAvailable } from './capabilities.js';
export { type AddressProblem, type AddressReason, UnixsockAddressError } from './errors.js';
export { type Platform } from './platform.js';
