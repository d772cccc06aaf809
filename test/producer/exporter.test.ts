import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  brokerMsgId,
  decodeEpisodeEvent,
  dlqSubject,
  episodeSubject,
  parseValkeyKey,
  validateDlqEntry,
} from '../../harness/producer/contract.js';
import { startNatsFixture, readSubject, type NatsFixture } from './nats-fixture.js';
import { randomId, startProducer, removeTempDbs } from './producer-fixture.js';

const REDIS_URL = process.env.VALKEY_URL ?? 'redis://127.0.0.1:6379';
let nats: NatsFixture;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNatsFixture();
  nc = await connect({ servers: nats.url });
});
afterAll(async () => {
  await nc.close();
  await nats.dispose();
  removeTempDbs();
});

async function published(
  t: string,
  a: string,
): Promise<{ event: Record<string, unknown>; msgId: string | undefined }[]> {
  const msgs = await readSubject(nc, 'CONTINUUM_EPISODES', episodeSubject(t, a));
  const out = msgs.map((m) => {
    const decoded = decodeEpisodeEvent(m.data, 'producer');
    expect(decoded.ok, JSON.stringify(decoded)).toBe(true);
    return { event: m.json<Record<string, unknown>>(), msgId: m.headers?.get('Nats-Msg-Id') };
  });
  // Pipelined publishes may be stored in any order; the ordering key (canonical source_ts) is what counts.
  return out.sort((x, y) => (String(x.event.source_ts) < String(y.event.source_ts) ? -1 : 1));
}

