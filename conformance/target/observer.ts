import type { JetStreamClient } from '@nats-io/jetstream';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { TENANTS } from '../streams/bind-schedule.js';
import { Coalescer } from './coalescer.js';
import { DlqStreamReader, tokensIn } from './dlq-stream-reader.js';
import type { Observation, ObservedDlqRow, ObservedEventRecord, ObservedRow } from './observation.js';
import { ValkeyScanner } from './valkey-scanner.js';
import { PROJECTION_TABLES } from 'continuum-contract';

const TS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/** Records written under an unexpected id are looked for from this long before the earliest run began. */
const CLOCK_MARGIN_MS = 1000;

interface Request {
  token: string;
  episodeIds: string[];
}

interface Run {
  tenantIds: string[];
  startedAt: number;
}

/** The tenant ids a run may own, both as bound and upper-cased (near-miss case variants). */
function tenantIdsOf(token: string, tenants: string[]): string[] {
  const ids = new Set([...tenants, ...TENANTS.map((_, i) => `${token}-t${i}`)]);
  return [...ids].flatMap((t) => [t, t.toUpperCase()]);
}

function ownerTokens(...texts: (string | null | undefined)[]): string[] {
  return tokensIn(texts.map((t) => t ?? '').join(' '));
}

function fileBy<T extends { tenant_id: string | null; agent_id: string | null }>(
  records: T[],
  into: Map<string, T[]>,
): void {
  for (const r of records)
    for (const token of new Set(ownerTokens(r.tenant_id, r.agent_id))) into.get(token)?.push(r);
}

/**
 * Reads back what executions touched. Concurrent `observe` calls are answered together: one query
 * per table for every run in the batch, by the tables' primary-key prefix (tenant_id), one read
 * of what the DLQ stream gained, and one pass over the Valkey keyspace.
 */
export class Observer {
  private readonly batches: Coalescer<Request, Observation>;
  private readonly dlq: DlqStreamReader;
  private readonly valkey: ValkeyScanner;
  private readonly runs = new Map<string, Run>();
  /** The database clock minus ours, so time windows are in the clock that stamps the records. */
  private clockOffset: Promise<number> | undefined;

  constructor(
    private readonly db: pg.Pool,
    js: JetStreamClient,
    redis: Redis,
  ) {
    this.dlq = new DlqStreamReader(js);
    this.valkey = new ValkeyScanner(redis);
    this.batches = new Coalescer((requests) => this.observeMany(requests));
  }

  /** Registers a run before it publishes (fixes where the DLQ stream is read from). */
  async begin(token: string, tenants: string[]): Promise<void> {
    const tenantIds = tenantIdsOf(token, tenants);
    this.clockOffset ??= this.db
      .query<{ now: Date }>('SELECT now() AS now')
      .then((r) => (r.rows[0]?.now.getTime() ?? Date.now()) - Date.now());
    this.runs.set(token, { tenantIds, startedAt: Date.now() + (await this.clockOffset) });
    await this.dlq.begin(token, tenantIds);
  }

  /** Releases what was kept for a finished run. */
  end(token: string): void {
    this.dlq.end(token, this.runs.get(token)?.tenantIds ?? []);
    this.runs.delete(token);
  }

  /** `runIds`: the run's episode and event ids (keys outside every family are matched on them). */
  async observe(token: string, tenants: string[], runIds: string[]): Promise<Observation> {
    if (!this.runs.has(token)) await this.begin(token, tenants);
    return this.batches.request({ token, episodeIds: runIds });
  }

  private async observeMany(requests: Request[]): Promise<Observation[]> {
    const tokens = [...new Set(requests.map((r) => r.token))];
    const runs = tokens.map(
      (t) => this.runs.get(t) ?? { tenantIds: tenantIdsOf(t, []), startedAt: Date.now() },
    );
    const tenantIds = runs.flatMap((r) => r.tenantIds);
    const since = new Date(Math.min(...runs.map((r) => r.startedAt)) - CLOCK_MARGIN_MS).toISOString();
    const [rows, events, dlqRows] = await Promise.all([
      this.db.query<ObservedRow>(
        `SELECT tenant_id, agent_id, episode_id, event_type, content_ref, summary, tags, embedding_ref, metadata,
                last_event_id, to_char(last_event_ts AT TIME ZONE 'UTC', ${TS}) AS last_event_ts, deleted,
                to_char(updated_at AT TIME ZONE 'UTC', ${TS}) AS updated_at
           FROM ${PROJECTION_TABLES.projection}
          WHERE tenant_id = ANY($1) OR (updated_at >= $2 AND NOT tenant_id = ANY($1))
          ORDER BY tenant_id COLLATE "C", agent_id COLLATE "C", episode_id COLLATE "C"`,
        [tenantIds, since],
      ),
      this.db.query<ObservedEventRecord>(
        `SELECT tenant_id, agent_id, event_id, episode_id, outcome,
                to_char(projected_at AT TIME ZONE 'UTC', ${TS}) AS projected_at
           FROM ${PROJECTION_TABLES.events}
          WHERE tenant_id = ANY($1) OR (projected_at >= $2 AND NOT tenant_id = ANY($1))`,
        [tenantIds, since],
      ),
      this.db.query<ObservedDlqRow & { event_text: string | null }>(
        `SELECT dlq_id, reason, clause_id, tenant_id, agent_id, subject, raw, event, event IS NOT NULL AS event_present,
                event::text AS event_text
           FROM ${PROJECTION_TABLES.dlq}
          WHERE tenant_id = ANY($1) OR ((tenant_id IS NULL OR NOT tenant_id = ANY($1)) AND queued_at >= $2)`,
        [tenantIds, since],
      ),
      this.dlq.catchUp(),
    ]);
    const idsByToken = new Map<string, string[]>(tokens.map((t) => [t, []]));
    for (const r of requests) idsByToken.get(r.token)?.push(...r.episodeIds);
    const keys = await this.valkey.keysOf(idsByToken);
    const empty = (): Map<string, never[]> => new Map(tokens.map((t) => [t, []]));
    const rowsBy: Map<string, ObservedRow[]> = empty();
    const eventsBy: Map<string, ObservedEventRecord[]> = empty();
    const dlqBy: Map<string, ObservedDlqRow[]> = empty();
    fileBy(rows.rows, rowsBy);
    fileBy(events.rows, eventsBy);
    for (const { event_text, ...row } of dlqRows.rows) {
      for (const token of new Set(ownerTokens(row.tenant_id, row.subject, row.raw, event_text))) {
        dlqBy.get(token)?.push(row);
      }
    }
    return requests.map((r) => ({
      rows: rowsBy.get(r.token) ?? [],
      events: eventsBy.get(r.token) ?? [],
      dlqRows: dlqBy.get(r.token) ?? [],
      dlqMessages: this.dlq.messagesOf(r.token),
      keys: keys.get(r.token) ?? [],
    }));
  }
}
