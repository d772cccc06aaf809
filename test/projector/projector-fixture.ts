import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ulid } from 'ulid';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import {
  brokerMsgId,
  CONTRACT,
  episodeSubject,
  type DlqEntry,
  type EpisodeEvent,
  type ProjectionRow,
} from 'continuum-contract';
import { ensureProjectorTopology } from '../../harness/projector/ensure-topology.js';
import { canonicalTsSql } from '../../harness/projector/projection-sql.js';
import { connectNats, startServices, type Services } from '../../harness/services/index.js';

/** Own nats-server (so no other suite's streams interfere), a fresh database, shared Valkey. */
export interface ProjectorFixture extends AsyncDisposable {
  services: Services;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  pool: pg.Pool;
  redis: Redis;
  tenant: string;
  stop(): Promise<void>;
}

export async function startProjectorFixture(): Promise<ProjectorFixture> {
  const services = await startServices({
    // NATS_URL deliberately absent: a nats-server of our own on a free port.
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      VALKEY_URL: process.env.VALKEY_URL ?? 'redis://127.0.0.1:6379',
    },
    sources: ['env', 'binary'],
    freshDatabase: true,
  });
  const nc = await connectNats(services.natsUrl, services.natsConnect);
  const pool = new pg.Pool({ connectionString: services.pgUrl, max: 4 });
  // Dropping the fresh database at stop terminates idle clients: expected, not an error.
  pool.on('error', () => undefined);
  const redis = new Redis(services.valkeyUrl);
  await ensureProjectorTopology(nc, pool);
  const stop = async () => {
    await nc.close();
    await pool.end();
    redis.disconnect();
    await services.stop();
  };
  return {
    services,
    nc,
    js: jetstream(nc),
    jsm: await jetstreamManager(nc),
    pool,
    redis,
    tenant: `t${randomBytes(4).toString('hex')}`,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * Starts a fixture before the file's tests (before each test with `perTest`, so the consumer and
 * DLQ stream hold only that test's messages) and stops it after. The returned object takes the
 * running fixture's fields once the hook has run.
 */
export function useProjectorFixture(options: { perTest?: boolean } = {}): ProjectorFixture {
  const fx = {} as ProjectorFixture;
  let running: ProjectorFixture | undefined;
  (options.perTest === true ? beforeEach : beforeAll)(async () => {
    running = await startProjectorFixture();
    Object.assign(fx, running);
  });
  (options.perTest === true ? afterEach : afterAll)(async () => {
    await running?.stop();
    running = undefined;
  });
  return fx;
}

/** Every message on the DLQ stream, oldest first. */
export async function readDlq(jsm: JetStreamManager): Promise<{ subject: string; entry: DlqEntry }[]> {
  const out: { subject: string; entry: DlqEntry }[] = [];
  const info = await jsm.streams.info(CONTRACT.streams.dlq.name);
  if (info.state.messages === 0) return out;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(CONTRACT.streams.dlq.name, { seq });
    if (m !== null) out.push({ subject: m.subject, entry: m.json<DlqEntry>() });
  }
  return out;
}

/** A valid event; override what the test is about. */
export function makeEvent(
  over: Partial<EpisodeEvent> & Pick<EpisodeEvent, 'tenant_id' | 'episode_id'>,
): EpisodeEvent {
  const event_id = over.event_id ?? ulid();
  return {
    event_id,
    event_type: 'episode.updated',
    agent_id: 'a1',
    source_ts: '2026-11-24T10:00:00Z',
    schema_version: 1,
    payload: {
      content_ref: `continuum://x/${event_id}`,
      summary: `s ${event_id}`,
      tags: ['t'],
      metadata: { n: 1 },
    },
    ...over,
  };
}

/** Publishes to the event's own subject with its broker msg id (or `msgId` to force a duplicate through). */
export async function publishEvent(
  js: JetStreamClient,
  event: EpisodeEvent,
  opts: { subject?: string; msgId?: string } = {},
): Promise<void> {
  await js.publish(opts.subject ?? episodeSubject(event.tenant_id, event.agent_id), JSON.stringify(event), {
    msgID: opts.msgId ?? brokerMsgId(event.tenant_id, event.agent_id, event.event_id),
  });
}

/** The tenant's projection rows, shaped like the model's (sorted by key). */
export async function readRows(pool: pg.Pool, tenant: string): Promise<ProjectionRow[]> {
  const r = await pool.query<ProjectionRow>(
    `SELECT tenant_id, agent_id, episode_id, event_type, content_ref, summary, tags, embedding_ref, metadata,
            last_event_id, ${canonicalTsSql('last_event_ts')} AS last_event_ts, deleted
     FROM arqonbus_continuum_projection WHERE tenant_id = $1
     ORDER BY tenant_id COLLATE "C", agent_id COLLATE "C", episode_id COLLATE "C"`,
    [tenant],
  );
  return r.rows;
}

/** Polls until `check` returns true; throws with `what` after `timeoutMs`. */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
