import { refusedPublishAudit } from '../security/refused-publish-audit.js';
import type { PermissionDeniedError } from '../security/permission-denied-error.js';
import type { AuditLog } from './audit-log.js';
import type { BusConnection } from './bus-connection.js';
import type { ChangeLogEntry, EpisodeStore } from './episode-store.js';
import type { ExportState } from './export-state.js';
import type { Logger } from '../logger.js';
import { publishWithRetry, type PublishAck, type RetryOptions } from './publish-with-retry.js';
import { deadLetter, prepareExport } from './prepare-export.js';
import type { ValkeyCoordination } from './valkey-coordination.js';

export interface ExporterOptions {
  store: EpisodeStore;
  state: ExportState;
  bus: BusConnection;
  valkey?: ValkeyCoordination;
  logger: Logger;
  /** Publishes awaiting their ack at once (the pipeline depth). */
  maxInFlight?: number;
  retry?: Partial<RetryOptions>;
  /** Where a publish the bus refused for permissions is recorded (CT-6.fail-closed, CT-7.audit). */
  audit?: AuditLog;
  /** The credential's identity, for refusals (default 'continuum-ref-producer'). */
  identity?: string;
  /** Called on every ack of an episode event with the publish-to-ack latency. */
  onAck?: (entry: ChangeLogEntry, latencyMs: number, duplicate: boolean) => void;
}

/** Counters since this exporter started. */
export interface ExporterCounters {
  published: number;
  duplicates: number;
  blocked: number;
  dlq: number;
  retries: number;
  /** Publishes the bus refused for this credential's permissions: audited, not retried, left in the local store. */
  refused: number;
}

/**
 * Tails the change-log from its durable cursor, gates, validates and publishes each entry, and
 * moves the cursor over the acknowledged prefix only, so a crash or restart republishes (with the
 * same Nats-Msg-Id, dropped by JetStream's dedup window) rather than loses (CT-6.export-retry).
 */
export class Exporter {
  readonly counters: ExporterCounters = {
    published: 0,
    duplicates: 0,
    blocked: 0,
    dlq: 0,
    retries: 0,
    refused: 0,
  };
  private cursorSeq: number;
  private running = false;
  private stopDeadline = Infinity;
  private loop: Promise<void> | undefined;
  private wakeLoop: (() => void) | undefined;
  private idleWaiters: (() => void)[] = [];
  private unsubscribe: (() => void) | undefined;
  private readonly maxInFlight: number;
  private readonly retry: RetryOptions;

  constructor(private readonly o: ExporterOptions) {
    this.cursorSeq = o.state.cursor();
    this.maxInFlight = o.maxInFlight ?? 256;
    this.retry = { initialMs: 50, maxMs: 5000, timeoutMs: 5000, ...o.retry };
  }

  /** The seq of the last change-log entry known to be acknowledged (or blocked, or dead-lettered). */
  get cursor(): number {
    return this.cursorSeq;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopDeadline = Infinity;
    this.unsubscribe = this.o.store.onAppend(() => this.wakeLoop?.());
    this.loop = this.run();
  }

  /** Stops taking new entries, lets in-flight publishes finish for up to `drainMs`, persists the cursor. */
  async stop(drainMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopDeadline = Date.now() + drainMs;
    this.unsubscribe?.();
    this.wakeLoop?.();
    this.o.bus.interrupt();
    await this.loop;
  }

