import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_SQL } from 'continuum-contract';
import { brokerMsgId, episodeSubject } from '../../harness/producer/contract.js';
import { ReferenceProducer, type WriteResult } from '../../harness/producer/index.js';
import { createFreshDatabase, type FreshDatabase } from '../../harness/services/fresh-database.js';
import { readSubject, startNatsFixture, type NatsFixture } from './nats-fixture.js';
import { randomId, tempDbPath, removeTempDbs } from './producer-fixture.js';

const run = promisify(execFile);
const PG_SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let nats: NatsFixture;
let nc: NatsConnection;
let db: FreshDatabase;

beforeAll(async () => {
  nats = await startNatsFixture();
  nc = await connect({ servers: nats.url });
  db = await createFreshDatabase(PG_SERVER);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(MIGRATION_SQL);
  await client.end();
});
afterAll(async () => {
  await nc.close();
  await nats.dispose();
  await db.drop();
  removeTempDbs();
});

/** A producer whose exporter never runs, so only backfills put its events on the bus. */
function quietProducer(dbPath = tempDbPath(), pgUrl?: string): ReferenceProducer {
  const p = new ReferenceProducer({
    dbPath,
    natsUrl: nats.url,
    actor: 'test-actor',
    ...(pgUrl ? { pgUrl } : {}),
  });
  p.bus.connect();
  return p;
}

/** 36 writes over two tenants and two agents, interleaved, in write order. */
function writeMix(
  p: ReferenceProducer,
  tenants: string[],
  agents: string[],
): (WriteResult & { t: string; a: string })[] {
  const out: (WriteResult & { t: string; a: string })[] = [];
  for (let i = 0; i < 9; i++) {
    for (const t of tenants) {
      for (const a of agents)
        out.push({ ...p.create({ tenant_id: t, agent_id: a, body: 'b', tags: [], metadata: { i } }), t, a });
    }
  }
  return out;
}

async function onBus(t: string, a: string): Promise<string[]> {
  const msgs = await readSubject(nc, 'CONTINUUM_EPISODES', episodeSubject(t, a));
  for (const m of msgs)
    expect(m.headers?.get('Nats-Msg-Id')).toBe(brokerMsgId(t, a, m.json<{ event_id: string }>().event_id));
  return msgs.map((m) => m.json<{ event_id: string }>().event_id).sort();
}

