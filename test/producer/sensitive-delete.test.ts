/**
 * An episode exported while ordinary, then marked sensitive (that update is blocked), then
 * deleted: the delete leaves stripped to references, so downstream marks it deleted. An episode
 * sensitive from the start never leaves, its delete included.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEpisodeEvent, episodeSubject } from '../../harness/producer/contract.js';
import { readSubject, startNatsFixture, type NatsFixture } from './nats-fixture.js';
import { randomId, removeTempDbs, startProducer } from './producer-fixture.js';

let nats: NatsFixture;
let nc: NatsConnection;
beforeAll(async () => {
  nats = await startNatsFixture();
  nc = await connect({ servers: nats.url });
});
afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
  removeTempDbs();
});

const onStream = async (t: string, a: string): Promise<Record<string, unknown>[]> =>
  (await readSubject(nc, 'CONTINUUM_EPISODES', episodeSubject(t, a))).map((m) => {
    expect(decodeEpisodeEvent(m.data, 'producer').ok).toBe(true);
    return m.json<Record<string, unknown>>();
  });

describe('delete of an episode that became sensitive', () => {
  it('is exported as references only when the episode was exported before', async () => {
    const [t, a] = [randomId('t'), randomId('a')];
    const p = startProducer(nats.url);
    try {
      const ep = p.create({
        tenant_id: t,
        agent_id: a,
        body: 'b',
        summary: 'ordinary',
        tags: ['x'],
        metadata: { k: 'v' },
      });
      expect(await p.exporter.waitIdle(10_000)).toBe(true);
      p.update(t, a, ep.episode_id, { sensitive: true, summary: 'now secret' });
      const del = p.delete(t, a, ep.episode_id);
      expect(await p.exporter.waitIdle(10_000)).toBe(true);
      expect(p.exporter.counters).toMatchObject({ published: 2, blocked: 1 });
      const events = await onStream(t, a);
      expect(events.map((e) => e.event_type).sort()).toEqual(['episode.created', 'episode.deleted']);
      const deleted = events.find((e) => e.event_type === 'episode.deleted');
      expect(deleted).toMatchObject({ event_id: del.event_id, episode_id: ep.episode_id });
      expect(deleted?.payload).toEqual({
        content_ref: expect.any(String) as unknown,
        tags: [],
        metadata: {},
      });
      expect(JSON.stringify(events)).not.toContain('now secret');
    } finally {
      await p.stop();
    }
  });

  it('stays local, delete included, when the episode was sensitive from the start', async () => {
    const [t, a] = [randomId('t'), randomId('a')];
    const p = startProducer(nats.url);
    try {
      const ep = p.create({ tenant_id: t, agent_id: a, body: 'b', tags: [], metadata: {}, sensitive: true });
      p.delete(t, a, ep.episode_id);
      // A later ordinary episode of the same agent shows the exporter went past both.
      p.create({ tenant_id: t, agent_id: a, body: 'c', tags: [], metadata: {} });
      expect(await p.exporter.waitIdle(10_000)).toBe(true);
      expect(p.exporter.counters).toMatchObject({ published: 1, blocked: 2 });
      const events = await onStream(t, a);
      expect(events.map((e) => e.episode_id)).not.toContain(ep.episode_id);
      expect(events).toHaveLength(1);
    } finally {
      await p.stop();
    }
  });
});
