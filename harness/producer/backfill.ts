import {
  sourceTsToMicros,
  validateBackfillRequest,
  type BackfillRequest,
  type Violation,
} from './contract.js';
import type { AuditLog } from './audit-log.js';
import type { BusConnection } from './bus-connection.js';
import type { EpisodeStore } from './episode-store.js';
import type { ExportState } from './export-state.js';
import { deadLetter, prepareExport } from './prepare-export.js';
import { publishWithRetry, type RetryOptions } from './publish-with-retry.js';

/** What a backfill did (or, dry, would do). */
export interface BackfillReport {
  dry_run: boolean;
  request: BackfillRequest;
  /** Change-log entries in the range. */
  matched: number;
  /** Of those, entries the gate lets out (as episode events). */
  to_publish: number;
  /** Acked as new by JetStream / dropped as duplicates within its window (0 on a dry run). */
  published: number;
  duplicates: number;
  blocked: number;
  dlq: number;
  /** Entries not acknowledged before the deadline (the bus stayed away). */
  unsent: number;
  /** The first event ids that are (or would be) published, in change-log order. */
  first_event_ids: string[];
  outcome: 'ok' | 'dry_run' | 'failed';
  audit_id: number;
}

export interface BackfillOptions {
  store: EpisodeStore;
  state: ExportState;
  audit: AuditLog;
  /** Needed unless the request is a dry run. */
  bus?: BusConnection;
  actor: string;
  /** Give up on publishes not acked within this many ms (default 30 s). */
  deadlineMs?: number;
  firstIds?: number;
  retry?: Partial<RetryOptions>;
}

/**
 * Republishes exactly the change-log entries with from_ts <= source_ts < to_ts (and the tenant and
 * agent when given), through the same gate as the exporter and with the same event ids and msg
 * ids, so downstream sees a replay as duplicates (CT-8.*). A dry run publishes nothing. Every run,
 * dry or not, is audited (CT-7.audit). Bad parameters come back as violations, not exceptions.
 */
export async function runBackfill(
  params: unknown,
  o: BackfillOptions,
): Promise<{ ok: true; report: BackfillReport } | { ok: false; errors: Violation[] }> {
  const checked = validateBackfillRequest(params);
  if (!checked.ok) return checked;
  const req = checked.value;
  try {
    await o.audit.check();
  } catch (error) {
    // Fail closed: an action that cannot be audited is refused, and the refusal is kept locally.
    const detail = error instanceof Error ? error.message : String(error);
    await o.audit.record(
      {
        actor: o.actor,
        action: 'backfill',
        params: { ...req },
        outcome: 'refused',
        detail,
        at: new Date().toISOString(),
      },
      true,
    );
    throw error;
  }
  const entries = o.store.range(
    Number(sourceTsToMicros(req.from_ts)),
    Number(sourceTsToMicros(req.to_ts)),
    req.tenant_id,
    req.agent_id,
  );
  const report: BackfillReport = {
    dry_run: req.dry_run,
    request: req,
    matched: entries.length,
    to_publish: 0,
    published: 0,
    duplicates: 0,
    blocked: 0,
    dlq: 0,
    unsent: 0,
    first_event_ids: [],
    outcome: req.dry_run ? 'dry_run' : 'ok',
    audit_id: 0,
  };
  const prepared = entries.map((e) => ({
    entry: e,
    out: prepareExport(
      e,
      o.state.policy(e.tenant_id),
      undefined,
      e.sensitive && e.event.event_type === 'episode.deleted' && o.state.exportedBefore(e),
    ),
  }));
  for (const { entry, out } of prepared) {
    if (out.kind === 'blocked') report.blocked++;
    else if (out.kind === 'dlq') report.dlq++;
    else {
      report.to_publish++;
      if (report.first_event_ids.length < (o.firstIds ?? 20)) report.first_event_ids.push(entry.event_id);
    }
  }
  if (!req.dry_run) {
    const bus = o.bus;
    if (!bus) throw new TypeError('runBackfill: a bus connection is required unless dry_run');
    const deadline = Date.now() + (o.deadlineMs ?? 30_000);
    const retry = { initialMs: 50, maxMs: 2000, timeoutMs: 5000, ...o.retry };
    const hooks = { shouldGiveUp: () => Date.now() > deadline, onRetry: () => undefined };
    const sendable = prepared.filter((p) => p.out.kind !== 'blocked');
    const send = async ({ entry, out }: (typeof sendable)[number]): Promise<void> => {
      if (out.kind === 'blocked') return;
      let ack = await publishWithRetry(bus, out, retry, hooks);
      if (ack?.rejected !== undefined && out.kind === 'publish') {
        // Refused by the stream (size with headers): dead-letter it as the exporter does.
        const reason = `the stream refused the event: ${ack.rejected} (its limit counts headers too)`;
        ack = await publishWithRetry(bus, deadLetter(entry, out.data, 'CT-3.size', reason), retry, hooks);
        report.to_publish--;
        report.dlq++;
        if (ack) return;
      }
      // A permissions refusal is terminal (never retried): counted unsent, so the backfill fails.
      if (!ack || ack.refused !== undefined) report.unsent++;
      else if (out.kind === 'publish' && ack.rejected === undefined) {
        if (ack.duplicate) report.duplicates++;
        else report.published++;
      }
    };
    for (let i = 0; i < sendable.length; i += 256) await Promise.all(sendable.slice(i, i + 256).map(send));
    if (report.unsent > 0) report.outcome = 'failed';
  }
  report.audit_id = await o.audit.record({
    actor: o.actor,
    action: 'backfill',
    ...(req.tenant_id === undefined ? {} : { tenant_id: req.tenant_id }),
    ...(req.agent_id === undefined ? {} : { agent_id: req.agent_id }),
    params: { ...req },
    outcome: report.outcome,
    detail: JSON.stringify({
      matched: report.matched,
      to_publish: report.to_publish,
      published: report.published,
      duplicates: report.duplicates,
      blocked: report.blocked,
      dlq: report.dlq,
      unsent: report.unsent,
    }),
    at: new Date().toISOString(),
  });
  return { ok: true, report };
}
