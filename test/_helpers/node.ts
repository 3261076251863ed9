// How a test starts a Node child: this process's own runtime. Under user-mode
// emulation (build/test-arm64.mjs runs tests on Node for arm64 through
// qemu-aarch64) the kernel cannot execute process.execPath by itself (no
// binfmt_misc), so the emulator's argv, given in UNIXSOCK_EMULATOR
// (space-separated), goes before it.

/** argv[0..] that runs this Node: [process.execPath], or the emulator's words and then it. */
export const NODE: readonly string[] = [...(process.env.UNIXSOCK_EMULATOR?.split(' ').filter(Boolean) ?? []), process.execPath];

/** {@link NODE} as words for `sh -c` (each single-quoted). */
export const NODE_SH = NODE.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
