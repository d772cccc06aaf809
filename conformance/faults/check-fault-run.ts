import { ProjectionModel, type ModelEvent } from 'continuum-contract';
import type { SecurityCheckResult } from '../security/security-target.js';
import type { Violation } from '../check/violation.js';
import { percentile } from '../runner/slo.js';
import type { FaultClauseVerdict, FaultRunFigures } from './fault-run-result.js';
import type { ObservedRow } from '../target/observation.js';
import type { ProjectedEvent } from './observe-projection.js';

/** How many times the fault-free local write p99 a write may take during faults. */
const LOCAL_WRITE_RATIO_BOUND = 10;

/** One local write as the executor saw it. */
export interface WrittenEvent {
  event_id: string;
  episode_id: string;
  event: ModelEvent;
  atMs: number;
  latencyMs: number;
  inFault: boolean;
}

/** A fault step's window: injected, healed, caught up. */
export interface FaultWindow {
  startMs: number;
  healedMs: number;
  recoveredMs: number | undefined;
}

/** What the executor collected; checked by {@link checkFaultRun} (pure, no I/O). */
export interface FaultRunData {
  written: WrittenEvent[];
  writeFailures: string[];
  windows: FaultWindow[];
  /** event_id -> projected_at (ms), taken after each fault recovered; a change means a re-application. */
  snapshots: Map<string, number>[];
  final: Map<string, ProjectedEvent>;
  rows: Pick<ObservedRow, 'episode_id' | 'last_event_id' | 'deleted'>[];
  streamCopies: Map<string, number>;
  faultsInjected: number;
  projectorKills: number;
  projectorUnexpectedExits: number;
  /** The fault kinds the schedule injected. */
  kinds: Set<string>;
  auth: SecurityCheckResult[];
  localWriteBoundMs: number;
  duplicateRateMax: number;
  durationMs: number;
}

const MAX_LISTED = 5;

function listed(ids: string[]): string {
  return `${ids.slice(0, MAX_LISTED).join(', ')}${ids.length > MAX_LISTED ? ` and ${ids.length - MAX_LISTED} more` : ''}`;
}

