/** Stable codes of the security layer's errors; match on these, not on messages. */
export const SECURITY_ERROR_CODES = {
  /** The server refused an identity a publish or subscription (PermissionDeniedError). */
  permissionDenied: 'PERMISSION_DENIED',
  /** `openssl` or `nats-server` is not on PATH (SecuritySetupError). */
  toolMissing: 'TOOL_MISSING',
  /** A tool ran and failed: certificate generation, server start (SecuritySetupError). */
  setupFailed: 'SECURITY_SETUP_FAILED',
} as const;

/** One of SECURITY_ERROR_CODES. */
export type SecurityErrorCode = (typeof SECURITY_ERROR_CODES)[keyof typeof SECURITY_ERROR_CODES];
