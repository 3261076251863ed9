// Platform names: the WIT `platform` enum, the aliases users type, and the
// platform this process runs on.

/** A platform whose `struct sockaddr_un` rules unixsock knows (WIT `types.platform`). */
export type Platform = 'linux' | 'macos' | 'freebsd' | 'openbsd' | 'netbsd' | 'windows';

/** WIT case order: a platform crosses the component boundary as this index. */
export const PLATFORMS: readonly Platform[] = ['linux', 'macos', 'freebsd', 'openbsd', 'netbsd', 'windows'];

const ALIASES: Readonly<Record<string, Platform>> = {
  linux: 'linux', android: 'linux',
  macos: 'macos', darwin: 'macos',
  freebsd: 'freebsd', openbsd: 'openbsd', netbsd: 'netbsd',
  windows: 'windows', win32: 'windows',
};

/** Platform of `process.platform` (Android is Linux), or undefined where unixsock has no layout. */
export function platformOf(nodePlatform: string): Platform | undefined {
  return ALIASES[nodePlatform];
}

/** The platform this process runs on; `linux` rules where Node reports an unknown one. */
export const HOST_PLATFORM: Platform = platformOf(process.platform) ?? 'linux';

/** Index of a platform name or alias, or -1. */
export function platformIndex(name: string): number {
  const p = ALIASES[name];
  return p === undefined ? -1 : PLATFORMS.indexOf(p);
}
