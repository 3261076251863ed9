// The component's two vocabularies, numbered exactly as wit/ declares them
// (a variant or enum crosses the canonical ABI as its case index).
// test/wit/vocabulary.test.ts parses the WIT and checks both orders.

/** `unixsock:ipc/types.error-code`, case index = WIT order. */
export const enum ErrorCode {
  AccessDenied, PolicyDenied, NotSupported, InvalidArgument, InvalidAddress,
  NameTooLong, InvalidState, WouldBlock, AddressInUse, AddressNotAvailable,
  NoSuchPath, NotADirectory, SymlinkLoop, ReadOnlyFilesystem, NoSpace,
  ConnectionRefused, ConnectionReset, ConnectionAborted, BrokenPipe,
  WrongSocketType, MessageTooLarge, TooManyDescriptors, OutOfMemory, Timeout,
  BadDescriptor, NotASocket, Other,
}

/** `unixsock:ipc/address.address-error`, case index = WIT order. */
export const enum AddressError {
  EmptyPath, ContainsNul, PathTooLong, AbsolutePathTooLong, RelativePathRejected,
  MissingWorkingDirectory, WorkingDirectoryNotAbsolute, AbstractUnsupported,
  AbstractTooLong, AutobindUnsupported, Truncated, WrongFamily, BadLengthByte,
  BadSyntax,
}

// The last failure of an address function. Expected failures are data, never
// traps: a rule function records the reason here and returns false; the
// binding layer lowers it into the result's error case.
export let failure: AddressError = AddressError.EmptyPath;
/** First payload word: offset, length, family or length byte. */
export let failureA: u32 = 0;
/** Second payload word: the maximum of a `length-excess`. */
export let failureB: u32 = 0;

/** Record a failure; always returns false so rules can `return fail(...)`. */
export function fail(kind: AddressError, a: u32 = 0, b: u32 = 0): bool {
  failure = kind;
  failureA = a;
  failureB = b;
  return false;
}
