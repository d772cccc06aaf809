/**
 * Raised when the environment (not the implementation) failed or the run was asked for
 * something it cannot do: nothing was judged, so it is never a counterexample and never a pass.
 */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
  readonly code = 'ENVIRONMENT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The error as an EnvironmentError, with `what` in front of a foreign error's message. */
export function asEnvironmentError(error: unknown, what: string): EnvironmentError {
  if (error instanceof EnvironmentError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new EnvironmentError(`${what}: ${message}`, { cause: error });
}
