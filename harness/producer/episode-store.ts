import Database from 'better-sqlite3';
import { monotonicFactory } from 'ulid';
import type { EpisodeEvent } from './contract.js';
import { PRODUCER_ERROR_CODES, ProducerError } from './errors.js';
import { MicroClock, formatMicros } from './micro-clock.js';
import { pooledRandom } from './pooled-random.js';
import { STORE_SCHEMA } from './store-schema.js';
import { WalCheckpointer } from './wal-checkpointer.js';

/** A new local episode. The body stays in SQLite; only references leave the process. */
export interface EpisodeInput {
  tenant_id: string;
  agent_id: string;
  body: string;
  summary?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
  embedding_ref?: string;
  sensitive?: boolean;
}

/** Fields an update may change; absent means unchanged. */
export type EpisodePatch = Partial<Omit<EpisodeInput, 'tenant_id' | 'agent_id'>>;

/** What one local write produced. */
export interface WriteResult {
  episode_id: string;
  event_id: string;
  seq: number;
  source_ts: string;
  /** Time spent in the local transaction, in microseconds. */
  local_write_us: number;
}

/** One row of the append-only change-log: the full event as it would be exported, before the gate. */
export interface ChangeLogEntry {
  seq: number;
  event_id: string;
  tenant_id: string;
  agent_id: string;
  episode_id: string;
  source_ts: string;
  source_us: number;
  sensitive: boolean;
  event: EpisodeEvent;
}

interface EpisodeRow {
  body: string;
  summary: string | null;
  tags: string;
  metadata: string;
  embedding_ref: string | null;
  sensitive: number;
  deleted: number;
}

interface LogRow {
  seq: number;
  event_id: string;
  tenant_id: string;
  agent_id: string;
  episode_id: string;
  source_ts: string;
  source_us: number;
  sensitive: number;
  event: string;
}

const SCOPED_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * Continuum's canonical local episode store (SQLite, WAL). Every write changes the episode row and
 * appends its change-log entry in one transaction, and never touches the network (CT-6.local-writes).
 */
