/** Stable codes carried by {@link ChildProcessError}. */
export const CHILD_ERROR_CODES = {
  /** The kit's own CLI entry (or, from a clone, the TypeScript loader) cannot be found. */
  entryMissing: 'CHILD_ENTRY_MISSING',
  /** A child exited before it was ready, or while it was expected to run. */
  exited: 'CHILD_EXITED',
  /** A child ran but never reached its ready condition (e.g. never pulled from the consumer). */
  notReady: 'CHILD_NOT_READY',
} as const;

/** One of {@link CHILD_ERROR_CODES}. */
export type ChildErrorCode = (typeof CHILD_ERROR_CODES)[keyof typeof CHILD_ERROR_CODES];

/**
 * A child process the kit started could not run: an environment error (exit 2), never a
 * conformance finding. `logTail` holds the last lines the child printed.
 */
export class ChildProcessError extends Error {
  override readonly name = 'ChildProcessError';
  readonly code: ChildErrorCode;
  readonly logTail: readonly string[];

  constructor(
    code: ChildErrorCode,
    message: string,
    options: { logTail?: readonly string[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.logTail = options.logTail ?? [];
  }
}
