/** One contract violation: which clause, where (JSON pointer into the document), and what. */
export interface Violation {
  /** Clause ID from asyncapi.yaml x-clauses, for example 'CT-3.envelope.source_ts'. */
  clauseId: string;
  /** JSON pointer to the offending value ('' is the whole document). */
  path: string;
  /** The JSON Schema keyword (or 'size', 'json', 'calendar', 'range') that failed. */
  keyword: string;
  message: string;
}

/** The outcome of validating: the typed value, or every violation found. */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: Violation[] };

/** 'producer' rejects unknown fields (CT-3.unknown-fields); 'consumer' tolerates and ignores them. */
export type ValidationMode = 'producer' | 'consumer';

/**
 * The mode used when none is given, by the library and the CLI alike: 'producer', the strict one,
 * because a validator's default answer should be "is this what a producer may publish". A consumer
 * that tolerates unknown fields (CT-3.unknown-fields) asks for 'consumer'.
 */
export const DEFAULT_VALIDATION_MODE: ValidationMode = 'producer';
