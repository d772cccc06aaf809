import type { NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';

/**
 * Whether PostgreSQL answers a query and NATS a flush within `timeoutMs`: the projector's test of
 * whether a failure that keeps recurring is the infrastructure's or the data's.
 */
export async function infrastructureAnswers(
  nc: NatsConnection,
  pool: pg.Pool,
  timeoutMs = 5000,
): Promise<boolean> {
  if (nc.isClosed()) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
  const probe = Promise.all([pool.query('SELECT 1'), nc.flush()]).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