export class EpisodeStore {
  readonly db: Database.Database;
  private readonly ulid = monotonicFactory(pooledRandom());
  private readonly clock: MicroClock;
  private readonly listeners = new Set<() => void>();
  private readonly stmt;
  /** The episode row and its change-log entry in one transaction; returns the entry's seq. */
  private readonly commitWrite: (episode: Record<string, unknown>, log: Record<string, unknown>) => number;
  private readonly checkpointer: WalCheckpointer | undefined;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(STORE_SCHEMA);
    if (path !== ':memory:' && path !== '') {
      this.db.pragma('wal_autocheckpoint = 0');
      this.db.pragma('journal_size_limit = 33554432');
      this.checkpointer = new WalCheckpointer(path);
    }
    const maxUs = this.db.prepare('SELECT MAX(source_us) AS m FROM change_log').get() as { m: number | null };
    this.clock = new MicroClock(maxUs.m ?? 0);
    this.stmt = {
      getEpisode: this.db.prepare(
        'SELECT body, summary, tags, metadata, embedding_ref, sensitive, deleted FROM episodes WHERE tenant_id = ? AND agent_id = ? AND episode_id = ?',
      ),
      upsertEpisode: this.db.prepare(
        `INSERT INTO episodes (tenant_id, agent_id, episode_id, body, summary, tags, metadata, embedding_ref, sensitive, deleted, last_event_id, last_source_ts)
         VALUES (@tenant_id, @agent_id, @episode_id, @body, @summary, @tags, @metadata, @embedding_ref, @sensitive, @deleted, @event_id, @source_ts)
         ON CONFLICT (tenant_id, agent_id, episode_id) DO UPDATE SET body = excluded.body, summary = excluded.summary,
           tags = excluded.tags, metadata = excluded.metadata, embedding_ref = excluded.embedding_ref, sensitive = excluded.sensitive,
           deleted = excluded.deleted, last_event_id = excluded.last_event_id, last_source_ts = excluded.last_source_ts`,
      ),
      appendLog: this.db.prepare(
        `INSERT INTO change_log (event_id, tenant_id, agent_id, episode_id, event_type, source_ts, source_us, sensitive, event)
         VALUES (@event_id, @tenant_id, @agent_id, @episode_id, @event_type, @source_ts, @source_us, @sensitive, @event)`,
      ),
      after: this.db.prepare('SELECT * FROM change_log WHERE seq > ? ORDER BY seq LIMIT ?'),
      count: this.db.prepare('SELECT COUNT(*) AS n FROM change_log WHERE seq > ?'),
      maxSeq: this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS m FROM change_log'),
    };
    // Built once: db.transaction() makes four wrapper functions per call.
    this.commitWrite = this.db.transaction(
      (episode: Record<string, unknown>, log: Record<string, unknown>) => {
        this.stmt.upsertEpisode.run(episode);
        return Number(this.stmt.appendLog.run(log).lastInsertRowid);
      },
    );
  }

  /** Calls `listener` after every committed write (the exporter wakes on it instead of polling). */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  create(input: EpisodeInput): WriteResult {
    checkScope(input.tenant_id, input.agent_id);
    const state = normalize(input, undefined);
    return this.write(input.tenant_id, input.agent_id, this.ulid(), 'episode.created', state);
  }

  update(tenantId: string, agentId: string, episodeId: string, patch: EpisodePatch): WriteResult {
    const current = this.current(tenantId, agentId, episodeId);
    return this.write(tenantId, agentId, episodeId, 'episode.updated', normalize(patch, current));
  }

  summarize(tenantId: string, agentId: string, episodeId: string, summary: string): WriteResult {
    const current = this.current(tenantId, agentId, episodeId);
    if (typeof summary !== 'string')
      throw new ProducerError(PRODUCER_ERROR_CODES.invalidInput, 'summary must be a string');
    return this.write(tenantId, agentId, episodeId, 'episode.summarized', normalize({ summary }, current));
  }

  delete(tenantId: string, agentId: string, episodeId: string): WriteResult {
    const current = this.current(tenantId, agentId, episodeId);
    return this.write(tenantId, agentId, episodeId, 'episode.deleted', { ...current, deleted: 1 });
  }

  /** Up to `limit` change-log entries after `seq`, oldest first. */
  readAfter(seq: number, limit: number): ChangeLogEntry[] {
    return (this.stmt.after.all(seq, limit) as LogRow[]).map(toEntry);
  }

  /** Entries with fromUs <= source_us < toUs, optionally of one tenant and agent, oldest first. */
  range(fromUs: number, toUs: number, tenantId?: string, agentId?: string): ChangeLogEntry[] {
    const where = ['source_us >= ?', 'source_us < ?'];
    const args: (string | number)[] = [fromUs, toUs];
    if (tenantId !== undefined) {
      where.push('tenant_id = ?');
      args.push(tenantId);
    }
    if (agentId !== undefined) {
      where.push('agent_id = ?');
      args.push(agentId);
    }
    const sql = `SELECT * FROM change_log WHERE ${where.join(' AND ')} ORDER BY seq`;
    return (this.db.prepare(sql).all(...args) as LogRow[]).map(toEntry);
  }

  countAfter(seq: number): number {
    return (this.stmt.count.get(seq) as { n: number }).n;
  }

  maxSeq(): number {
    return (this.stmt.maxSeq.get() as { m: number }).m;
  }

  /** The episode's local body, for readers inside the process (never exported). */
  body(tenantId: string, agentId: string, episodeId: string): string | undefined {
    const row = this.stmt.getEpisode.get(tenantId, agentId, episodeId) as EpisodeRow | undefined;
    return row?.body;
  }

  /** Stops the checkpoint worker, checkpoints what is left and closes the database. */
  async close(): Promise<void> {
    await this.checkpointer?.stop();
    this.db.pragma('wal_checkpoint(PASSIVE)'); // never waits: another process (a backfill, the exporter) may be writing
    this.db.close();
  }

  private current(tenantId: string, agentId: string, episodeId: string): EpisodeRow {
    checkScope(tenantId, agentId);
    const row = this.stmt.getEpisode.get(tenantId, agentId, episodeId) as EpisodeRow | undefined;
    if (!row || row.deleted) {
      throw new ProducerError(
        PRODUCER_ERROR_CODES.notFound,
        `no live episode ${tenantId}/${agentId}/${episodeId}`,
      );
    }
    return row;
  }

  private write(
    t: string,
    a: string,
    episodeId: string,
    type: EpisodeEvent['event_type'],
    s: EpisodeRow,
  ): WriteResult {
    const started = performance.now();
    const eventId = this.ulid();
    const sourceUs = this.clock.nextMicros();
    const sourceTs = formatMicros(sourceUs);
    const payload: Record<string, unknown> = {
      content_ref: `continuum://${t}/${a}/episodes/${episodeId}`,
      ...(s.summary === null ? {} : { summary: s.summary }),
      tags: JSON.parse(s.tags) as unknown,
      ...(s.embedding_ref === null ? {} : { embedding_ref: s.embedding_ref }),
      metadata: JSON.parse(s.metadata) as unknown,
    };
    const event = {
      event_id: eventId,
      event_type: type,
      tenant_id: t,
      agent_id: a,
      episode_id: episodeId,
      source_ts: sourceTs,
      schema_version: 1,
      payload,
    };
    // Parameter objects are spelled out: merging two objects with spread on this path made V8
    // promote every write's garbage to the old generation (longer scavenges, frequent full GCs).
    const seq = this.commitWrite(
      {
        tenant_id: t,
        agent_id: a,
        episode_id: episodeId,
        body: s.body,
        summary: s.summary,
        tags: s.tags,
        metadata: s.metadata,
        embedding_ref: s.embedding_ref,
        sensitive: s.sensitive,
        deleted: s.deleted,
        event_id: eventId,
        source_ts: sourceTs,
      },
      {
        event_id: eventId,
        tenant_id: t,
        agent_id: a,
        episode_id: episodeId,
        event_type: type,
        source_ts: sourceTs,
        source_us: sourceUs,
        sensitive: s.sensitive,
        event: JSON.stringify(event),
      },
    );
    const localWriteUs = Math.round((performance.now() - started) * 1000);
    for (const listener of this.listeners) listener();
    return {
      episode_id: episodeId,
      event_id: eventId,
      seq,
      source_ts: sourceTs,
      local_write_us: localWriteUs,
    };
  }
}

