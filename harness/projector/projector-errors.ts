/**
 * Whether a failure is PostgreSQL refusing this data (SQLSTATE class 22, data exception), as
 * opposed to infrastructure (connection loss, shutdown, deadlock, a missing table...), which is
 * retried and never dead-lettered.
 */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

// SQLSTATE classes of a connection, resources, operator intervention, system or transaction
// rollback (deadlock, serialization): the infrastructure's, whatever the data.
const INFRA_SQLSTATE = /^(08|40|53|57|58)/;
const INFRA_MESSAGE = /connection|terminat|not queryable|timeout|timed out|disconnect|closed|ECONN|EPIPE/i;

/**
 * Whether a failure is recognisably the infrastructure's (a lost or refused connection, a
 * shutdown, a deadlock, a timeout): such a failure never counts against a message.
 */
export function isInfrastructureError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (INFRA_SQLSTATE.test(code) || code.startsWith('E'))) return true;
  const message = err instanceof Error ? `${err.name} ${err.message}` : String(err);
  return INFRA_MESSAGE.test(message);
}

/** Capped exponential backoff with jitter: attempt 0 -> ~base ms. */
export function backoffMs(attempt: number, baseMs = 100, capMs = 5000): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return exp / 2 + Math.random() * (exp / 2);
}
