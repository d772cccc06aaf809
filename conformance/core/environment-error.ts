/** Raised when the environment (not the implementation) fails: exit 2, never a counterexample. */
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
