import type pg from 'pg';
import type { DlqEntry } from 'continuum-contract';
import { planBatch, type RowState } from './batch-plan.js';
import type { PreparedEvent } from './prepared-event.js';
import {
  INSERT_DLQ,
  INSERT_EVENTS,
  LOCK_KEYS,
  MARK_STALE,
  READ_ROWS,
  UNLOCK_KEYS,
  UPSERT_ROWS,
} from './projection-sql.js';

/** A dead letter on its way to the DLQ table and subject. */
export interface DlqRecord {
  entry: DlqEntry;
  /** The message as JSON text when it parsed and PostgreSQL can store it; otherwise null. */
  eventJson: string | null;
}

/** A row as the upsert left it, for the cache. */
export interface WrittenRow {
  tenant_id: string;
  agent_id: string;
  episode_id: string;
  content_ref: string;
  summary: string | null;
  tags: string[];
  embedding_ref: string | null;
  last_event_id: string;
  last_event_ts: string;
  deleted: boolean;
}

export type EventOutcome = 'applied' | 'stale' | 'duplicate';

/** What a committed batch did. */
export interface WriteResult {
  /** One per prepared event, in input order. */
  outcomes: EventOutcome[];
  /** Rows inserted or changed by the batch. */
  rows: WrittenRow[];
  /** Wall-clock time of the commit (ms since epoch). */
  committedAt: number;
  /** Settles when the post-commit work (afterCommit) is done and the episode locks are released. */
  released: Promise<void>;
}

const guardedPools = new WeakSet<pg.Pool>();
const guardedClients = new WeakSet<pg.PoolClient>();

/**
 * pg-pool drops its error listener when it hands a client over, and `pool.connect()` resolves
 * only in a later microtask. A killed session's FATAL can arrive in the same socket read as the
 * previous query's reply: with no listener it would crash the process. The failure still shows:
 * the client is no longer queryable, so the batch's next query rejects.
 */
function listenForErrorsWhileAcquiring(client: pg.PoolClient): void {
  if (guardedClients.has(client)) return;
  guardedClients.add(client);
  client.on('error', () => undefined);
}

/**
 * Writes one batch in one transaction: dedup, guarded upsert and DLQ rows. Resolves at commit;
 * `afterCommit` (the cache write) then runs while the batch's episode locks are still held, so
 * that concurrent writers write the cache in commit order; `released` tells when that is done.
 */
export class ProjectionWriter {
  constructor(private readonly pool: pg.Pool) {
    // Once per pool: projectors and benches build many writers on one pool.
    if (!guardedPools.has(pool)) {
      guardedPools.add(pool);
      pool.on('acquire', listenForErrorsWhileAcquiring);
    }
  }

