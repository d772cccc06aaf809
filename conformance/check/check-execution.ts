import type { Execution } from '../target/projector-target.js';
import { scheduleMessages } from '../streams/schedule.js';
import { checkDedup } from './check-dedup.js';
import { checkDlq } from './check-dlq.js';
import { checkRows } from './check-rows.js';
import { checkValkey } from './check-valkey.js';
import { eventKey, scheduleFacts } from './schedule-facts.js';
import type { Violation } from './violation.js';

/** Everything one execution showed: violations, and what it measured for the SLOs. */
export interface ExecutionVerdict {
  violations: Violation[];
  /** Validator clauses exercised by bad input that was correctly dead-lettered. */
  exercised: string[];
  keysSeen: number;
  lagMs: number[];
  reapplied: number;
  applied: number;
}

function parseTs(text: string): number {
  return Date.parse(text);
}

/** Runs every check on an execution. A missing observation (no settle) is a kit bug: it throws. */
export function checkExecution(exec: Execution): ExecutionVerdict {
  const facts = scheduleFacts(exec.schedule, [...exec.refused, ...exec.deduplicated]);
  const final = exec.observations.at(-1);
  if (final === undefined) throw new Error('schedule has no settle step');
  const violations: Violation[] = [
    ...checkRows(facts, final.rows),
    ...checkDlq(facts, final),
    ...checkValkey(facts, final.keys, exec.tenants),
  ];
  const first = exec.observations[0] ?? final;
  for (const e of first.events) {
    const k = eventKey(e.tenant_id, e.agent_id, e.event_id);
    if (!facts.valid.has(k)) {
      const culprit = facts.rejected.find((r) => r.parsed?.event_id === e.event_id);
      const clauseId = culprit?.message.kind === 'mismatch' ? 'CT-4.subject-match' : 'CT-4.dlq';
      violations.push({
        clauseId,
        message: `events table records ${k}, which is not a valid event of the run (a rejected message was consumed as an event)`,
      });
    }
  }
  const rowKeys = new Set(final.rows.map((r) => eventKey(r.tenant_id, r.agent_id, r.episode_id)));
  for (const [k, e] of facts.valid) {
    const consumed = rowKeys.has(eventKey(e.tenant_id, e.agent_id, e.episode_id));
    if (consumed && !final.events.some((r) => eventKey(r.tenant_id, r.agent_id, r.event_id) === k)) {
      violations.push({
        clauseId: facts.crashed ? 'CT-4.ack-after-commit' : 'CT-4.dedup',
        message: `event ${k} has no record in arqonbus_continuum_projection_events (the dedup table records every applied or stale event)`,
      });
    }
  }
  let reapplied = 0;
  let applied = 0;
  if (exec.observations.length > 1) {
    const redelivered = new Set<string>();
    let afterSettle = false;
    for (const step of exec.schedule.steps) {
      if (step.op === 'settle') afterSettle = true;
      else if (afterSettle && step.op === 'publish' && step.message.kind === 'valid') {
        const e = JSON.parse(step.message.data) as { tenant_id: string; agent_id: string; event_id: string };
        redelivered.add(eventKey(e.tenant_id, e.agent_id, e.event_id));
      }
    }
    const dedup = checkDedup(first, final, redelivered);
    violations.push(...dedup.violations);
    reapplied = dedup.reapplied;
    applied = dedup.applied;
  }
  const lagMs: number[] = [];
  // A crash's downtime and redelivery wait are not projection lag.
  for (const e of exec.crashed ? [] : first.events) {
    const at = exec.firstPublishAt.get(eventKey(e.tenant_id, e.agent_id, e.event_id));
    if (at !== undefined) lagMs.push(Math.max(0, parseTs(e.projected_at) - at));
  }
  const failedMessages = new Set(violations.map((v) => v.message));
  const exercised = scheduleMessages(exec.schedule)
    .filter(
      (m) =>
        m.kind !== 'valid' &&
        m.expectClause !== undefined &&
        ![...failedMessages].some((f) => f.includes(m.subject) && f.includes(m.expectClause ?? '')),
    )
    .flatMap((m) => [m.expectClause as string, ...(m.credits ?? [])]);
  return { violations, exercised, keysSeen: final.keys.length, lagMs, reapplied, applied };
}
