import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cacheKey,
  CONTRACT,
  ProjectionModel,
  validateCacheEntry,
  type EpisodeEvent,
} from 'continuum-contract';
import { Projector } from '../../harness/projector/projector.js';
import { UPSERT_ROWS } from '../../harness/projector/projection-sql.js';
import type { PhaseName } from '../../harness/projector/phase.js';
import { makeEvent, publishEvent, readRows, useProjectorFixture, waitUntil } from './projector-fixture.js';

const fx = useProjectorFixture();

const EPISODES = ['01JD3ZTZ0000000000000000A1', '01JD3ZTZ0000000000000000A2', '01JD3ZTZ0000000000000000A3'];
const TIMESTAMPS = [
  '2026-11-24T10:00:00Z',
  '2026-11-24T10:00:00.000Z',
  '2026-11-24T10:00:00.5Z',
  '2026-11-24T10:00:00.500000Z',
  '2026-11-24T10:00:01Z',
];

async function runUntil(phase: PhaseName, total: number, batchSize = 50): Promise<Projector> {
  const p = new Projector({
    nc: fx.nc,
    pool: fx.pool,
    redis: fx.redis,
    phase,
    batchSize,
    consumerOverrides: { ackWaitMs: 2000 },
  });
  await p.start();
  const seen = async () =>
    (await p.metrics.count('projected')) +
    (await p.metrics.count('stale')) +
    (await p.metrics.count('duplicate')) +
    (await p.metrics.count('dlq'));
  await waitUntil(async () => (await seen()) >= total, `${total} events consumed`);
  await p.stop();
  return p;
}