  async writeBatch(
    prepared: readonly PreparedEvent[],
    dlq: readonly DlqRecord[],
    afterCommit?: (result: Omit<WriteResult, 'released'>) => Promise<void>,
  ): Promise<WriteResult> {
    const outcomes: EventOutcome[] = prepared.map(() => 'duplicate');
    const firstIdx = new Map<string, number>();
    prepared.forEach((p, i) => {
      const k = `${p.event.tenant_id}/${p.event.agent_id}/${p.event.event_id}`;
      if (!firstIdx.has(k)) firstIdx.set(k, i);
    });
    const unique = [...firstIdx.values()].map((i) => prepared[i] as PreparedEvent);
    const keys = [...new Set(unique.map((p) => p.rowKey))];

    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client whose session dies emits 'error' with no pool listener attached:
    // record it (the pending query rejects too) instead of crashing the process.
    const onError = (err: Error) => (broken = err);
    client.on('error', onError);
    let locked = false;
    const release = async () => {
      if (locked) await client.query(UNLOCK_KEYS, [keys]).catch((e: unknown) => (broken = e as Error));
      client.off('error', onError);
      // A client that failed may still hold locks or be dead: destroy it rather than pool it.
      client.release(broken);
    };
    let result: Omit<WriteResult, 'released'>;
    try {
      if (keys.length > 0) {
        await client.query(LOCK_KEYS, [keys]);
        locked = true;
      }
      await client.query('BEGIN');
      try {
        const rows = await this.#project(client, unique, outcomes, firstIdx);
        if (dlq.length > 0) await client.query(INSERT_DLQ, dlqColumns(dlq));
        await client.query('COMMIT');
        result = { outcomes, rows, committedAt: Date.now() };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    } catch (err) {
      broken = err instanceof Error ? err : new Error(String(err));
      await release();
      throw err;
    }
    // Committed. The tail (cache write, then unlock) runs on while the caller acks and starts
    // the next batch; a batch touching the same episodes waits for the unlock, so cache writes
    // still happen in commit order.
    const committed = result;
    const released = (async () => {
      try {
        if (afterCommit !== undefined) await afterCommit(committed);
      } finally {
        await release();
      }
    })().catch(() => undefined);
    return { ...committed, released };
  }

  async #project(
    client: pg.PoolClient,
    unique: readonly PreparedEvent[],
    outcomes: EventOutcome[],
    firstIdx: ReadonlyMap<string, number>,
  ): Promise<WrittenRow[]> {
    if (unique.length === 0) return [];
    const col = <T>(f: (p: PreparedEvent) => T): T[] => unique.map(f);
    const cur = await client.query<
      { tenant_id: string; agent_id: string; episode_id: string } & RowState & {
          last_event_id: string;
          last_event_ts: string;
        }
    >(READ_ROWS, [
      col((p) => p.event.tenant_id),
      col((p) => p.event.agent_id),
      col((p) => p.event.episode_id),
    ]);
    const current = new Map<string, RowState>();
    for (const r of cur.rows) {
      current.set(`${r.tenant_id}/${r.agent_id}/${r.episode_id}`, {
        ts: r.last_event_ts,
        id: r.last_event_id,
        deleted: r.deleted,
      });
    }
    const ins = await client.query<{ tenant_id: string; agent_id: string; event_id: string }>(INSERT_EVENTS, [
      col((p) => p.event.tenant_id),
      col((p) => p.event.agent_id),
      col((p) => p.event.event_id),
      col((p) => p.event.episode_id),
      col((p) => p.event.event_type),
      col((p) => p.ts),
      col((p) => p.json),
      col(() => 'applied'),
    ]);
    const inserted = new Set(ins.rows.map((r) => `${r.tenant_id}/${r.agent_id}/${r.event_id}`));
    const fresh = unique.filter((p) =>
      inserted.has(`${p.event.tenant_id}/${p.event.agent_id}/${p.event.event_id}`),
    );
    const plan = planBatch(current, fresh);
    const stale: PreparedEvent[] = [];
    fresh.forEach((p, i) => {
      const o = plan.outcomes[i] ?? 'applied';
      outcomes[firstIdx.get(`${p.event.tenant_id}/${p.event.agent_id}/${p.event.event_id}`) ?? -1] = o;
      if (o === 'stale') stale.push(p);
    });
    if (stale.length > 0) {
      await client.query(MARK_STALE, [
        stale.map((p) => p.event.tenant_id),
        stale.map((p) => p.event.agent_id),
        stale.map((p) => p.event.event_id),
      ]);
    }
    if (plan.upserts.length === 0) return [];
    const u = plan.upserts;
    const up = await client.query<WrittenRow>(UPSERT_ROWS, [
      u.map((x) => x.prepared.event.tenant_id),
      u.map((x) => x.prepared.event.agent_id),
      u.map((x) => x.prepared.event.episode_id),
      u.map((x) => x.prepared.event.event_type),
      u.map((x) => x.prepared.event.payload.content_ref),
      u.map((x) => x.prepared.event.payload.summary ?? null),
      u.map((x) => JSON.stringify(x.prepared.event.payload.tags)),
      u.map((x) => x.prepared.event.payload.embedding_ref ?? null),
      u.map((x) => JSON.stringify(x.prepared.event.payload.metadata)),
      u.map((x) => x.prepared.event.event_id),
      u.map((x) => x.prepared.ts),
      u.map((x) => x.deleted),
    ]);
    return up.rows;
  }
}

function dlqColumns(dlq: readonly DlqRecord[]): unknown[] {
  // text columns cannot hold U+0000; the DLQ message keeps the exact bytes.
  const text = (s: string) => s.replaceAll('\u0000', '\uFFFD');
  return [
    dlq.map((d) => d.entry.dlq_id),
    dlq.map((d) => text(d.entry.reason)),
    dlq.map((d) => d.eventJson),
    dlq.map((d) => d.entry.tenant_id),
    dlq.map((d) => d.entry.agent_id),
    dlq.map((d) => d.entry.clause_id),
    dlq.map((d) => text(d.entry.subject)),
    dlq.map((d) => (d.eventJson === null ? text(d.entry.raw) : null)),
    dlq.map((d) => d.entry.queued_at),
  ];
}
