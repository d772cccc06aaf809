import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { cacheKey, ProjectionModel, type EpisodeEvent } from 'continuum-contract';
import { Projector } from '../../harness/projector/projector.js';
import { UPSERT_ROWS } from '../../harness/projector/projection-sql.js';
import { connectNats } from '../../harness/services/index.js';
import { makeEvent, publishEvent, readRows, useProjectorFixture, waitUntil } from './projector-fixture.js';

const fx = useProjectorFixture();

const EPISODES = ['01JD3ZTZ0000000000000000B1', '01JD3ZTZ0000000000000000B2', '01JD3ZTZ0000000000000000B3'];

/** Deterministic pseudo-random stream (no Math.random in assertions' inputs). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function contended(tenant: string, n: number, seed: number): EpisodeEvent[] {
  const rnd = lcg(seed);
  const types = ['episode.created', 'episode.updated', 'episode.summarized', 'episode.deleted'] as const;
  return Array.from({ length: n }, () =>
    makeEvent({
      tenant_id: tenant,
      episode_id: EPISODES[Math.floor(rnd() * EPISODES.length)] as string,
      event_type: types[Math.floor(rnd() * (rnd() < 0.9 ? 3 : 4))] as EpisodeEvent['event_type'],
      // 40 distinct instants: many ties, many out-of-order arrivals.
      source_ts: `2026-11-24T10:00:${String(Math.floor(rnd() * 40)).padStart(2, '0')}.${Math.floor(rnd() * 2) * 5}Z`,
    }),
  );
}

describe('two projectors at once on the same episodes', () => {
  it('share the durable consumer and end in the model rows, each event recorded once', async () => {
    const tenant = `${fx.tenant}c`;
    const events = contended(tenant, 1500, 42);
    const dups = events.filter((_, i) => i % 15 === 0);
    for (const e of events) await publishEvent(fx.js, e);
    for (const [i, e] of dups.entries()) await publishEvent(fx.js, e, { msgId: `dup-${tenant}-${i}` });

    const make = async () => {
      const nc = await connectNats(fx.services.natsUrl, fx.services.natsConnect);
      const pool = new pg.Pool({ connectionString: fx.services.pgUrl, max: 2 });
      return { nc, pool, p: new Projector({ nc, pool, redis: fx.redis, batchSize: 20 }) };
    };
    const a = await make();
    const b = await make();
    await Promise.all([a.p.start(), b.p.start()]);
    const consumed = async (p: Projector) =>
      (await p.metrics.count('projected')) +
      (await p.metrics.count('stale')) +
      (await p.metrics.count('duplicate'));
    const total = events.length + dups.length;
    await waitUntil(
      async () => (await consumed(a.p)) + (await consumed(b.p)) >= total,
      'both projectors to drain',
    );
    await Promise.all([a.p.stop(), b.p.stop()]);
    for (const x of [a, b]) {
      await x.nc.close();
      await x.pool.end();
    }

    // Both really took part.
    expect(await consumed(a.p)).toBeGreaterThan(0);
    expect(await consumed(b.p)).toBeGreaterThan(0);
    const model = new ProjectionModel();
    for (const e of events) model.apply(e);
    expect(await readRows(fx.pool, tenant)).toEqual(model.rows());
    const n = await fx.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM arqonbus_continuum_projection_events WHERE tenant_id = $1',
      [tenant],
    );
    expect(Number(n.rows[0]?.n)).toBe(events.length);
    const dupCount = (await a.p.metrics.count('duplicate')) + (await b.p.metrics.count('duplicate'));
    expect(dupCount).toBe(dups.length);
    // The cache was written in commit order: each live episode caches its final row, deleted ones nothing.
    for (const row of model.rows()) {
      const cached = await fx.redis.get(cacheKey(row.tenant_id, row.episode_id, row.agent_id));
      if (row.deleted) expect(cached).toBeNull();
      else
        expect(JSON.parse(cached ?? 'null')).toMatchObject({
          last_event_id: row.last_event_id,
          last_event_ts: row.last_event_ts,
        });
    }
  });

  it('the guard holds in the upsert statement itself, without the projector, under concurrent transactions', async () => {
    const tenant = `${fx.tenant}g`;
    const events = contended(tenant, 400, 7);
    const pool = new pg.Pool({ connectionString: fx.services.pgUrl, max: 8 });
    const lanes = Array.from({ length: 8 }, (_, lane) => events.filter((_, i) => i % 8 === lane));
    await Promise.all(
      lanes.map(async (lane) => {
        const client = await pool.connect();
        try {
          for (const e of lane) {
            await client.query('BEGIN');
            await client.query(UPSERT_ROWS, [
              [e.tenant_id],
              [e.agent_id],
              [e.episode_id],
              [e.event_type],
              [e.payload.content_ref],
              [e.payload.summary ?? null],
              [JSON.stringify(e.payload.tags)],
              [e.payload.embedding_ref ?? null],
              [JSON.stringify(e.payload.metadata)],
              [e.event_id],
              [e.source_ts],
              [e.event_type === 'episode.deleted'],
            ]);
            await client.query('COMMIT');
          }
        } finally {
          client.release();
        }
      }),
    );
    await pool.end();
    const model = new ProjectionModel();
    for (const e of events) model.apply(e);
    expect(await readRows(fx.pool, tenant)).toEqual(model.rows());
  });
});
