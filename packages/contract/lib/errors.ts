/** Stable codes of ContractUsageError; match on these, not on messages. */
export const ERROR_CODES = {
  /** A tenant, agent, episode or event id (or key name) outside the contract's formats. */
  INVALID_ID: 'INVALID_ID',
  /** A timestamp that is not a contract `source_ts` (UTC, Z, 0-6 fractional digits, real date). */
  INVALID_TIMESTAMP: 'INVALID_TIMESTAMP',
  /** Any other argument the API cannot accept (for example an unknown validation mode). */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
} as const;

/** One of ERROR_CODES. */
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/**
 * Thrown when the library is misused (for example a builder called with an id outside the
 * contract). Validation failures of data are never thrown: they come back as `{ ok: false, errors }`.
 */
export class ContractUsageError extends Error {
  override readonly name = 'ContractUsageError';
  /** Stable code from ERROR_CODES. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