describe('reference projector: projection semantics on real NATS + PostgreSQL + Valkey', () => {
  it('duplicates and reorderings end in exactly the model rows', async () => {
    const tenant = `${fx.tenant}r`;
    const [specs] = fc.sample(
      fc.array(
        fc.record({
          agent: fc.constantFrom('a1', 'a2'),
          episode: fc.constantFrom(...EPISODES),
          type: fc.constantFrom(
            'episode.created',
            'episode.updated',
            'episode.summarized',
            'episode.deleted',
          ),
          ts: fc.constantFrom(...TIMESTAMPS),
        }),
        { minLength: 200, maxLength: 200 },
      ),
      { seed: 20261124, numRuns: 1 },
    );
    const events: EpisodeEvent[] = (specs ?? []).map((s) =>
      makeEvent({
        tenant_id: tenant,
        agent_id: s.agent,
        episode_id: s.episode,
        event_type: s.type as EpisodeEvent['event_type'],
        source_ts: s.ts,
      }),
    );
    const [order] = fc.sample(
      fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
      {
        seed: 7,
        numRuns: 1,
      },
    );
    const dups = (order ?? []).filter((_, i) => i % 7 === 0);
    for (const e of order ?? []) await publishEvent(fx.js, e);
    // Redeliveries from the exporter beyond JetStream's duplicate window: distinct msg ids.
    for (const [i, e] of dups.entries()) await publishEvent(fx.js, e, { msgId: `dup-${tenant}-${i}` });

    const p = await runUntil('alerts-enforced', events.length + dups.length);
    const model = new ProjectionModel();
    for (const e of events) model.apply(e);
    expect(await readRows(fx.pool, tenant)).toEqual(model.rows());
    expect(await p.metrics.count('duplicate')).toBe(dups.length);
    const stats = await fx.pool.query<{ outcome: string; n: string }>(
      'SELECT outcome, count(*) AS n FROM arqonbus_continuum_projection_events WHERE tenant_id = $1 GROUP BY outcome',
      [tenant],
    );
    const byOutcome = Object.fromEntries(stats.rows.map((r) => [r.outcome, Number(r.n)]));
    expect((byOutcome.applied ?? 0) + (byOutcome.stale ?? 0)).toBe(events.length);
    expect(byOutcome.stale ?? 0).toBe(await p.metrics.count('stale'));
    expect(byOutcome.applied ?? 0).toBe(await p.metrics.count('projected'));
  });

  it('an older update after a delete is stale and never undoes it; equal instants resolve by event_id', async () => {
    const tenant = `${fx.tenant}d`;
    const [ep1, ep2] = EPISODES as [string, string];
    const upd5 = makeEvent({ tenant_id: tenant, episode_id: ep1, source_ts: '2026-01-01T00:00:05Z' });
    const del6 = makeEvent({
      tenant_id: tenant,
      episode_id: ep1,
      source_ts: '2026-01-01T00:00:06Z',
      event_type: 'episode.deleted',
    });
    const upd4 = makeEvent({ tenant_id: tenant, episode_id: ep1, source_ts: '2026-01-01T00:00:04Z' });
    const upd7 = makeEvent({ tenant_id: tenant, episode_id: ep1, source_ts: '2026-01-01T00:00:07Z' });
    // Same instant, two spellings; '0193...' (UUIDv7) sorts before '01J...' (ULID) in byte order.
    const low = makeEvent({
      tenant_id: tenant,
      episode_id: ep2,
      source_ts: '2026-01-01T00:00:00.5Z',
      event_id: '0193591f-6e1a-7cc3-8a41-2b7c9d0e1f22',
    });
    const high = makeEvent({
      tenant_id: tenant,
      episode_id: ep2,
      source_ts: '2026-01-01T00:00:00.500000Z',
      event_id: '01JD3ZV8X3N4Q2W5E6R7T8Y9ZA',
    });
    const sequence = [upd5, del6, upd4, upd7, high, low];
    for (const e of sequence) await publishEvent(fx.js, e);
    await runUntil('alerts-enforced', sequence.length, 1);

    const rows = await readRows(fx.pool, tenant);
    expect(rows.find((r) => r.episode_id === ep1)).toMatchObject({
      deleted: true,
      last_event_id: upd7.event_id,
    });
    expect(rows.find((r) => r.episode_id === ep2)).toMatchObject({
      deleted: false,
      last_event_id: high.event_id,
      last_event_ts: '2026-01-01T00:00:00.500000Z',
    });
    const outcomes = await fx.pool.query<{ event_id: string; outcome: string }>(
      'SELECT event_id, outcome FROM arqonbus_continuum_projection_events WHERE tenant_id = $1',
      [tenant],
    );
    const outcome = Object.fromEntries(outcomes.rows.map((r) => [r.event_id, r.outcome]));
    expect(outcome[upd4.event_id]).toBe('stale');
    expect(outcome[low.event_id]).toBe('stale');
    expect(outcome[upd7.event_id]).toBe('applied');

    // Cache: refs and summary of the live episode with a short TTL; none for the deleted one.
    expect(await fx.redis.exists(cacheKey(tenant, ep1, 'a1'))).toBe(0);
    const key = cacheKey(tenant, ep2, 'a1');
    const cached: unknown = JSON.parse((await fx.redis.get(key)) ?? 'null');
    expect(validateCacheEntry(cached)).toMatchObject({ ok: true });
    expect(cached).toMatchObject({ last_event_id: high.event_id, content_ref: high.payload.content_ref });
    const ttl = await fx.redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(CONTRACT.valkey.families.cache.ttl_seconds.max);
  });

  it('shadow projects without the cache; emit-only consumes nothing and loses nothing', async () => {
    const tenant = `${fx.tenant}s`;
    const ep = EPISODES[0] as string;
    await publishEvent(fx.js, makeEvent({ tenant_id: tenant, episode_id: ep }));
    await runUntil('shadow', 1);
    expect(await readRows(fx.pool, tenant)).toHaveLength(1);
    expect(await fx.redis.exists(cacheKey(tenant, ep, 'a1'))).toBe(0);

    const tenant2 = `${fx.tenant}e`;
    await publishEvent(fx.js, makeEvent({ tenant_id: tenant2, episode_id: ep }));
    const emitOnly = new Projector({ nc: fx.nc, pool: fx.pool, phase: 'emit-only' });
    await emitOnly.start();
    await emitOnly.stop();
    const info = await fx.jsm.consumers.info(CONTRACT.streams.episodes.name, CONTRACT.consumer.durable_name);
    expect(info.num_pending).toBe(1);
    expect(await readRows(fx.pool, tenant2)).toHaveLength(0);
    await runUntil('read-only-analytics', 1);
    expect(await readRows(fx.pool, tenant2)).toHaveLength(1);
  });

  it('the tie-break is byte order whatever the database collation', async () => {
    // Under a linguistic collation 'a' sorts before 'J'; in byte order (COLLATE "C") after it.
    await fx.pool.query(
      'ALTER TABLE arqonbus_continuum_projection ALTER COLUMN last_event_id TYPE text COLLATE "und-x-icu"',
    );
    try {
      const tenant = `${fx.tenant}u`;
      const ep = EPISODES[2] as string;
      const ts = '2026-01-01T00:00:00.25Z';
      const uuid = makeEvent({
        tenant_id: tenant,
        episode_id: ep,
        source_ts: ts,
        event_id: '01a3591f-6e1a-7cc3-8a41-2b7c9d0e1f22',
      });
      const ulid = makeEvent({
        tenant_id: tenant,
        episode_id: ep,
        source_ts: ts,
        event_id: '01JD3ZV8X3N4Q2W5E6R7T8Y9ZB',
      });
      // Straight through the upsert statement: the projector's own plan would already call the
      // second event stale, and this is about the guard in SQL.
      for (const e of [uuid, ulid]) {
        await fx.pool.query(UPSERT_ROWS, [
          [e.tenant_id],
          [e.agent_id],
          [e.episode_id],
          [e.event_type],
          [e.payload.content_ref],
          [e.payload.summary ?? null],
          [JSON.stringify(e.payload.tags)],
          [null],
          [JSON.stringify(e.payload.metadata)],
          [e.event_id],
          [e.source_ts],
          [false],
        ]);
      }
      const model = new ProjectionModel();
      model.apply(uuid);
      expect(model.apply(ulid)).toBe('stale');
      expect(await readRows(fx.pool, tenant)).toEqual(model.rows());
    } finally {
      await fx.pool.query(
        'ALTER TABLE arqonbus_continuum_projection ALTER COLUMN last_event_id TYPE text COLLATE "default"',
      );
    }
  });
});