function checkScope(tenantId: unknown, agentId: unknown): void {
  if (
    typeof tenantId !== 'string' ||
    !SCOPED_ID.test(tenantId) ||
    typeof agentId !== 'string' ||
    !SCOPED_ID.test(agentId)
  ) {
    throw new ProducerError(
      PRODUCER_ERROR_CODES.invalidInput,
      'tenant_id and agent_id must match ^[a-z0-9][a-z0-9_-]{0,63}$',
    );
  }
}

/** Merges a patch over the current row, checking JSON types (content rules are the exporter's job). */
function normalize(patch: EpisodePatch, current: EpisodeRow | undefined): EpisodeRow {
  const bad = (what: string): never => {
    throw new ProducerError(PRODUCER_ERROR_CODES.invalidInput, what);
  };
  if (patch.body !== undefined && typeof patch.body !== 'string') bad('body must be a string');
  if (current === undefined && typeof patch.body !== 'string') bad('body is required');
  if (patch.summary !== undefined && typeof patch.summary !== 'string') bad('summary must be a string');
  if (patch.embedding_ref !== undefined && typeof patch.embedding_ref !== 'string')
    bad('embedding_ref must be a string');
  if (
    patch.tags !== undefined &&
    (!Array.isArray(patch.tags) || patch.tags.some((t) => typeof t !== 'string'))
  ) {
    bad('tags must be an array of strings');
  }
  if (
    patch.metadata !== undefined &&
    (typeof patch.metadata !== 'object' || patch.metadata === null || Array.isArray(patch.metadata))
  ) {
    bad('metadata must be an object');
  }
  if (patch.sensitive !== undefined && typeof patch.sensitive !== 'boolean')
    bad('sensitive must be a boolean');
  return {
    body: patch.body ?? current?.body ?? '',
    summary: patch.summary ?? current?.summary ?? null,
    tags: patch.tags ? JSON.stringify(patch.tags) : (current?.tags ?? '[]'),
    metadata: patch.metadata ? JSON.stringify(patch.metadata) : (current?.metadata ?? '{}'),
    embedding_ref: patch.embedding_ref ?? current?.embedding_ref ?? null,
    sensitive: patch.sensitive === undefined ? (current?.sensitive ?? 0) : patch.sensitive ? 1 : 0,
    deleted: 0,
  };
}

function toEntry(r: LogRow): ChangeLogEntry {
  return {
    seq: r.seq,
    event_id: r.event_id,
    tenant_id: r.tenant_id,
    agent_id: r.agent_id,
    episode_id: r.episode_id,
    source_ts: r.source_ts,
    source_us: r.source_us,
    sensitive: r.sensitive === 1,
    event: JSON.parse(r.event) as EpisodeEvent,
  };
}
