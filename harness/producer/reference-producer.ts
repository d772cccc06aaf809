import { AuditLog } from './audit-log.js';
import { runBackfill } from './backfill.js';
import { BusConnection, type BusState } from './bus-connection.js';
import { EpisodeStore, type EpisodeInput, type EpisodePatch, type WriteResult } from './episode-store.js';
import { parseExportPolicy, type ExportPolicy } from './export-policy.js';
import { ExportState } from './export-state.js';
import { Exporter, type ExporterCounters, type ExporterOptions } from './exporter.js';
import { LatencyStats, type LatencySummary } from './latency-stats.js';
import { silentLogger, type Logger } from '../logger.js';
import { ValkeyCoordination } from './valkey-coordination.js';
import { osUser } from './os-user.js';
import type { NatsConnectOptions } from '../services/connect-nats.js';

export interface ReferenceProducerOptions {
  /** SQLite file of the local store; the cursor and change-log survive restarts in it. */
  dbPath: string;
  natsUrl: string;
  /** Credentials and TLS for the bus (CT-7.transport-auth). */
  nats?: NatsConnectOptions;
  valkeyUrl?: string;
  /** PostgreSQL for the audit table; the local audit table is always written. */
  pgUrl?: string;
  logger?: Logger;
  /** Who backfills are attributed to (default: the OS user). */
  actor?: string;
  maxInFlight?: number;
  retry?: ExporterOptions['retry'];
  onAck?: ExporterOptions['onAck'];
}

/** GET /status of the driver protocol. */
export interface ProducerStatus {
  bus: BusState;
  cursor: number;
  last_seq: number;
  pending: number;
  counters: ExporterCounters & { blocked_total: number; dlq_total: number; valkey_errors: number };
  local_write: { bus_up: LatencySummary; bus_down: LatencySummary };
  publish_ack: LatencySummary;
}

/**
 * The reference producer (Continuum side): local store + exporter + coordination, wired together.
 * Local writes are synchronous SQLite transactions and never look at the bus; the exporter runs
 * beside them on the event loop.
 */
export class ReferenceProducer {
  readonly store: EpisodeStore;
  readonly state: ExportState;
  readonly audit: AuditLog;
  readonly bus: BusConnection;
  readonly exporter: Exporter;
  readonly valkey: ValkeyCoordination | undefined;
  private readonly writesUp = new LatencyStats();
  private readonly writesDown = new LatencyStats();
  private readonly publishAck = new LatencyStats();
  private readonly actor: string;
  private stopped: Promise<void> | undefined;

  constructor(o: ReferenceProducerOptions) {
    const logger = o.logger ?? silentLogger;
    this.store = new EpisodeStore(o.dbPath);
    this.state = new ExportState(this.store.db);
    this.audit = new AuditLog(this.store.db, o.pgUrl);
    this.bus = new BusConnection(o.natsUrl, logger, o.nats);
    this.valkey = o.valkeyUrl ? new ValkeyCoordination(o.valkeyUrl, logger) : undefined;
    this.actor = o.actor ?? osUser();
    this.exporter = new Exporter({
      store: this.store,
      state: this.state,
      bus: this.bus,
      ...(this.valkey ? { valkey: this.valkey } : {}),
      audit: this.audit,
      identity: o.nats?.name ?? 'continuum-ref-producer',
      logger,
      ...(o.maxInFlight === undefined ? {} : { maxInFlight: o.maxInFlight }),
      ...(o.retry === undefined ? {} : { retry: o.retry }),
      onAck: (entry, ms, dup) => {
        this.publishAck.record(ms * 1000);
        o.onAck?.(entry, ms, dup);
      },
    });
  }

  start(): void {
    this.bus.connect();
    this.valkey?.start();
    this.exporter.start();
  }

  create(input: EpisodeInput): WriteResult {
    return this.timed(() => this.store.create(input));
  }

  update(tenantId: string, agentId: string, episodeId: string, patch: EpisodePatch): WriteResult {
    return this.timed(() => this.store.update(tenantId, agentId, episodeId, patch));
  }

  summarize(tenantId: string, agentId: string, episodeId: string, summary: string): WriteResult {
    return this.timed(() => this.store.summarize(tenantId, agentId, episodeId, summary));
  }

  delete(tenantId: string, agentId: string, episodeId: string): WriteResult {
    return this.timed(() => this.store.delete(tenantId, agentId, episodeId));
  }

  /** Sets a tenant's export policy; throws ProducerError INVALID_POLICY on a malformed one. */
  setPolicy(tenantId: string, value: unknown): ExportPolicy {
    const policy = parseExportPolicy(value);
    this.state.setPolicy(tenantId, policy);
    return policy;
  }

  backfill(params: unknown, actor = this.actor): ReturnType<typeof runBackfill> {
    return runBackfill(params, {
      store: this.store,
      state: this.state,
      audit: this.audit,
      bus: this.bus,
      actor,
    });
  }

  status(): ProducerStatus {
    const cursor = this.exporter.cursor;
    const lastSeq = this.store.maxSeq();
    const totals = this.state.decisionCounts();
    return {
      bus: this.bus.state,
      cursor,
      last_seq: lastSeq,
      pending: this.store.countAfter(cursor),
      counters: {
        ...this.exporter.counters,
        blocked_total: totals.blocked,
        dlq_total: totals.dlq,
        valkey_errors: this.valkey?.errors ?? 0,
      },
      local_write: { bus_up: this.writesUp.summary(), bus_down: this.writesDown.summary() },
      publish_ack: this.publishAck.summary(),
    };
  }

  /** Clears the latency histograms (a measurement window starts). */
  resetLatency(): void {
    this.writesUp.reset();
    this.writesDown.reset();
    this.publishAck.reset();
  }

  /**
   * Stops the exporter (in-flight publishes get `drainMs`), persists the cursor, closes
   * everything. Idempotent: later calls wait for the first.
   */
  stop(drainMs = 10_000): Promise<void> {
    return (this.stopped ??= this.close(drainMs));
  }

  private async close(drainMs: number): Promise<void> {
    await this.exporter.stop(drainMs);
    await this.bus.disconnect();
    await this.valkey?.close();
    await this.store.close();
  }

  private timed(write: () => WriteResult): WriteResult {
    const result = write();
    (this.bus.state === 'connected' ? this.writesUp : this.writesDown).record(result.local_write_us);
    return result;
  }
}
