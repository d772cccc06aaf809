import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startServices, ServiceError } from '../../harness/services/index.js';

// The machine's shared services (PostgreSQL, Redis, NATS on their default ports); each test isolates with a fresh database.
const SHARED = {
  NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  VALKEY_URL: process.env.VALKEY_URL ?? 'redis://127.0.0.1:6379',
};

async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function databaseExists(name: string): Promise<boolean> {
  const rows = await query(SHARED.DATABASE_URL, 'SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  return rows.length === 1;
}

describe('services from the environment and flags', () => {
  it('uses NATS_URL, DATABASE_URL and VALKEY_URL and starts nothing', async () => {
    await using services = await startServices({ env: { ...SHARED, PATH: '' } });
    expect(services.origin).toEqual({ nats: 'env', pg: 'env', valkey: 'env' });
    expect([services.natsUrl, services.pgUrl, services.valkeyUrl]).toEqual([
      SHARED.NATS_URL,
      SHARED.DATABASE_URL,
      SHARED.VALKEY_URL,
    ]);
    expect(services.pids).toEqual({});
  });

  it('a flag wins over the environment', async () => {
    await using services = await startServices({
      nats: SHARED.NATS_URL,
      env: { ...SHARED, NATS_URL: 'nats://127.0.0.1:1', PATH: '' },
    });
    expect(services.origin.nats).toBe('flag');
    expect(services.natsUrl).toBe(SHARED.NATS_URL);
  });

  it('a URL that does not answer is a SERVICE_UNREACHABLE error naming its source', async () => {
    const failure = await startServices({
      env: { ...SHARED, VALKEY_URL: 'redis://127.0.0.1:1' },
      connectTimeoutMs: 300,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServiceError);
    expect((failure as ServiceError).code).toBe('SERVICE_UNREACHABLE');
    expect((failure as ServiceError).service).toBe('valkey');
    expect((failure as Error).message).toMatch(
      /Valkey at redis:\/\/127\.0\.0\.1:1 \(from VALKEY_URL\) did not answer within 300 ms/,
    );
  });

  it('fault hooks refuse services not started here', async () => {
    await using services = await startServices({ env: { ...SHARED, PATH: '' } });
    for (const hook of [
      () => services.stopNats(),
      () => services.restartPostgres(),
      () => services.stopValkey(),
      () => services.killPostgresConnections(),
    ]) {
      await expect(hook()).rejects.toMatchObject({ name: 'ServiceError', code: 'FAULT_UNSUPPORTED' });
    }
  });

  it('freshDatabase gives each run its own database, dropped at stop', async () => {
    const a = await startServices({ env: { ...SHARED, PATH: '' }, freshDatabase: true });
    const b = await startServices({ env: { ...SHARED, PATH: '' }, freshDatabase: true });
    expect(a.database).toMatch(/^ck_[0-9a-f]{12}$/);
    expect(a.database).not.toBe(b.database);
    expect(new URL(a.pgUrl).pathname).toBe(`/${a.database}`);
    await query(a.pgUrl, 'CREATE TABLE only_in_a (id int)');
    const inB = await query(
      b.pgUrl,
      "SELECT 1 FROM information_schema.tables WHERE table_name = 'only_in_a'",
    );
    expect(inB).toEqual([]);
    const name = a.database ?? '';
    await a.stop();
    expect(await databaseExists(name)).toBe(false);
    expect(await databaseExists(b.database ?? '')).toBe(true);
    await b.stop();
  });

  it('killPostgresConnections on a shared server kills only sessions on the fresh database', async () => {
    await using mine = await startServices({ env: { ...SHARED, PATH: '' }, freshDatabase: true });
    await using other = await startServices({ env: { ...SHARED, PATH: '' }, freshDatabase: true });
    const victim = new pg.Client({ connectionString: mine.pgUrl });
    const bystander = new pg.Client({ connectionString: other.pgUrl });
    victim.on('error', () => {});
    await victim.connect();
    await bystander.connect();
    expect(await mine.killPostgresConnections()).toBe(1);
    await expect(victim.query('SELECT 1')).rejects.toThrow();
    expect((await bystander.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await victim.end().catch(() => {});
    await bystander.end();
  });
});
