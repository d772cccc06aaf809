import { describe, expect, it } from 'vitest';
import { CONTRACT, episodeSubject, validateDlqEntry } from 'continuum-contract';
import { Projector } from '../../harness/projector/projector.js';
import {
  makeEvent,
  publishEvent,
  readDlq,
  readRows,
  useProjectorFixture,
  waitUntil,
} from './projector-fixture.js';

const fx = useProjectorFixture({ perTest: true });

const nested = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

/** A valid event of `tenant` with an unknown field spliced in as raw JSON text. */
function withUnknownField(tenant: string, episodeId: string, fieldJson: string): string {
  const json = JSON.stringify(makeEvent({ tenant_id: tenant, episode_id: episodeId }));
  return `${json.slice(0, -1)},"ck_unknown":${fieldJson}}`;
}

/** Twenty valid events of another tenant, each on its own episode, published after the poison. */
async function publishOthers(tenant: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) {
    const episode = `01JD3ZTZ00000000000000${String(i).padStart(4, '0')}`;
    const event = makeEvent({ tenant_id: tenant, episode_id: episode });
    ids.push(event.event_id);
    await publishEvent(fx.js, event);
  }
  return ids.sort();
}

describe('poison messages (CT-4.poison)', () => {
  it('a 10,000-deep message and a deep unknown field are dead-lettered; later events of another tenant are projected', async () => {
    const poisoned = fx.tenant;
    const other = `${fx.tenant}o`;
    const subject = episodeSubject(poisoned, 'a1');
    const deepBody = nested(10_000);
    const deepUnknown = withUnknownField(poisoned, '01JD3ZTZ0000000000000000D1', nested(5_000));
    expect(Buffer.byteLength(deepBody)).toBeLessThanOrEqual(CONTRACT.limits.max_message_bytes);
    expect(Buffer.byteLength(deepUnknown)).toBeLessThanOrEqual(CONTRACT.limits.max_message_bytes);
    await fx.js.publish(subject, deepBody);
    await fx.js.publish(subject, deepUnknown);
    const expected = await publishOthers(other);

    const p = new Projector({ nc: fx.nc, pool: fx.pool, redis: fx.redis, batchSize: 8 });
    await p.start();
    try {
      await waitUntil(
        async () => (await readRows(fx.pool, other)).length === 20 && (await p.metrics.count('dlq')) === 2,
        "the other tenant's 20 rows and 2 dead letters",
      );
    } finally {
      await p.stop();
    }
    expect((await readRows(fx.pool, other)).map((r) => r.last_event_id).sort()).toEqual(expected);
    expect(await readRows(fx.pool, poisoned)).toEqual([]);

    const table = await fx.pool.query<{ clause_id: string; tenant_id: string; raw: string; event: unknown }>(
      'SELECT clause_id, tenant_id, raw, event FROM arqonbus_continuum_projection_dlq ORDER BY dlq_id',
    );
    expect(table.rows.map((r) => [r.clause_id, r.tenant_id, r.event])).toEqual([
      ['CT-3.size', poisoned, null],
      ['CT-3.size', poisoned, null],
    ]);
    expect(table.rows.map((r) => r.raw).sort()).toEqual([deepBody, deepUnknown].sort());
    const entries = (await readDlq(fx.jsm)).map((m) => m.entry);
    expect(entries.map((e) => e.clause_id)).toEqual(['CT-3.size', 'CT-3.size']);
    for (const e of entries) expect(validateDlqEntry(e)).toMatchObject({ ok: true });
  });

  it('ignores unknown fields holding U+0000 or lone surrogates: projected, and not stored', async () => {
    const t = fx.tenant;
    const event = makeEvent({ tenant_id: t, episode_id: '01JD3ZTZ0000000000000000N1' });
    const body = `${JSON.stringify(event).slice(0, -1)},"ck_nul":"a\\u0000b","ck_lone":"\\ud800"}`;
    await fx.js.publish(episodeSubject(t, 'a1'), body);

    const p = new Projector({ nc: fx.nc, pool: fx.pool, redis: fx.redis });
    await p.start();
    try {
      await waitUntil(async () => (await readRows(fx.pool, t)).length === 1, 'the row');
    } finally {
      await p.stop();
    }
    expect(await p.metrics.count('dlq')).toBe(0);
    const stored = await fx.pool.query<{ event: Record<string, unknown> }>(
      'SELECT event FROM arqonbus_continuum_projection_events WHERE tenant_id = $1',
      [t],
    );
    expect(stored.rows.map((r) => r.event)).toEqual([event]);
  });

  it('a message PostgreSQL keeps refusing with services up is dead-lettered alone; the rest of its batch is projected', async () => {
    const t = fx.tenant;
    const poison = makeEvent({ tenant_id: t, episode_id: '01JD3ZTZ0000000000000000P1' });
    // 54001 (stack depth limit exceeded) is what PostgreSQL's recursive parsers raise on deep
    // input: neither a data exception (class 22) nor recognisably the infrastructure's.
    await fx.pool.query(`
      CREATE FUNCTION ck_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.event_id = '${poison.event_id}' THEN
          RAISE EXCEPTION 'refused by test trigger' USING ERRCODE = '54001';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER ck_refuse BEFORE INSERT ON arqonbus_continuum_projection_events
        FOR EACH ROW EXECUTE FUNCTION ck_refuse();`);
    await publishEvent(fx.js, poison);
    const expected = await publishOthers(`${t}o`);

    const p = new Projector({ nc: fx.nc, pool: fx.pool, redis: fx.redis, batchSize: 32 });
    await p.start();
    try {
      await waitUntil(
        async () => (await readRows(fx.pool, `${t}o`)).length === 20 && (await p.metrics.count('dlq')) === 1,
        'the 20 other rows and the dead letter',
      );
    } finally {
      await p.stop();
    }
    expect((await readRows(fx.pool, `${t}o`)).map((r) => r.last_event_id).sort()).toEqual(expected);
    const [entry, ...more] = (await readDlq(fx.jsm)).map((m) => m.entry);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ clause_id: 'CT-4.poison', tenant_id: t, event_id: poison.event_id });
    expect(entry?.reason).toMatch(/refused by test trigger/);
  });

  it('a dead letter the DLQ stream refuses goes out without raw; consumption continues', async () => {
    const t = fx.tenant;
    await fx.jsm.streams.update(CONTRACT.streams.dlq.name, { max_msg_size: 2048 });
    const big = `not json ${'x'.repeat(4000)}`;
    await fx.js.publish(episodeSubject(t, 'a1'), big);
    const expected = await publishOthers(`${t}o`);

    const p = new Projector({ nc: fx.nc, pool: fx.pool, redis: fx.redis, batchSize: 32 });
    await p.start();
    try {
      await waitUntil(
        async () =>
          (await readRows(fx.pool, `${t}o`)).length === 20 &&
          (await readDlq(fx.jsm)).map((m) => m.entry).length === 1,
        'the 20 other rows and the dead letter on the bus',
      );
    } finally {
      await p.stop();
    }
    expect((await readRows(fx.pool, `${t}o`)).map((r) => r.last_event_id).sort()).toEqual(expected);
    const [entry] = (await readDlq(fx.jsm)).map((m) => m.entry);
    expect(entry).toMatchObject({ clause_id: 'CT-3.json', raw: '', tenant_id: t });
    expect(entry?.reason).toMatch(/raw refused by the bus/);
    const row = await fx.pool.query<{ raw: string }>('SELECT raw FROM arqonbus_continuum_projection_dlq');
    expect(row.rows.map((r) => r.raw)).toEqual([big]);
  });
});
