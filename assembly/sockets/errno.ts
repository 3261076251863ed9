// The one errno table: symbolic errno (WIT `syscalls.errno`, case order) ->
// condition (WIT `types.error-code`). Hosts map their native numbers to the
// symbolic names; nothing else in the project maps errno.
import { ErrorCode } from '../errors';

export const enum Errno {
  Access, Perm, AddrInUse, AddrNotAvail, AfNoSupport, Again, Already, BadFd,
  ConnAborted, ConnRefused, ConnReset, DestAddrReq, Exist, InProgress, Invalid,
  Io, IsConn, IsDir, Loop, TooManyFiles, MsgSize, NameTooLong,
  TooManyFilesSystem, NoBuffers, NoEntry, NoMemory, NoSpace, Quota, NotConn,
  NotDir, NotSock, NotSupported, Pipe, ProtocolNotSupported, ProtocolType,
  ReadOnlyFs, SocketTypeNotSupported, TimedOut, TooManyRefs, Unknown,
}

const TABLE: StaticArray<i32> = [
  ErrorCode.AccessDenied, ErrorCode.AccessDenied, ErrorCode.AddressInUse,
  ErrorCode.AddressNotAvailable, ErrorCode.NotSupported, ErrorCode.WouldBlock,
  ErrorCode.InvalidState, ErrorCode.BadDescriptor, ErrorCode.ConnectionAborted,
  ErrorCode.ConnectionRefused, ErrorCode.ConnectionReset, ErrorCode.InvalidState,
  ErrorCode.Other, ErrorCode.WouldBlock, ErrorCode.InvalidArgument, ErrorCode.Other,
  ErrorCode.InvalidState, ErrorCode.Other, ErrorCode.SymlinkLoop,
  ErrorCode.TooManyDescriptors, ErrorCode.MessageTooLarge, ErrorCode.NameTooLong,
  ErrorCode.TooManyDescriptors, ErrorCode.OutOfMemory, ErrorCode.NoSuchPath,
  ErrorCode.OutOfMemory, ErrorCode.NoSpace, ErrorCode.NoSpace, ErrorCode.InvalidState,
  ErrorCode.NotADirectory, ErrorCode.NotASocket, ErrorCode.NotSupported,
  ErrorCode.BrokenPipe, ErrorCode.NotSupported, ErrorCode.WrongSocketType,
  ErrorCode.ReadOnlyFilesystem, ErrorCode.NotSupported, ErrorCode.Timeout,
  ErrorCode.TooManyDescriptors, ErrorCode.Other,
];

/** The condition for a symbolic errno. */
export function errorCodeOf(errno: i32): ErrorCode {
  return errno >= 0 && errno < TABLE.length ? <ErrorCode>TABLE[errno] : ErrorCode.Other;
}
