// The one errno table: symbolic errno (WIT `types.errno`, case order) ->
// condition (WIT `types.error-code`). Hosts map their native numbers to the
// symbolic names; nothing else in the project maps errno. The groups below
// are the "POSIX equivalent" lines of wit/types.wit's `error-code`, and
// test/wit/errno.test.ts checks every case of the running engine against them.
import { ErrorCode } from '../errors';

export const enum Errno {
  Access, Perm, AddrInUse, AddrNotAvail, AfNoSupport, Again, Already, BadFd,
  ConnAborted, ConnRefused, ConnReset, DestAddrReq, Exist, InProgress, Invalid,
  Io, IsConn, IsDir, Loop, TooManyFiles, MsgSize, NameTooLong,
  TooManyFilesSystem, NoBuffers, NoEntry, NoMemory, NoSpace, Quota, NotConn,
  NotDir, NotSock, NotSupported, Pipe, ProtocolNotSupported, ProtocolType,
  ReadOnlyFs, SocketTypeNotSupported, TimedOut, TooManyRefs, NoProtocolOption, Unknown,
}

/** The condition for a symbolic errno (a case index; anything else is `other`). */
export function errorCodeOf(errno: i32): ErrorCode {
  switch (errno) {
    case Errno.Access:
    case Errno.Perm:
      return ErrorCode.AccessDenied;
    case Errno.AfNoSupport:
    case Errno.NotSupported:
    case Errno.ProtocolNotSupported:
    case Errno.SocketTypeNotSupported:
    case Errno.NoProtocolOption:
      return ErrorCode.NotSupported;
    case Errno.Invalid:
      return ErrorCode.InvalidArgument;
    case Errno.NameTooLong:
      return ErrorCode.NameTooLong;
    case Errno.IsConn:
    case Errno.NotConn:
    case Errno.DestAddrReq:
    case Errno.Already:
      return ErrorCode.InvalidState;
    case Errno.Again:
    case Errno.InProgress:
      return ErrorCode.WouldBlock;
    case Errno.AddrInUse:
      return ErrorCode.AddressInUse;
    case Errno.AddrNotAvail:
      return ErrorCode.AddressNotAvailable;
    case Errno.NoEntry:
      return ErrorCode.NoSuchPath;
    case Errno.NotDir:
      return ErrorCode.NotADirectory;
    case Errno.Loop:
      return ErrorCode.SymlinkLoop;
    case Errno.ReadOnlyFs:
      return ErrorCode.ReadOnlyFilesystem;
    case Errno.NoSpace:
    case Errno.Quota:
      return ErrorCode.NoSpace;
    case Errno.ConnRefused:
      return ErrorCode.ConnectionRefused;
    case Errno.ConnReset:
      return ErrorCode.ConnectionReset;
    case Errno.ConnAborted:
      return ErrorCode.ConnectionAborted;
    case Errno.Pipe:
      return ErrorCode.BrokenPipe;
    case Errno.ProtocolType:
      return ErrorCode.WrongSocketType;
    case Errno.MsgSize:
      return ErrorCode.MessageTooLarge;
    case Errno.TooManyFiles:
    case Errno.TooManyFilesSystem:
    case Errno.TooManyRefs:
      return ErrorCode.TooManyDescriptors;
    case Errno.NoMemory:
    case Errno.NoBuffers:
      return ErrorCode.OutOfMemory;
    case Errno.TimedOut:
      return ErrorCode.Timeout;
    case Errno.BadFd:
      return ErrorCode.BadDescriptor;
    case Errno.NotSock:
      return ErrorCode.NotASocket;
    // EISDIR, EEXIST, EIO, unknown errnos and out-of-range values.
    default:
      return ErrorCode.Other;
  }
}
