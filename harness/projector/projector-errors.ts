/**
 * Whether a failure is PostgreSQL refusing this data (SQLSTATE class 22, data exception), as
 * opposed to infrastructure (connection loss, shutdown, deadlock, a missing table...), which is
 * retried and never dead-lettered.
 */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

/** Capped exponential backoff with jitter: attempt 0 -> ~base ms. */
export function backoffMs(attempt: number, baseMs = 100, capMs = 5000): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return exp / 2 + Math.random() * (exp / 2);
}
