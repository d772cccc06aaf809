import { ReferenceProducer } from '../../harness/producer/reference-producer.js';
import type { WriteResult } from '../../harness/producer/episode-store.js';
import type { NatsConnectOptions } from '../../harness/services/connect-nats.js';

/** One local write of the cycle the executor makes (see {@link writeOp}). */
export type WriteOp = 'create' | 'update' | 'summarize' | 'delete';

/**
 * The producer under fault, seen from its local API: writes that must never wait on the bus,
 * the exporter's backlog, and its local change-log (what "every locally written episode" means).
 */
export interface LocalWriter {
  write(
    op: WriteOp,
    tenantId: string,
    agentId: string,
    episodeId: string | undefined,
    i: number,
  ): Promise<WriteResult>;
  /** Resolves true once connected to the bus (or false after `timeoutMs`). */
  ready(timeoutMs: number): Promise<boolean>;
  /** Resolves true once everything written so far is exported (or false after `timeoutMs`). */
  waitExported(timeoutMs: number): Promise<boolean>;
  /** Every event written locally, in write order (event_id, episode_id, type). */
  changeLog(): {
    event_id: string;
    episode_id: string;
    event_type: string;
    source_ts: string;
    event: unknown;
  }[];
  counters(): { published: number; duplicates: number; retries: number };
  stop(): Promise<void>;
}

/** Options of the reference writer. */
export interface WriterOptions {
  dbPath: string;
  natsUrl: string;
  nats?: NatsConnectOptions;
  valkeyUrl?: string;
}

/** The write at position `i` of the fixed cycle: creates, updates, a summarize and a delete. */
export function writeOp(i: number, live: number): WriteOp {
  const cycle: WriteOp[] = [
    'create',
    'update',
    'create',
    'summarize',
    'create',
    'update',
    'create',
    'delete',
  ];
  const op = cycle[i % cycle.length] as WriteOp;
  return op !== 'create' && live === 0 ? 'create' : op;
}

/** The reference producer in this process, its writes synchronous SQLite transactions. */
export class ReferenceWriter implements LocalWriter {
  readonly producer: ReferenceProducer;

  constructor(o: WriterOptions) {
    this.producer = new ReferenceProducer({
      dbPath: o.dbPath,
      natsUrl: o.natsUrl,
      ...(o.nats === undefined ? {} : { nats: o.nats }),
      ...(o.valkeyUrl === undefined ? {} : { valkeyUrl: o.valkeyUrl }),
      retry: { initialMs: 20, maxMs: 500, timeoutMs: 2000 },
    });
    this.producer.start();
  }

  write(op: WriteOp, t: string, a: string, episodeId: string | undefined, i: number): Promise<WriteResult> {
    return Promise.resolve(applyWrite(this.producer, op, t, a, episodeId, i));
  }

  ready(timeoutMs: number): Promise<boolean> {
    return this.producer.bus.ready(timeoutMs);
  }

  waitExported(timeoutMs: number): Promise<boolean> {
    return this.producer.exporter.waitIdle(timeoutMs);
  }

  changeLog(): ReturnType<LocalWriter['changeLog']> {
    return this.producer.store.readAfter(0, 1_000_000).map((e) => ({
      event_id: e.event_id,
      episode_id: e.episode_id,
      event_type: e.event.event_type,
      source_ts: e.source_ts,
      event: e.event,
    }));
  }

  counters(): { published: number; duplicates: number; retries: number } {
    const c = this.producer.exporter.counters;
    return { published: c.published, duplicates: c.duplicates, retries: c.retries };
  }

  stop(): Promise<void> {
    return this.producer.stop(2000);
  }
}

/** Applies one write of the cycle to a producer's local API. */
export function applyWrite(
  p: ReferenceProducer,
  op: WriteOp,
  t: string,
  a: string,
  episodeId: string | undefined,
  i: number,
): WriteResult {
  if (op === 'create' || episodeId === undefined) {
    return p.create({
      tenant_id: t,
      agent_id: a,
      body: `fault-run body ${i}`,
      summary: `s${i}`,
      tags: ['fault'],
      metadata: { i },
    });
  }
  if (op === 'update') return p.update(t, a, episodeId, { metadata: { i }, tags: ['fault', `u${i}`] });
  if (op === 'summarize') return p.summarize(t, a, episodeId, `summary ${i}`);
  return p.delete(t, a, episodeId);
}