  /** Resolves once everything written so far is exported, or after `timeoutMs` (then false). */
  async waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.cursorSeq >= this.o.store.maxSeq()) return true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => (clearTimeout(timer), resolve()));
    });
    return this.cursorSeq >= this.o.store.maxSeq();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const entries = this.o.store.readAfter(this.cursorSeq, this.maxInFlight);
      if (entries.length === 0) {
        this.notifyIdle();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 200); // also catches writes by other processes
          this.wakeLoop = () => (clearTimeout(timer), resolve());
        });
        this.wakeLoop = undefined;
        continue;
      }
      const done = await Promise.all(entries.map((e) => this.exportOne(e)));
      let last = this.cursorSeq;
      for (let i = 0; i < entries.length && done[i]; i++) last = entries[i]!.seq;
      if (last > this.cursorSeq) {
        this.o.state.advance(last);
        this.cursorSeq = last;
      }
      if (last < entries[entries.length - 1]!.seq) break; // stopping: the rest stays after the cursor
    }
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.cursorSeq < this.o.store.maxSeq() && this.running) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** True when the entry is settled (acked, blocked or dead-lettered); false when stopping first. */
  private async exportOne(entry: ChangeLogEntry): Promise<boolean> {
    const before =
      entry.sensitive && entry.event.event_type === 'episode.deleted' && this.o.state.exportedBefore(entry);
    let prepared = prepareExport(entry, this.o.state.policy(entry.tenant_id), undefined, before);
    if (prepared.kind === 'blocked') {
      this.o.state.record(prepared.decision);
      this.counters.blocked++;
      return true;
    }
    let ack = await this.publish(prepared);
    if (ack?.rejected !== undefined && prepared.kind === 'publish') {
      const reason = `the stream refused the event: ${ack.rejected} (its limit counts headers too)`;
      prepared = deadLetter(entry, prepared.data, 'CT-3.size', reason);
      ack = await this.publish(prepared);
    }
    if (!ack) return false;
    if (ack.refused !== undefined) {
      await this.recordRefusal(entry, ack.refused);
      return true;
    }
    if (prepared.kind === 'dlq') {
      // Recorded locally even in the (unreachable) case where the DLQ stream refused it too.
      this.o.state.record(prepared.decision);
      this.counters.dlq++;
      this.o.logger.warn(
        { event_id: entry.event_id, reason: prepared.decision.reason },
        'event dead-lettered by the producer',
      );
      return true;
    }
    if (ack.rejected !== undefined) return true; // unreachable: a rejected publish became a DLQ entry above
    if (ack.duplicate) this.counters.duplicates++;
    else this.counters.published++;
    this.o.valkey?.countPublish(entry.tenant_id, entry.agent_id);
    this.o.onAck?.(entry, ack.latencyMs, ack.duplicate);
    return true;
  }

  /**
   * Fail closed: the event stays in the local store and the cursor moves on; the refusal goes to
   * the audit log (local table, and PostgreSQL when configured) and the `refused` counter.
   */
  private async recordRefusal(entry: ChangeLogEntry, refused: PermissionDeniedError): Promise<void> {
    this.counters.refused++;
    this.o.logger.warn(
      { event_id: entry.event_id, subject: refused.subject, identity: refused.identity },
      'publish refused by the bus (permissions); not retried',
    );
    if (this.o.audit === undefined) return;
    const a = refusedPublishAudit(refused, { event_id: entry.event_id, episode_id: entry.episode_id });
    try {
      await this.o.audit.record({
        actor: a.actor,
        action: 'publish_refused',
        ...(a.tenant_id === undefined ? {} : { tenant_id: a.tenant_id }),
        ...(a.agent_id === undefined ? {} : { agent_id: a.agent_id }),
        params: a.params,
        outcome: 'refused',
        ...(a.detail === undefined ? {} : { detail: a.detail }),
        at: a.at,
      });
    } catch (error) {
      // The local row is written first; only the PostgreSQL copy can fail here.
      this.o.logger.warn(
        { err: String(error), event_id: entry.event_id },
        'refusal audit not copied to PostgreSQL',
      );
    }
  }

  private publish(msg: {
    subject: string;
    msgId: string;
    data: Uint8Array;
  }): Promise<PublishAck | undefined> {
    return publishWithRetry(this.o.bus, msg, this.retry, {
      identity: this.o.identity ?? 'continuum-ref-producer',
      // Stopping with the bus away: nothing in flight can be acknowledged, so do not wait out the drain.
      shouldGiveUp: () =>
        Date.now() > this.stopDeadline || (!this.running && this.o.bus.state !== 'connected'),
      onRetry: (error) => {
        this.counters.retries++;
        this.o.logger.debug({ err: String(error), subject: msg.subject }, 'publish failed; retrying');
      },
    });
  }
}
