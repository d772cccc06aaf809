import type { SECURITY_ERROR_CODES } from './security-error-codes.js';

/**
 * Setting up a secure test deployment failed: a tool is missing (TOOL_MISSING) or failed
 * (SECURITY_SETUP_FAILED). `cause` carries the underlying error; the message says what to do.
 */
export class SecuritySetupError extends Error {
  override readonly name = 'SecuritySetupError';

  constructor(
    readonly code: typeof SECURITY_ERROR_CODES.toolMissing | typeof SECURITY_ERROR_CODES.setupFailed,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
