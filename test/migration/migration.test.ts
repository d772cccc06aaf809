import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTRACT, MIGRATION_SQL } from 'continuum-contract';

// Real PostgreSQL (DATABASE_URL or the local trust-auth server), one fresh database per case.
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const created: string[] = [];

async function freshDatabase(): Promise<string> {
  const name = `ck_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  created.push(name);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withClient<T>(url: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await f(client);
  } finally {
    await client.end();
  }
}

async function columns(url: string): Promise<Record<string, string[]>> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    );
    const out: Record<string, string[]> = {};
    for (const r of rows) (out[r.table_name] ??= []).push(r.column_name);
    return out;
  });
}

afterAll(async () => {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

describe('generated migration', () => {
  it('creates every x-projection table and column, twice and from four clients at once', async () => {
    const url = await freshDatabase();
    await Promise.all([1, 2, 3, 4].map(() => withClient(url, (c) => c.query(MIGRATION_SQL))));
    await withClient(url, (c) => c.query(MIGRATION_SQL));
    const actual = await columns(url);
    const expected = Object.fromEntries(
      Object.entries(CONTRACT.projection.tables).map(([table, spec]) => [table, Object.keys(spec.columns)]),
    );
    expect(actual).toEqual(expected);
  });

  it('upgrades a bus-side deployment without the added columns and keeps its rows', async () => {
    const url = await freshDatabase();
    await withClient(url, async (c) => {
      await c.query(`CREATE TABLE arqonbus_continuum_projection_events (
        tenant_id text NOT NULL, agent_id text NOT NULL, event_id text NOT NULL, episode_id text NOT NULL,
        event_type text NOT NULL, source_ts timestamptz NOT NULL, event jsonb NOT NULL,
        projected_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (tenant_id, agent_id, event_id))`);
      await c.query(`CREATE TABLE arqonbus_continuum_projection_dlq (
        dlq_id text PRIMARY KEY, reason text NOT NULL, event jsonb, queued_at timestamptz NOT NULL DEFAULT now())`);
      await c.query(`INSERT INTO arqonbus_continuum_projection_events VALUES
        ('t', 'a', 'e', 'ep', 'episode.created', now(), '{}', now())`);
      await c.query(`INSERT INTO arqonbus_continuum_projection_dlq (dlq_id, reason) VALUES ('d1', 'old')`);
      await c.query(MIGRATION_SQL);
      const events = await c.query('SELECT outcome FROM arqonbus_continuum_projection_events');
      const dlq = await c.query('SELECT reason, tenant_id, clause_id FROM arqonbus_continuum_projection_dlq');
      expect(events.rows).toEqual([{ outcome: 'applied' }]);
      expect(dlq.rows).toEqual([{ reason: 'old', tenant_id: null, clause_id: null }]);
    });
    const actual = await columns(url);
    expect(actual.arqonbus_continuum_projection_dlq).toEqual(
      Object.keys(CONTRACT.projection.tables.arqonbus_continuum_projection_dlq.columns),
    );
    expect(Object.keys(actual).sort()).toEqual(Object.keys(CONTRACT.projection.tables).sort());
  });
});
