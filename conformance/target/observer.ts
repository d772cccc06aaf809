import type { JetStreamClient } from '@nats-io/jetstream';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { parseValkeyKey } from '../../lib/index.js';
import type { Observation, ObservedDlqMessage, ObservedKey } from './observation.js';

const TS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/** The stream the DLQ subject lands in (asyncapi.yaml x-streams.dlq). */
export const DLQ_STREAM = 'CONTINUUM_EPISODES_DLQ';

/** Reads everything one execution may have touched, scoped by its fresh-id token. */
export class Observer {
  constructor(
    private readonly db: pg.Pool,
    private readonly js: JetStreamClient,
    private readonly redis: Redis,
  ) {}

  async observe(token: string, tenants: string[], episodeIds: string[]): Promise<Observation> {
    const like = `${token.toLowerCase()}%`;
    const anywhere = `%${token.toLowerCase()}%`;
    const [rows, events, dlqRows] = await Promise.all([
      this.db.query(
        `SELECT tenant_id, agent_id, episode_id, event_type, content_ref, summary, tags, embedding_ref, metadata,
                last_event_id, to_char(last_event_ts AT TIME ZONE 'UTC', ${TS}) AS last_event_ts, deleted,
                to_char(updated_at AT TIME ZONE 'UTC', ${TS}) AS updated_at
           FROM arqonbus_continuum_projection WHERE lower(tenant_id) LIKE $1 OR lower(agent_id) LIKE $1
          ORDER BY tenant_id COLLATE "C", agent_id COLLATE "C", episode_id COLLATE "C"`,
        [like],
      ),
      this.db.query(
        `SELECT tenant_id, agent_id, event_id, episode_id, outcome,
                to_char(projected_at AT TIME ZONE 'UTC', ${TS}) AS projected_at
           FROM arqonbus_continuum_projection_events WHERE lower(tenant_id) LIKE $1 OR lower(agent_id) LIKE $1`,
        [like],
      ),
      this.db.query(
        `SELECT dlq_id, reason, clause_id, tenant_id, agent_id, subject, raw, event, event IS NOT NULL AS event_present
           FROM arqonbus_continuum_projection_dlq
          WHERE lower(coalesce(tenant_id, '')) LIKE $1 OR lower(coalesce(subject, '')) LIKE $2
             OR lower(coalesce(raw, '')) LIKE $2 OR lower(coalesce(event::text, '')) LIKE $2`,
        [like, anywhere],
      ),
    ]);
    const dlqMessages = await this.dlqMessages(token, tenants);
    const keys = await this.keys(token, episodeIds);
    return { rows: rows.rows, events: events.rows, dlqRows: dlqRows.rows, dlqMessages, keys };
  }

  /** Cheap counts for quiescence polling. */
  async counts(token: string): Promise<string> {
    const like = `${token.toLowerCase()}%`;
    const r = await this.db.query(
      `SELECT (SELECT count(*) FROM arqonbus_continuum_projection_events WHERE lower(tenant_id) LIKE $1) AS e,
              (SELECT count(*) FROM arqonbus_continuum_projection_dlq
                WHERE lower(coalesce(tenant_id, '')) LIKE $1 OR lower(coalesce(subject, '')) LIKE $2
                   OR lower(coalesce(raw, '')) LIKE $2 OR lower(coalesce(event::text, '')) LIKE $2) AS d,
              (SELECT coalesce(max(updated_at)::text, '') || count(*) FROM arqonbus_continuum_projection
                WHERE lower(tenant_id) LIKE $1) AS p`,
      [like, `%${token.toLowerCase()}%`],
    );
    const row = r.rows[0] as { e: string; d: string; p: string };
    return `${row.e}/${row.d}/${row.p}`;
  }

  private async dlqMessages(token: string, tenants: string[]): Promise<ObservedDlqMessage[]> {
    const out: ObservedDlqMessage[] = [];
    const filters = [
      ...tenants.map((t) => `continuum.episode.dlq.v1.${t}.*`),
      'continuum.episode.dlq.v1._invalid.*',
    ];
    for (const filter of filters) {
      for (const m of await this.readSubject(filter)) {
        if (!filter.includes('_invalid') || m.data.toLowerCase().includes(token.toLowerCase())) out.push(m);
      }
    }
    return out;
  }

  private async readSubject(filter: string): Promise<ObservedDlqMessage[]> {
    const out: ObservedDlqMessage[] = [];
    let consumer;
    try {
      consumer = await this.js.consumers.get(DLQ_STREAM, { filter_subjects: filter });
    } catch {
      return out; // no DLQ stream: nothing there, which the DLQ checks report
    }
    const info = await consumer.info(true);
    const pending = info.num_pending;
    if (pending === 0) return out;
    const batch = await consumer.fetch({ max_messages: pending, expires: 3000 });
    for await (const m of batch) {
      out.push({ subject: m.subject, data: m.string() });
      if (out.length >= pending) break;
    }
    return out;
  }

  /**
   * The whole keyspace is scanned, not only the run's prefixes: a key is the run's when its name
   * or value carries the run's token, or when it lies outside every family and carries one of
   * the run's episode or event ids and no other run's token (such as `continuum:seen:{event_id}`).
   */
  private async keys(token: string, runIds: string[]): Promise<ObservedKey[]> {
    const lowerToken = token.toLowerCase();
    const ids = runIds.map((x) => x.toLowerCase());
    const all: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      all.push(...batch);
    } while (cursor !== '0');
    const out: ObservedKey[] = [];
    for (let i = 0; i < all.length; i += 500) {
      const chunk = all.slice(i, i + 500);
      const types = (await this.redis.pipeline(chunk.map((k) => ['type', k])).exec()) ?? [];
      for (const [j, key] of chunk.entries()) {
        const type = String(types[j]?.[1] ?? 'none');
        if (type === 'none') continue;
        const value = await this.value(key, type);
        const text = `${key}\n${value ?? ''}`.toLowerCase();
        // Keys carrying another run's token belong to that run (runs share a Valkey).
        const foreign = [...text.matchAll(/ck[0-9a-f]{10}/g)].some((m) => m[0] !== lowerToken);
        const mine =
          text.includes(lowerToken) ||
          (!foreign && !parseValkeyKey(key).ok && ids.some((x) => text.includes(x)));
        if (mine) out.push({ key, type, pttl: await this.redis.pttl(key), value });
      }
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private async value(key: string, type: string): Promise<string | null> {
    if (type === 'string') return this.redis.get(key);
    if (type === 'hash') return JSON.stringify(await this.redis.hgetall(key));
    if (type === 'list') return JSON.stringify(await this.redis.lrange(key, 0, -1));
    if (type === 'set') return JSON.stringify(await this.redis.smembers(key));
    if (type === 'zset') return JSON.stringify(await this.redis.zrange(key, 0, -1));
    return null;
  }
}
