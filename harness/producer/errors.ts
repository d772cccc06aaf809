/** Stable codes of {@link ProducerError}. */
export const PRODUCER_ERROR_CODES = {
  invalidInput: 'INVALID_INPUT',
  notFound: 'NOT_FOUND',
  invalidPolicy: 'INVALID_POLICY',
  busUnavailable: 'BUS_UNAVAILABLE',
  stopped: 'STOPPED',
  auditUnavailable: 'AUDIT_UNAVAILABLE',
} as const;

export type ProducerErrorCode = (typeof PRODUCER_ERROR_CODES)[keyof typeof PRODUCER_ERROR_CODES];

/** A misuse of the reference producer or an infrastructure failure it cannot absorb. */
export class ProducerError extends Error {
  override readonly name = 'ProducerError';
  readonly code: ProducerErrorCode;

  constructor(code: ProducerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
