import { describe, expect, it } from 'vitest';
import { ProjectionModel, type EpisodeEvent } from 'continuum-contract';
import { Projector } from '../../harness/projector/projector.js';
import { makeEvent, publishEvent, readRows, useProjectorFixture, waitUntil } from './projector-fixture.js';

const fx = useProjectorFixture();

describe('PostgreSQL connections killed while projecting', () => {
  it('retries without acking or dead-lettering, and ends in the model rows', async () => {
    const tenant = `${fx.tenant}i`;
    const events: EpisodeEvent[] = Array.from({ length: 12_000 }, (_, i) =>
      makeEvent({
        tenant_id: tenant,
        episode_id: `01JD3ZTZ00000000000000${String(i % 500).padStart(4, '0')}`,
        source_ts: `2026-11-24T10:${String(Math.floor(((i * 31) % 3600) / 60)).padStart(2, '0')}:${String((i * 31) % 60).padStart(2, '0')}Z`,
      }),
    );
    await Promise.all(events.map((e) => publishEvent(fx.js, e)));
    const p = new Projector({ nc: fx.nc, pool: fx.pool, redis: fx.redis, batchSize: 100 });
    const infraErrors = async () =>
      (await p.metrics.errors.get()).values.find((v) => v.labels.kind === 'infra')?.value ?? 0;
    const consumed = async () => (await p.metrics.count('projected')) + (await p.metrics.count('stale'));
    await p.start();
    // Kill the sessions until at least one in-flight batch has failed (or everything is through).
    while ((await infraErrors()) === 0 && (await consumed()) < events.length) {
      await fx.services.killPostgresConnections();
      await new Promise((r) => setTimeout(r, 20));
    }
    await waitUntil(
      async () => {
        const n = await fx.pool.query<{ n: string }>(
          'SELECT count(*) AS n FROM arqonbus_continuum_projection_events WHERE tenant_id = $1',
          [tenant],
        );
        return Number(n.rows[0]?.n) === events.length;
      },
      'every event recorded',
      60_000,
    );
    await p.stop();

    expect(await infraErrors()).toBeGreaterThan(0);
    expect(await p.metrics.count('dlq')).toBe(0);
    const model = new ProjectionModel();
    for (const e of events) model.apply(e);
    expect(await readRows(fx.pool, tenant)).toEqual(model.rows());
  });
});