/** Checks a fault run: nothing lost, effectively once, rows equal the model, local writes never blocked, auth closed. */
export function checkFaultRun(d: FaultRunData): {
  violations: Violation[];
  clauses: FaultClauseVerdict[];
  figures: FaultRunFigures;
} {
  const violations: Violation[] = [];
  const missing = d.written.filter((w) => !d.final.has(w.event_id));
  const beforeStream = missing.filter((w) => (d.streamCopies.get(w.event_id) ?? 0) === 0);
  const onStream = missing.filter((w) => (d.streamCopies.get(w.event_id) ?? 0) > 0);
  if (beforeStream.length > 0) {
    violations.push({
      clauseId: 'CT-6.export-retry',
      message: `${beforeStream.length} locally written events never reached the stream after recovery: ${listed(beforeStream.map((w) => w.event_id))}`,
    });
  }
  if (onStream.length > 0) {
    violations.push({
      clauseId: d.projectorKills > 0 ? 'CT-4.ack-after-commit' : 'CT-4.consume',
      message: `${onStream.length} events are on the stream but were never projected${d.projectorKills > 0 ? ` after ${d.projectorKills} projector kill(s): acknowledged before their transaction committed` : ''}: ${listed(onStream.map((w) => w.event_id))}`,
    });
  }
  // Re-application: an event's record rewritten between snapshots (projected_at moved).
  const reapplied = new Set<string>();
  const snaps = [...d.snapshots, new Map([...d.final].map(([k, v]) => [k, v.projectedAtMs]))];
  for (let i = 1; i < snaps.length; i++) {
    for (const [id, at] of snaps[i] as Map<string, number>) {
      const was = snaps[i - 1]?.get(id);
      if (was !== undefined && was !== at) reapplied.add(id);
    }
  }
  if (reapplied.size > 0) {
    violations.push({
      clauseId: 'CT-4.dedup',
      message: `${reapplied.size} events were projected again after their first projection (record rewritten): ${listed([...reapplied])}`,
    });
  }
  const writtenIds = new Set(d.written.map((w) => w.event_id));
  let duplicatesOnStream = 0;
  for (const [id, n] of d.streamCopies) if (writtenIds.has(id)) duplicatesOnStream += n - 1;
  const projected = d.written.filter((w) => d.final.has(w.event_id)).length;
  const duplicateRate = projected === 0 ? 0 : reapplied.size / projected;
  if (duplicateRate >= d.duplicateRateMax) {
    violations.push({
      clauseId: 'CT-9.duplicate-rate',
      message: `duplicate projection rate ${duplicateRate.toPrecision(3)} is not under ${d.duplicateRateMax}`,
    });
  }
  // Oracle: with nothing lost, the rows are the model's over every written event.
  if (missing.length === 0) {
    const model = new ProjectionModel();
    for (const w of d.written) model.apply(w.event);
    const actual = new Map(d.rows.map((r) => [r.episode_id, r]));
    for (const m of model.rows()) {
      const r = actual.get(m.episode_id);
      if (r === undefined || r.last_event_id !== m.last_event_id || r.deleted !== m.deleted) {
        violations.push({
          clauseId: 'CT-4.upsert',
          message: `row ${m.episode_id}: expected last_event_id ${m.last_event_id} deleted ${m.deleted}, found ${r === undefined ? 'no row' : `${r.last_event_id} deleted ${r.deleted}`}`,
        });
      }
    }
  }
  const base = d.written.filter((w) => !w.inFault).map((w) => w.latencyMs);
  const faulted = d.written.filter((w) => w.inFault).map((w) => w.latencyMs);
  const baselineP99 = percentile(base, 99);
  const faultP99 = percentile(faulted, 99);
  const maxMs = d.written.reduce((m, w) => Math.max(m, w.latencyMs), 0);
  // A loaded machine slows every write alike, so the bound scales with the same run's fault-free
  // p99; a write that waits on the bus waits for the outage (seconds) and still exceeds it.
  const boundMs = Math.max(d.localWriteBoundMs, LOCAL_WRITE_RATIO_BOUND * (baselineP99 ?? 0));
  if (faultP99 !== undefined && faultP99 > boundMs) {
    violations.push({
      clauseId: 'CT-6.local-writes',
      message: `local write p99 during faults ${faultP99.toFixed(1)} ms exceeds ${boundMs.toFixed(1)} ms (the larger of ${d.localWriteBoundMs} ms and ${LOCAL_WRITE_RATIO_BOUND} x the fault-free p99 ${baselineP99?.toFixed(1) ?? '-'} ms): local writes waited on the bus or another dependency`,
    });
  }
  if (d.writeFailures.length > 0) {
    violations.push({
      clauseId: 'CT-6.local-writes',
      message: `${d.writeFailures.length} local writes failed during the run: ${listed(d.writeFailures)}`,
    });
  }
  for (const a of d.auth.filter((x) => !x.ok))
    violations.push({
      clauseId: a.clauseId,
      message: `auth probe ${a.check} during the fault run: ${a.detail}`,
    });

  const lag = (w: WrittenEvent): number | undefined => {
    const e = d.final.get(w.event_id);
    return e === undefined ? undefined : Math.max(0, e.projectedAtMs - w.atMs);
  };
  const disturbed = (w: WrittenEvent): boolean =>
    w.inFault || d.windows.some((x) => w.atMs >= x.startMs && w.atMs <= (x.recoveredMs ?? Infinity));
  const worst = (ws: WrittenEvent[]): number | undefined => {
    const lags = ws.map(lag).filter((x): x is number => x !== undefined);
    // A soak writes ~180k events: spreading them into Math.max overflows the call stack.
    return lags.length === 0 ? undefined : lags.reduce((a, b) => Math.max(a, b));
  };
  const figures: FaultRunFigures = {
    faultsInjected: d.faultsInjected,
    episodesWritten: d.written.length,
    eventsProjected: projected,
    lost: missing.length,
    lostBeforeStream: beforeStream.length,
    duplicatesProjected: reapplied.size,
    duplicatesOnStream,
    duplicateRate,
    worstLagDuringMs: worst(d.written.filter(disturbed)),
    worstLagAfterRecoveryMs: worst(d.written.filter((w) => !disturbed(w))),
    recoveryMs: d.windows.map((w) => (w.recoveredMs === undefined ? undefined : w.recoveredMs - w.healedMs)),
    localWrite: {
      baselineP99Ms: baselineP99,
      faultP99Ms: faultP99,
      ratio: baselineP99 && faultP99 !== undefined ? faultP99 / baselineP99 : undefined,
      maxMs,
      boundMs,
      failures: d.writeFailures.length,
    },
    projectorKills: d.projectorKills,
    projectorUnexpectedExits: d.projectorUnexpectedExits,
    authProbes: d.auth.length,
    authFailures: d.auth.filter((x) => !x.ok).length,
    durationMs: d.durationMs,
  };
  return { violations, clauses: verdicts(violations, d), figures };
}

function verdicts(violations: Violation[], d: FaultRunData): FaultClauseVerdict[] {
  const tested: [string, boolean, string][] = [
    ['CT-6.export-retry', true, 'every local write reached the stream after the faults'],
    [
      'CT-4.ack-after-commit',
      d.projectorKills > 0,
      `${d.projectorKills} projector kill(s), nothing acknowledged was lost`,
    ],
    ['CT-4.dedup', true, 'no event projected twice across restarts and redeliveries'],
    ['CT-4.upsert', true, 'rows equal the model over every local write'],
    ['CT-9.duplicate-rate', true, `duplicate projection rate under ${d.duplicateRateMax}`],
    [
      'CT-6.local-writes',
      true,
      `local write p99 during faults <= max(${d.localWriteBoundMs} ms, ${LOCAL_WRITE_RATIO_BOUND} x fault-free p99), no write failed`,
    ],
    ['CT-6.fail-open', d.kinds.has('valkey-down'), 'Valkey down blocked neither local writes nor projection'],
    ['CT-7.transport-auth', d.auth.length > 0, 'auth stayed closed during the faults'],
    ['CT-7.tenant-isolation', d.auth.length > 0, 'tenant permissions held during the faults'],
    ['CT-6.fail-closed', d.auth.length > 0, 'refusals held during the faults'],
  ];
  const failOpenBroken = violations.some(
    (v) => v.clauseId === 'CT-6.local-writes' || v.clauseId === 'CT-4.consume',
  );
  return tested.map(([clauseId, ran, note]) => {
    const own = violations.filter((v) => v.clauseId === clauseId);
    if (own.length > 0)
      return { clauseId, status: 'failed' as const, note: own.map((v) => v.message).join('; ') };
    if (!ran) return { clauseId, status: 'not-tested' as const, note: 'the schedule did not exercise it' };
    if (clauseId === 'CT-6.fail-open' && failOpenBroken)
      return {
        clauseId,
        status: 'failed' as const,
        note: 'writes or projection were blocked during the run',
      };
    return { clauseId, status: 'passed' as const, note };
  });
}