describe('exporter', () => {
  it('publishes every write once, valid in producer mode, with the contract msg id and no body', async () => {
    const [t, a] = [randomId('t'), randomId('a')];
    const p = startProducer(nats.url);
    const created = p.create({
      tenant_id: t,
      agent_id: a,
      body: 'SECRET BODY TEXT',
      summary: 's',
      tags: ['x'],
      metadata: { k: 1 },
    });
    const updated = p.update(t, a, created.episode_id, { tags: ['x', 'y'] });
    const summarized = p.summarize(t, a, created.episode_id, 'short summary');
    const deleted = p.delete(t, a, created.episode_id);
    expect(await p.exporter.waitIdle(20_000)).toBe(true);
    await p.stop();
    const got = await published(t, a);
    expect(got.map((g) => g.event.event_id)).toEqual(
      [created, updated, summarized, deleted].map((w) => w.event_id),
    );
    expect(got.map((g) => g.event.event_type)).toEqual([
      'episode.created',
      'episode.updated',
      'episode.summarized',
      'episode.deleted',
    ]);
    for (const g of got) {
      expect(g.msgId).toBe(brokerMsgId(t, a, g.event.event_id as string));
      expect(JSON.stringify(g.event)).not.toContain('SECRET BODY TEXT');
      expect(g.event.source_ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    }
    expect((got[2]!.event.payload as Record<string, unknown>).summary).toBe('short summary');
  });

  it('redacts summary and metadata, blocks sensitive episodes unless the policy allows them', async () => {
    const [t, a] = [randomId('t'), randomId('a')];
    const p = startProducer(nats.url);
    p.setPolicy(t, {
      allow_sensitive: false,
      redact_patterns: ['[a-z0-9.]+@example\\.com', '\\b\\d{4}-\\d{4}\\b'],
    });
    const plain = p.create({
      tenant_id: t,
      agent_id: a,
      body: 'b',
      summary: 'mail bob@example.com card 1234-5678',
      tags: [],
      metadata: { who: 'amy@example.com', n: 3 },
    });
    const secret = p.create({
      tenant_id: t,
      agent_id: a,
      body: 'b',
      summary: 'private',
      tags: [],
      metadata: {},
      sensitive: true,
    });
    expect(await p.exporter.waitIdle(20_000)).toBe(true);
    expect(p.status().counters.blocked).toBe(1);
    expect(p.state.decisions().filter((d) => d.tenant_id === t)).toMatchObject([
      { event_id: secret.event_id, decision: 'blocked', clause_id: 'CT-3.export-policy' },
    ]);
    p.setPolicy(t, { allow_sensitive: true, redact_patterns: [] });
    const allowed = p.update(t, a, secret.episode_id, { summary: 'private but allowed' });
    expect(await p.exporter.waitIdle(20_000)).toBe(true);
    await p.stop();
    const got = await published(t, a);
    expect(got.map((g) => g.event.event_id)).toEqual([plain.event_id, allowed.event_id]);
    const payload = got[0]!.event.payload as { summary: string; metadata: Record<string, unknown> };
    expect(payload.summary).toBe('mail [REDACTED] card [REDACTED]');
    expect(payload.metadata).toEqual({ who: '[REDACTED]', n: 3 });
  });

  it('routes an event that can never pass validation to the DLQ with a reason and clause', async () => {
    const [t, a] = [randomId('t'), randomId('a')];
    const p = startProducer(nats.url);
    const bad = p.create({
      tenant_id: t,
      agent_id: a,
      body: 'b',
      summary: 'x'.repeat(300),
      tags: [],
      metadata: {},
    });
    const good = p.create({ tenant_id: t, agent_id: a, body: 'b', tags: [], metadata: { nested_ok: 'yes' } });
    expect(await p.exporter.waitIdle(20_000)).toBe(true);
    await p.stop();
    expect((await published(t, a)).map((g) => g.event.event_id)).toEqual([good.event_id]);
    const dlq = await readSubject(nc, 'CONTINUUM_EPISODES_DLQ', dlqSubject(t, a));
    expect(dlq).toHaveLength(1);
    const entry = dlq[0]!.json<Record<string, unknown>>();
    expect(validateDlqEntry(entry).ok).toBe(true);
    expect(entry).toMatchObject({
      stage: 'producer',
      event_id: bad.event_id,
      tenant_id: t,
      agent_id: a,
      subject: episodeSubject(t, a),
    });
    expect(entry.clause_id).toMatch(/^CT-3\./);
    expect(String(entry.reason)).toContain('/payload/summary');
  });

  it('writes only presence (TTL <= 300) and rate-limit (with EXPIRE) keys in Valkey', async () => {
    const [t, a] = [randomId('t'), randomId('a')];
    const p = startProducer(nats.url, { valkeyUrl: REDIS_URL });
    for (let i = 0; i < 5; i++)
      p.create({ tenant_id: t, agent_id: a, body: `secret body ${i}`, tags: [], metadata: {} });
    expect(await p.exporter.waitIdle(20_000)).toBe(true);
    await p.stop(); // flushes the counters
    const redis = new Redis(REDIS_URL);
    try {
      const keys = (await redis.keys(`*${t}*`)).sort();
      expect(keys).toEqual([
        `tenant:${t}:agent:${a}:presence:producer`,
        `tenant:${t}:agent:${a}:rate_limit:publish`,
      ]);
      for (const key of keys) {
        expect(parseValkeyKey(key)).toMatchObject({ ok: true, tenantId: t });
        const ttl = await redis.ttl(key);
        expect(ttl).toBeGreaterThan(0);
        if (key.includes(':presence:')) expect(ttl).toBeLessThanOrEqual(300);
        expect(await redis.get(key)).not.toContain('secret body');
      }
      expect(await redis.get(`tenant:${t}:agent:${a}:rate_limit:publish`)).toBe('5');
    } finally {
      await redis.quit();
    }
  });

  it('dead-letters an event the stream itself refuses for size (headers count), instead of retrying for ever', async () => {
    const own = await startNatsFixture();
    const ownNc = await connect({ servers: own.url });
    try {
      const jsm = await jetstreamManager(ownNc);
      const info = await jsm.streams.info('CONTINUUM_EPISODES');
      await jsm.streams.update('CONTINUUM_EPISODES', { ...info.config, max_msg_size: 1024 });
      const [t, a] = [randomId('t'), randomId('a')];
      const p = startProducer(own.url);
      const big = p.create({
        tenant_id: t,
        agent_id: a,
        body: 'b',
        summary: 'y'.repeat(280),
        tags: [],
        metadata: { long: 'z'.repeat(256), more: 'w'.repeat(256) },
      });
      const small = p.create({ tenant_id: t, agent_id: a, body: 'b', tags: [], metadata: {} });
      expect(await p.exporter.waitIdle(20_000)).toBe(true);
      expect(p.status().counters).toMatchObject({ published: 1, dlq: 1 });
      await p.stop();
      const stored = await readSubject(ownNc, 'CONTINUUM_EPISODES', episodeSubject(t, a));
      expect(stored.map((m) => m.json<{ event_id: string }>().event_id)).toEqual([small.event_id]);
      const dlq = await readSubject(ownNc, 'CONTINUUM_EPISODES_DLQ', dlqSubject(t, a));
      expect(dlq.map((m) => m.json<Record<string, unknown>>())).toMatchObject([
        { event_id: big.event_id, clause_id: 'CT-3.size', stage: 'producer' },
      ]);
    } finally {
      await ownNc.close();
      await own.dispose();
    }
  });
});
