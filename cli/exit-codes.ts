/** Process exit codes shared by every command. */
export const EXIT = {
  /** Valid, conformant, compatible. */
  ok: 0,
  /** Contract violation, non-conformance, or a breaking change. */
  failure: 1,
  /** Bad usage, unreadable input, or an environment that cannot run the command. */
  usage: 2,
} as const;
