// Case indices of the WIT types the address logic speaks: `types.address`,
// `types.platform`, `address.relative-paths`, `address.candidate`.

export const enum AddressKind { Path, PathBytes, Abstract, Unnamed }

export const enum Platform { Linux, Macos, Freebsd, Openbsd, Netbsd, Windows }

export const PLATFORM_COUNT: i32 = 6;

export const enum RelativePaths { Allow, AbsoluteMustFit, Reject }

export const enum CandidateKind { Path, PathBytes, Bytes }

/** Portable pathname limit: 104-byte `sun_path` minus its NUL. */
export const PORTABLE_MAX_PATH: u32 = 103;

export const SLASH: u8 = 0x2f;