describe('backfill', () => {
  it('republishes exactly from_ts <= source_ts < to_ts for the tenant and agent, and is idempotent', async () => {
    const tenants = [randomId('t'), randomId('t')];
    const agents = [randomId('a'), randomId('a')];
    const p = quietProducer();
    const writes = writeMix(p, tenants, agents);
    const [t, a] = [tenants[0]!, agents[1]!];
    const from = writes[5]!.source_ts;
    const to = writes[30]!.source_ts;
    const expected = writes
      .slice(5, 30)
      .filter((w) => w.t === t && w.a === a)
      .map((w) => w.event_id);
    expect(expected.length).toBeGreaterThan(3);

    const dry = await p.backfill({ from_ts: from, to_ts: to, tenant_id: t, agent_id: a, dry_run: true });
    expect(dry).toMatchObject({
      ok: true,
      report: { matched: expected.length, to_publish: expected.length, published: 0, outcome: 'dry_run' },
    });
    expect(dry.ok && dry.report.first_event_ids).toEqual(expected);
    for (const tt of tenants) for (const aa of agents) expect(await onBus(tt, aa)).toEqual([]);

    const first = await p.backfill({ from_ts: from, to_ts: to, tenant_id: t, agent_id: a, dry_run: false });
    expect(first).toMatchObject({
      ok: true,
      report: { matched: expected.length, published: expected.length, duplicates: 0, outcome: 'ok' },
    });
    const again = await p.backfill({ from_ts: from, to_ts: to, tenant_id: t, agent_id: a, dry_run: false });
    expect(again).toMatchObject({ ok: true, report: { published: 0, duplicates: expected.length } });
    expect(await onBus(t, a)).toEqual([...expected].sort());
    for (const [tt, aa] of [
      [tenants[0]!, agents[0]!],
      [tenants[1]!, agents[1]!],
    ])
      expect(await onBus(tt, aa)).toEqual([]);

    const audit = p.audit.list();
    expect(audit.map((r) => [r.actor, r.action, r.outcome, r.tenant_id, r.agent_id])).toEqual([
      ['test-actor', 'backfill', 'dry_run', t, a],
      ['test-actor', 'backfill', 'ok', t, a],
      ['test-actor', 'backfill', 'ok', t, a],
    ]);
    expect(audit[0]!.params).toEqual({ from_ts: from, to_ts: to, tenant_id: t, agent_id: a, dry_run: true });
    await p.stop();
  });

  it('filters by agent alone across tenants, and the range bounds are half-open', async () => {
    const tenants = [randomId('t'), randomId('t')];
    const agents = [randomId('a'), randomId('a')];
    const p = quietProducer();
    const writes = writeMix(p, tenants, agents);
    const a = agents[0]!;
    // from_ts equal to an entry's source_ts includes it; to_ts equal to one excludes it.
    const res = await p.backfill({
      from_ts: writes[4]!.source_ts,
      to_ts: writes[12]!.source_ts,
      agent_id: a,
      dry_run: true,
    });
    const expected = writes
      .slice(4, 12)
      .filter((w) => w.a === a)
      .map((w) => w.event_id);
    expect(res.ok && res.report.first_event_ids).toEqual(expected);
    await p.stop();
  });

  it('returns violations for bad parameters and audits nothing for them', async () => {
    const p = quietProducer();
    const bad = [
      { from_ts: '2026-11-24T11:00:00Z', to_ts: '2026-11-24T10:00:00Z', dry_run: true },
      { from_ts: '2026-11-24T10:00:00Z', to_ts: '2026-11-24T11:00:00Z', dry_run: 'true' },
      { from_ts: '2026-11-24T10:00:00Z', to_ts: '2026-11-24T11:00:00Z' },
      { from_ts: '2026-11-24T10:00:00+01:00', to_ts: '2026-11-24T11:00:00Z', dry_run: false },
      { from_ts: '2026-11-24T10:00:00Z', to_ts: '2026-11-24T11:00:00Z', dry_run: false, tenant: 'x' },
    ];
    for (const params of bad) {
      const res = await p.backfill(params);
      expect(res.ok, JSON.stringify(params)).toBe(false);
      if (!res.ok) expect(res.errors[0]!.clauseId).toMatch(/^CT-/);
    }
    expect(p.audit.list()).toEqual([]);
    await p.stop();
  });

  it('audits to arqonbus_continuum_audit in PostgreSQL when configured', async () => {
    const t = randomId('t');
    const p = quietProducer(tempDbPath(), db.url);
    p.create({ tenant_id: t, agent_id: 'a1', body: 'b', tags: [], metadata: {} });
    const res = await p.backfill(
      { from_ts: '2020-01-01T00:00:00Z', to_ts: '2100-01-01T00:00:00Z', tenant_id: t, dry_run: true },
      'alice',
    );
    expect(res).toMatchObject({ ok: true, report: { matched: 1 } });
    await p.stop();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const rows = (
      await client.query(
        'SELECT actor, action, tenant_id, params, outcome FROM arqonbus_continuum_audit WHERE tenant_id = $1',
        [t],
      )
    ).rows;
    await client.end();
    expect(rows).toEqual([
      {
        actor: 'alice',
        action: 'backfill',
        tenant_id: t,
        outcome: 'dry_run',
        params: {
          from_ts: '2020-01-01T00:00:00Z',
          to_ts: '2100-01-01T00:00:00Z',
          tenant_id: t,
          dry_run: true,
        },
      },
    ]);
  });

  it('CLI: JSON dry run reports ids and publishes nothing; bad flags exit 2 with a message', async () => {
    const [t, a] = [randomId('t'), randomId('a')];
    const dbPath = tempDbPath();
    const p = new ReferenceProducer({ dbPath, natsUrl: nats.url });
    const ids = [1, 2, 3].map(
      (i) => p.create({ tenant_id: t, agent_id: a, body: 'b', tags: [], metadata: { i } }).event_id,
    );
    await p.stop();
    const cli = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      run(
        process.execPath,
        ['--import', 'tsx', 'cli/main.ts', 'ref', 'backfill', '--db', dbPath, '--nats', nats.url, ...args],
        {
          cwd: process.cwd(),
        },
      ).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({
          code: e.code,
          stdout: e.stdout,
          stderr: e.stderr,
        }),
      );
    const range = ['--from-ts', '2020-01-01T00:00:00Z', '--to-ts', '2100-01-01T00:00:00Z'];
    const dry = await cli([...range, '--tenant-id', t, '--dry-run', '--format', 'json', '--actor', 'ci']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      dry_run: true,
      matched: 3,
      to_publish: 3,
      first_event_ids: ids,
      outcome: 'dry_run',
    });
    expect(await onBus(t, a)).toEqual([]);

    const reversed = await cli(['--from-ts', '2100-01-01T00:00:00Z', '--to-ts', '2020-01-01T00:00:00Z']);
    expect([reversed.code, reversed.stderr]).toEqual([
      2,
      expect.stringContaining('to_ts must be after from_ts'),
    ]);
    const unknown = await cli([...range, '--since', 'x']);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining("unknown option '--since'")]);
    const notBool = await cli([...range, '--dry-run', 'yes']);
    expect([notBool.code, notBool.stderr]).toEqual([2, expect.stringContaining('expected true or false')]);

    const real = await cli([...range, '--tenant-id', t, '--dry-run', 'false', '--format', 'json']);
    expect(real.code).toBe(0);
    expect(JSON.parse(real.stdout)).toMatchObject({ dry_run: false, published: 3 });
    expect(await onBus(t, a)).toEqual([...ids].sort());
  });
});
