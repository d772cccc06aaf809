/**
 * The typed form of a NATS "Permissions Violation": the server refused this identity an action on a
 * subject. Terminal for that action (retrying cannot succeed until the deployment's permissions
 * change), so callers record it and move on instead of retrying (CT-6.fail-closed).
 */
import { SECURITY_ERROR_CODES } from './security-error-codes.js';

/** What was refused: publishing to, or subscribing to, `subject`. */
export type RefusedOperation = 'publish' | 'subscribe';

/** The server refused `identity` the `operation` on `subject`. `cause` is the client library's error. */
export class PermissionDeniedError extends Error {
  override readonly name = 'PermissionDeniedError';
  readonly code = SECURITY_ERROR_CODES.permissionDenied;

  constructor(
    readonly operation: RefusedOperation,
    readonly subject: string,
    readonly identity: string,
    options?: { cause?: unknown },
  ) {
    super(
      `NATS refused ${operation === 'publish' ? 'publish to' : 'subscription to'} ${subject} for ${identity}: ` +
        'the credential has no permission for this subject (not retried)',
      options,
    );
  }
}

/** Server error text, e.g. `Permissions Violation for Publish to "continuum.episode.v1.t2.a1"`. */
const VIOLATION = /permissions violation for (publish|subscription) to "([^"]+)"/i;

/**
 * The PermissionDeniedError inside `err` (looking through `cause` chains, as @nats-io/jetstream wraps
 * the core error in a RequestError), or undefined when `err` is anything else. Matches the server's
 * message rather than `instanceof`, so two copies of the client library cannot defeat it.
 */
export function toPermissionDenied(err: unknown, identity: string): PermissionDeniedError | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof PermissionDeniedError) return e;
    const m = VIOLATION.exec(e.message);
    if (m) {
      const operation = m[1]!.toLowerCase() === 'publish' ? 'publish' : 'subscribe';
      return new PermissionDeniedError(operation, m[2]!, identity, { cause: err });
    }
  }
  return undefined;
}
