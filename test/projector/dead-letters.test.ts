import { describe, expect, it } from 'vitest';
import { CONTRACT, dlqSubject, episodeSubject, validateDlqEntry } from 'continuum-contract';
import { Projector } from '../../harness/projector/projector.js';
import {
  makeEvent,
  publishEvent,
  readDlq,
  readRows,
  useProjectorFixture,
  waitUntil,
} from './projector-fixture.js';

const fx = useProjectorFixture();

const EP = '01JD3ZTZ0000000000000000C1';

describe('invalid and unprojectable events', () => {
  it('go to the DLQ subject and table with reason and clause; consumption continues', async () => {
    const t = fx.tenant;
    const subject = episodeSubject(t, 'a1');
    const wrongTenant = makeEvent({ tenant_id: `${t}x`, episode_id: EP });
    const noContentRef = {
      ...makeEvent({ tenant_id: t, episode_id: EP }),
      payload: { tags: [], metadata: {} },
    };
    const nul = makeEvent({
      tenant_id: t,
      episode_id: EP,
      payload: { content_ref: 'c:x', tags: [], metadata: { k: 'a\u0000b' } },
    });
    const good = makeEvent({ tenant_id: t, episode_id: EP });

    await fx.js.publish(subject, new Uint8Array([0xff, 0xfe, 0x7b])); // not UTF-8
    await fx.js.publish(subject, JSON.stringify(noContentRef)); // schema-invalid
    await publishEvent(fx.js, wrongTenant, { subject }); // envelope tenant != subject tenant
    await publishEvent(fx.js, makeEvent({ tenant_id: t, episode_id: EP }), {
      subject: 'continuum.episode.v1.BAD.a1',
    }); // malformed subject
    await publishEvent(fx.js, nul); // valid, but PostgreSQL cannot store U+0000
    await publishEvent(fx.js, good);

    const p = new Projector({ nc: fx.nc, pool: fx.pool, redis: fx.redis, batchSize: 4 });
    await p.start();
    await waitUntil(
      async () => (await p.metrics.count('dlq')) + (await p.metrics.count('projected')) >= 6,
      'six messages',
    );
    await p.stop();

    expect(await p.metrics.count('dlq')).toBe(5);
    expect(await p.metrics.count('projected')).toBe(1);
    expect(await readRows(fx.pool, t)).toMatchObject([{ last_event_id: good.event_id }]);
    expect(await readRows(fx.pool, `${t}x`)).toEqual([]);

    const table = await fx.pool.query<{
      clause_id: string;
      tenant_id: string;
      agent_id: string;
      raw: string | null;
      event: unknown;
    }>(
      'SELECT clause_id, tenant_id, agent_id, raw, event FROM arqonbus_continuum_projection_dlq ORDER BY dlq_id',
    );
    expect(table.rows.map((r) => r.clause_id).sort()).toEqual(
      ['CT-3.json', 'CT-3.payload.content_ref', 'CT-3.topic', 'CT-4.dlq', 'CT-4.subject-match'].sort(),
    );
    expect(table.rows.find((r) => r.clause_id === 'CT-3.json')).toMatchObject({ event: null });
    expect(table.rows.find((r) => r.clause_id === 'CT-3.json')?.raw).toBeTypeOf('string');
    expect(table.rows.find((r) => r.clause_id === 'CT-3.topic')).toMatchObject({
      tenant_id: '_invalid',
      agent_id: '_invalid',
    });

    const messages = await readDlq(fx.jsm);
    expect(messages).toHaveLength(5);
    for (const m of messages) {
      expect(validateDlqEntry(m.entry), JSON.stringify(m.entry)).toMatchObject({ ok: true });
      expect(m.subject).toBe(dlqSubject(m.entry.tenant_id, m.entry.agent_id));
      expect(m.entry.stage).toBe('projector');
    }
    const bySubjectMatch = messages.find((m) => m.entry.clause_id === 'CT-4.subject-match');
    expect(bySubjectMatch?.subject).toBe(dlqSubject(t, 'a1'));
    expect(bySubjectMatch?.entry.event_id).toBe(wrongTenant.event_id);

    const info = await fx.jsm.consumers.info(CONTRACT.streams.episodes.name, CONTRACT.consumer.durable_name);
    expect(info.num_pending).toBe(0);
    expect(info.num_ack_pending).toBe(0);
  });
});
