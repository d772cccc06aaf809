import type { SpecDiagnostic } from './validate-spec.js';

/** Stable codes for {@link SpecDiffError}; every one is a usage or environment error (exit 2). */
export const SPEC_DIFF_ERROR_CODES = {
  /** A file could not be read. */
  UNREADABLE: 'UNREADABLE',
  /** `git show REV:PATH` failed: unknown revision, path not in that revision, or not a git repository. */
  BAD_REVISION: 'BAD_REVISION',
  /** The spec or a schema is not valid YAML/JSON or not an AsyncAPI document. */
  UNPARSABLE: 'UNPARSABLE',
  /** A `$ref` points at something that does not exist. */
  UNRESOLVED_REF: 'UNRESOLVED_REF',
  /** The spec parses but @asyncapi/parser reports errors (a misspelled `info`, `address: 12345`, ...). */
  INVALID_SPEC: 'INVALID_SPEC',
} as const;

export type SpecDiffErrorCode = (typeof SPEC_DIFF_ERROR_CODES)[keyof typeof SPEC_DIFF_ERROR_CODES];

/** Thrown when a spec cannot be loaded or is invalid; the CLI maps it to exit code 2. */
export class SpecDiffError extends Error {
  override readonly name = 'SpecDiffError';
  readonly code: SpecDiffErrorCode;
  /** The parser's error diagnostics (`INVALID_SPEC` only). */
  readonly diagnostics: readonly SpecDiagnostic[];

  constructor(
    code: SpecDiffErrorCode,
    message: string,
    options?: { cause?: unknown; diagnostics?: readonly SpecDiagnostic[] },
  ) {
    super(message, options);
    this.code = code;
    this.diagnostics = options?.diagnostics ?? [];
  }
}
