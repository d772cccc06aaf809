import { connect, type NatsConnection } from '@nats-io/transport-node';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerMsgId, episodeSubject } from '../../harness/producer/contract.js';
import { readSubject, startNatsFixture, type NatsFixture } from './nats-fixture.js';
import { randomId, startProducer, tempDbPath, removeTempDbs } from './producer-fixture.js';

let nats: NatsFixture;

beforeAll(async () => {
  nats = await startNatsFixture();
});
afterAll(async () => {
  await nats.dispose();
  removeTempDbs();
});

async function storedIds(t: string, a: string): Promise<string[]> {
  const nc: NatsConnection = await connect({ servers: nats.url });
  try {
    const msgs = await readSubject(nc, 'CONTINUUM_EPISODES', episodeSubject(t, a));
    for (const m of msgs)
      expect(m.headers?.get('Nats-Msg-Id')).toBe(brokerMsgId(t, a, m.json<{ event_id: string }>().event_id));
    // Pipelined publishes may land out of order (the ordering key, not arrival, decides): compare as sorted lists.
    return msgs.map((m) => m.json<{ event_id: string }>().event_id).sort();
  } finally {
    await nc.close();
  }
}

describe('bus outages and restarts', () => {
  it('keeps writing locally while nats-server is down, then exports everything exactly once', async () => {
    const [t, a] = [randomId('t'), randomId('a')];
    const p = startProducer(nats.url);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(p.create({ tenant_id: t, agent_id: a, body: 'b', tags: [], metadata: { i } }).event_id);
    expect(await p.exporter.waitIdle(20_000)).toBe(true);

    await nats.stop();
    while (p.status().bus === 'connected') await new Promise((r) => setTimeout(r, 10));
    let episode = '';
    for (let i = 0; i < 50; i++) {
      const w =
        i % 2 === 0 || !episode
          ? p.create({ tenant_id: t, agent_id: a, body: 'b', tags: [], metadata: { i } })
          : p.update(t, a, episode, { metadata: { i } });
      episode = w.episode_id;
      ids.push(w.event_id);
    }
    expect(p.status().pending).toBe(50);
    expect(p.status().local_write.bus_down.count).toBeGreaterThan(0);

    await nats.start();
    expect(await p.exporter.waitIdle(30_000)).toBe(true);
    await p.stop();
    expect(await storedIds(t, a)).toEqual([...ids].sort());
  });

  it('loses nothing and duplicates nothing when the exporter stops mid-stream and a new one resumes', async () => {
    const [t, a] = [randomId('t'), randomId('a')];
    const dbPath = tempDbPath();
    const first = startProducer(nats.url, { dbPath, maxInFlight: 64 });
    const ids: string[] = [];
    for (let i = 0; i < 3000; i++)
      ids.push(first.create({ tenant_id: t, agent_id: a, body: 'b', tags: [], metadata: { i } }).event_id);
    while (first.exporter.cursor === 0) await new Promise((r) => setTimeout(r, 5));
    await first.stop(0); // abandon in-flight publishes: their cursor never moved
    const cursorAtStop = first.exporter.cursor;
    expect(cursorAtStop).toBeGreaterThan(0);

    const second = startProducer(nats.url, { dbPath });
    expect(second.exporter.cursor).toBe(cursorAtStop);
    expect(second.exporter.cursor).toBeLessThan(second.store.maxSeq());
    expect(await second.exporter.waitIdle(60_000)).toBe(true);
    await second.stop();
    expect(await storedIds(t, a)).toEqual([...ids].sort());
  });

  it('republishes with the same msg ids after a crash between ack and cursor commit; JetStream drops them', async () => {
    const [t, a] = [randomId('t'), randomId('a')];
    const dbPath = tempDbPath();
    const first = startProducer(nats.url, { dbPath });
    const ids: string[] = [];
    for (let i = 0; i < 200; i++)
      ids.push(first.create({ tenant_id: t, agent_id: a, body: 'b', tags: [], metadata: { i } }).event_id);
    expect(await first.exporter.waitIdle(20_000)).toBe(true);
    await first.stop();
    // The crash: every publish was acked but the cursor write was lost.
    const db = new Database(dbPath);
    db.prepare("UPDATE export_cursor SET seq = 0 WHERE name = 'exporter'").run();
    db.close();

    const second = startProducer(nats.url, { dbPath });
    expect(await second.exporter.waitIdle(20_000)).toBe(true);
    expect(second.exporter.counters).toMatchObject({ published: 0, duplicates: 200 });
    await second.stop();
    expect(await storedIds(t, a)).toEqual([...ids].sort());
  });

  it('stops while the bus is down without losing what was pending; the next run exports it', async () => {
    const [t, a] = [randomId('t'), randomId('a')];
    const dbPath = tempDbPath();
    const first = startProducer(nats.url, { dbPath });
    const ids = [first.create({ tenant_id: t, agent_id: a, body: 'b', tags: [], metadata: {} }).event_id];
    expect(await first.exporter.waitIdle(20_000)).toBe(true);
    const cursor = first.exporter.cursor;
    await nats.stop();
    while (first.status().bus === 'connected') await new Promise((r) => setTimeout(r, 10));
    for (let i = 0; i < 20; i++)
      ids.push(first.create({ tenant_id: t, agent_id: a, body: 'b', tags: [], metadata: { i } }).event_id);
    await first.stop();
    expect(first.exporter.cursor).toBe(cursor);

    await nats.start();
    const second = startProducer(nats.url, { dbPath });
    expect(await second.exporter.waitIdle(30_000)).toBe(true);
    await second.stop();
    expect(await storedIds(t, a)).toEqual([...ids].sort());
  });
});
