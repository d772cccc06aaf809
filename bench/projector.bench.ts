import { randomBytes } from 'node:crypto';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import * as hdr from 'hdr-histogram-js';
import { Redis } from 'ioredis';
import pg from 'pg';
import { monotonicFactory } from 'ulid';
import { brokerMsgId, CONTRACT, episodeSubject, type EpisodeEvent } from 'continuum-contract';
import { ensureProjectorTopology } from '../harness/projector/ensure-topology.js';
import { prepareEvent } from '../harness/projector/prepared-event.js';
import { Projector } from '../harness/projector/projector.js';
import { ProjectionWriter } from '../harness/projector/projection-writer.js';
import { connectNats, startServices } from '../harness/services/index.js';
import type { BenchResult } from './bench-result.js';

const BATCH = 500;
const THROUGHPUT_EVENTS = 15_000;
const ROUNDS = 3;
const EPISODES = 8_000;
const LAG_RATE = 5_000;
const LAG_SECONDS = 8;
const nextId = monotonicFactory();

function nowTs(): string {
  // Microsecond-shaped UTC instant (the clock has ms resolution; the extra digits are zero).
  return new Date().toISOString().replace('Z', '000Z');
}

function events(tenant: string, n: number, ts: () => string): EpisodeEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const episode = `01JD3ZTZ0000000000${String(i % EPISODES).padStart(8, '0')}`;
    return {
      event_id: nextId(),
      event_type: i < EPISODES ? 'episode.created' : 'episode.updated',
      tenant_id: tenant,
      agent_id: 'bench',
      episode_id: episode,
      source_ts: ts(),
      schema_version: 1,
      payload: {
        content_ref: `continuum://${tenant}/episodes/${episode}`,
        summary: `summary ${i}`,
        tags: ['bench', `n${i % 10}`],
        metadata: { i, channel: 'bench' },
      },
    };
  });
}

async function publishAll(js: JetStreamClient, list: readonly EpisodeEvent[]): Promise<void> {
  for (let i = 0; i < list.length; i += 1000) {
    await Promise.all(
      list.slice(i, i + 1000).map((e) =>
        js.publish(episodeSubject(e.tenant_id, e.agent_id), JSON.stringify(e), {
          msgID: brokerMsgId(e.tenant_id, e.agent_id, e.event_id),
        }),
      ),
    );
  }
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

/**
 * Projector throughput against PostgreSQL's own limit with the same SQL (ratio, one run), and
 * projection lag p95 at a sustained 5,000 events/s. Own nats-server, fresh database.
 */
export async function benchProjector(): Promise<BenchResult[]> {
  await using services = await startServices({
    env: {
      PATH: process.env.PATH,
      ...(process.env.DATABASE_URL !== undefined ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
      ...(process.env.VALKEY_URL !== undefined ? { VALKEY_URL: process.env.VALKEY_URL } : {}),
    },
    freshDatabase: true,
  });
  const nc = await connectNats(services.natsUrl, services.natsConnect);
  const pool = new pg.Pool({ connectionString: services.pgUrl, max: 4 });
  pool.on('error', () => undefined);
  const redis = new Redis(services.valkeyUrl);
  try {
    await ensureProjectorTopology(nc, pool);
    const js = jetstream(nc);
    const tenant = `bench${randomBytes(3).toString('hex')}`;

    // Throughput in alternating rounds, so machine load hits both sides of a ratio alike; the
    // figure is the median of the per-round ratios.
    // The limit: the projector's own batch SQL straight into PostgreSQL, no bus. End to end: the
    // same number of events from a JetStream backlog through the projector (decode, SQL, cache, ack).
    const writer = new ProjectionWriter(pool);
    const rounds: { raw: number; e2e: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const raw = events(`${tenant}r${round}`, THROUGHPUT_EVENTS, nowTs).map(prepareEvent);
      let t0 = performance.now();
      for (let i = 0; i < raw.length; i += BATCH) await writer.writeBatch(raw.slice(i, i + BATCH), []);
      const rawRate = raw.length / ((performance.now() - t0) / 1000);

      await publishAll(js, events(`${tenant}e${round}`, THROUGHPUT_EVENTS, nowTs));
      const projector = new Projector({ nc, pool, redis, batchSize: BATCH });
      t0 = performance.now();
      await projector.start();
      await until(async () => (await projector.metrics.count('projected')) >= THROUGHPUT_EVENTS);
      rounds.push({ raw: rawRate, e2e: THROUGHPUT_EVENTS / ((performance.now() - t0) / 1000) });
      await projector.stop();
    }

    // 3. Lag at a sustained rate: publish 5,000 events/s with source_ts = now, record source_ts -> commit.
    const lag = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 600_000,
      numberOfSignificantValueDigits: 3,
    });
    const live = new Projector({
      nc,
      pool,
      redis,
      batchSize: BATCH,
      onLag: (ms) => lag.recordValue(Math.max(1, ms)),
    });
    await live.start();
    const total = LAG_RATE * LAG_SECONDS;
    const tick = 10;
    const perTick = (LAG_RATE * tick) / 1000;
    const start = performance.now();
    let sent = 0;
    for (let k = 0; sent < total; k++) {
      const wait = start + k * tick - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const due = Math.min(total, Math.round(((performance.now() - start) / 1000) * LAG_RATE)) - sent;
      const list = events(`${tenant}l`, Math.max(perTick, due), nowTs).slice(0, total - sent);
      await publishAll(js, list);
      sent += list.length;
    }
    const achieved = sent / ((performance.now() - start) / 1000);
    await until(
      async () => (await live.metrics.count('projected')) + (await live.metrics.count('stale')) >= total,
    );
    await live.stop();

    const ratios = rounds.map((r) => r.e2e / r.raw).sort((x, y) => x - y);
    const ratio = ratios[Math.floor(ratios.length / 2)] ?? 0;
    const median = (f: (r: { raw: number; e2e: number }) => number) =>
      Math.round(rounds.map(f).sort((x, y) => x - y)[Math.floor(rounds.length / 2)] ?? 0);
    const p95 = lag.getValueAtPercentile(95);
    return [
      {
        name: 'projector end-to-end / PostgreSQL batched upsert (same SQL) throughput',
        value: Number(ratio.toFixed(3)),
        unit: 'ratio',
        target: '>= 0.6',
        pass: ratio >= 0.6,
        detail: {
          raw_events_per_s_median: median((r) => r.raw),
          e2e_events_per_s_median: median((r) => r.e2e),
          round_ratios: ratios.map((r) => r.toFixed(2)).join(' '),
          events: THROUGHPUT_EVENTS,
          batch: BATCH,
        },
      },
      {
        name: `projection lag p95 at ${LAG_RATE} events/s (source_ts -> commit)`,
        value: p95,
        unit: 'ms',
        target: `<= 1000 (contract ${CONTRACT.slo.projection_lag_p95_ms.max})`,
        pass: p95 <= 1000,
        detail: {
          p50_ms: lag.getValueAtPercentile(50),
          p99_ms: lag.getValueAtPercentile(99),
          max_ms: lag.maxValue,
          achieved_events_per_s: Math.round(achieved),
          samples: lag.totalCount,
        },
      },
    ];
  } finally {
    await nc.close();
    await pool.end();
    redis.disconnect();
  }
}
