import { isClauseId, type ClauseId } from 'continuum-contract';
import { addEvidence, mergeEvidence } from '../core/finding.js';
import type { CheckOutcome, Finding } from '../core/finding.js';
import type { Execution } from '../target/projector-target.js';
import { checkDedup } from './check-dedup.js';
import { checkDlq } from './check-dlq.js';
import { checkEvents } from './check-events.js';
import { checkRows } from './check-rows.js';
import { checkValkey } from './check-valkey.js';
import { eventKey, scheduleFacts } from './schedule-facts.js';

/** Everything one execution showed: findings, evidence per clause, and what it measured for the SLOs. */
export interface ExecutionVerdict extends CheckOutcome {
  /** Same as `findings` (the name the schedule files and older callers use). */
  violations: Finding[];
  keysSeen: number;
  /** Clauses of bad input the broker refused (never reached the projector), with counts. */
  refused: Map<ClauseId, number>;
  lagMs: number[];
  reapplied: number;
  applied: number;
}

/** How the deployment consumed: with one instance the kit knows the order events were projected in. */
export interface ExecutionContext {
  singleConsumer: boolean;
  /** How much the projector's stale counter rose during the execution (--metrics-url). */
  staleCounted?: number;
}

/** Runs every check on an execution. A missing observation (no settle) is a kit bug: it throws. */
export function checkExecution(
  exec: Execution,
  context: ExecutionContext = { singleConsumer: false },
): ExecutionVerdict {
  const facts = scheduleFacts(exec.schedule, [...exec.refused, ...exec.deduplicated]);
  const final = exec.observations.at(-1);
  if (final === undefined) throw new Error('schedule has no settle step');
  const first = exec.observations[0] ?? final;
  const outcomes: CheckOutcome[] = [
    checkRows({ facts, rows: final.rows, events: final.events, dlqRows: final.dlqRows }),
    checkDlq(facts, final),
    checkValkey(facts, final.keys, exec.tenants, final.rows, !facts.crashed),
    checkEvents({
      facts,
      events: final.events,
      dlqRows: final.dlqRows,
      orderKnown: context.singleConsumer && !facts.crashed,
      ...(context.staleCounted === undefined ? {} : { staleCounted: context.staleCounted }),
    }),
  ];
  const findings: Finding[] = outcomes.flatMap((o) => o.findings);
  const evidence: CheckOutcome['evidence'] = new Map();
  outcomes.forEach((o) => mergeEvidence(evidence, o.evidence));
  for (const e of final.events) {
    const k = eventKey(e.tenant_id, e.agent_id, e.event_id);
    if (!facts.valid.has(k)) {
      const culprit = facts.rejected.find((r) => String(r.parsed?.event_id ?? '') === e.event_id);
      const expected = culprit?.message.expectClause ?? '';
      const clauseId =
        culprit?.message.kind === 'mismatch'
          ? 'CT-4.subject-match'
          : isClauseId(expected)
            ? expected
            : 'CT-4.dlq';
      findings.push({
        clauseId,
        message: `events table records ${k}, which is not a valid event of the run (a rejected message was consumed as an event${culprit?.message.label === undefined ? '' : `: ${culprit.message.label}`})`,
      });
    }
  }
  if (facts.crashed)
    addEvidence(
      evidence,
      'CT-4.ack-after-commit',
      exec.schedule.steps.filter((s) => s.op === 'crash').length,
    );
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
    findings.push(...dedup.violations);
    addEvidence(evidence, 'CT-4.dedup', redelivered.size);
    reapplied = dedup.reapplied;
    applied = dedup.applied;
  }
  addEvidence(evidence, 'CT-4.dedup', facts.duplicateDeliveries);
  const lagMs: number[] = [];
  // A crash's downtime and redelivery wait are not projection lag.
  for (const e of exec.crashed ? [] : first.events) {
    const at = exec.firstPublishAt.get(eventKey(e.tenant_id, e.agent_id, e.event_id));
    if (at !== undefined) lagMs.push(Math.max(0, Date.parse(e.projected_at) - at));
  }
  const refused = new Map<ClauseId, number>();
  for (const i of exec.refused) {
    const step = exec.schedule.steps[i];
    const clause = step?.op === 'publish' ? step.message.expectClause : undefined;
    if (clause !== undefined && isClauseId(clause)) refused.set(clause, (refused.get(clause) ?? 0) + 1);
  }
  return {
    findings,
    violations: findings,
    evidence,
    keysSeen: final.keys.length,
    refused,
    lagMs,
    reapplied,
    applied,
  };
}
