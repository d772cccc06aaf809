import { addEvidence } from '../core/finding.js';
import type { CheckOutcome, Finding } from '../core/finding.js';
import type { ObservedDlqRow, ObservedEventRecord } from '../target/observation.js';
import { compareOrderingKey } from 'continuum-contract';
import { canonicalOr, eventKey, droppedAsEarlierTwin } from './schedule-facts.js';
import { deadLettered } from './check-dlq.js';
import type { ScheduleFacts } from './schedule-facts.js';

/** What the events-table check reads. */
export interface EventsInput {
  facts: ScheduleFacts;
  events: ObservedEventRecord[];
  dlqRows: ObservedDlqRow[];
  /**
   * One consumer projected the run in stream order (one instance, no crash): each event's
   * outcome is then the model's in publish order. Otherwise only order-free outcomes are judged.
   */
  orderKnown: boolean;
  /** How much the projector's stale counter rose during the execution, when scraped. */
  staleCounted?: number;
}

const OUTCOMES = new Set(['applied', 'stale']);

/**
 * An event applied on its first delivery, delivered again, and recorded stale where no ordering
 * comparison could have refused it (no tie): a later copy was projected again and met the equal
 * row its first delivery wrote. With dedup the first outcome stands, so the broken rule is
 * CT-4.dedup, not CT-4.stale nor the guard.
 */
function reprocessed(k: string): Finding {
  return {
    clauseId: 'CT-4.dedup',
    message: `event ${k} is recorded stale, but its first delivery applied it: a later copy was projected again and rewrote its events record`,
  };
}

/**
 * Delivery accounting (CT-3.delivery): every valid event that reached the stream is in the
 * events table (applied or stale; a redelivery is the same record) or dead-lettered. Recorded
 * outcomes (CT-4.stale): a stale event is recorded with outcome stale, an applied one applied;
 * the newest event of an episode is applied in every arrival order.
 */
export function checkEvents(input: EventsInput): CheckOutcome {
  const { facts } = input;
  const out: CheckOutcome = { findings: [], evidence: new Map() };
  const recorded = new Map(input.events.map((e) => [eventKey(e.tenant_id, e.agent_id, e.event_id), e]));
  const newest = new Map<string, string>();
  for (const row of facts.model.rows())
    newest.set(eventKey(row.tenant_id, row.agent_id, row.episode_id), row.last_event_id);
  let staleRecorded = 0;
  for (const [k, e] of facts.valid) {
    const record = recorded.get(k);
    const modelOutcome = facts.firstOutcome.get(k);
    if (record === undefined) {
      if (deadLettered(input.dlqRows, e)) {
        addEvidence(out.evidence, 'CT-3.delivery');
        continue; // a valid event in the DLQ is checkDlq's finding
      }
      const twin = droppedAsEarlierTwin(
        facts,
        (o) => recorded.has(eventKey(o.tenant_id, o.agent_id, o.event_id)),
        e,
      );
      const finding: Finding =
        twin !== undefined
          ? {
              clauseId: 'CT-3.idempotency',
              message: `event ${k} is neither in the events table nor dead-lettered, while the same event_id under ${twin.tenant_id}/${twin.agent_id} is recorded: the dedup key must include tenant_id and agent_id`,
            }
          : facts.crashed
            ? {
                clauseId: 'CT-4.ack-after-commit',
                message: `event ${k} is neither in the events table nor dead-lettered after a kill -9 and restart: lost`,
              }
            : modelOutcome === 'stale'
              ? {
                  clauseId: 'CT-4.stale',
                  message: `stale event ${k} has no record in the events table (stale events are recorded, outcome stale)`,
                }
              : {
                  clauseId: 'CT-3.delivery',
                  message: `event ${k} reached the stream but is neither in the events table nor dead-lettered`,
                };
      out.findings.push(finding);
      continue;
    }
    addEvidence(out.evidence, 'CT-3.delivery');
    const outcome = record.outcome ?? 'applied';
    if (!OUTCOMES.has(outcome)) {
      out.findings.push({
        clauseId: 'CT-4.stale',
        message: `event ${k} is recorded with outcome ${JSON.stringify(outcome)}; the contract's outcomes are applied and stale`,
      });
      continue;
    }
    const isNewest = newest.get(eventKey(e.tenant_id, e.agent_id, e.episode_id)) === e.event_id;
    const rowBefore = facts.rowBefore.get(k);
    // Only an equal source_ts lets a broken comparison refuse an event its row should take.
    const guardCouldRefuse = input.orderKnown
      ? rowBefore !== undefined && canonicalOr(rowBefore.source_ts) === canonicalOr(e.source_ts)
      : (facts.byKey.get(eventKey(e.tenant_id, e.agent_id, e.episode_id)) ?? []).some(
          (o) => o.event_id !== e.event_id && canonicalOr(o.source_ts) === canonicalOr(e.source_ts),
        );
    if (
      outcome === 'stale' &&
      facts.deliveredAgain.has(k) &&
      !guardCouldRefuse &&
      (isNewest || (input.orderKnown && modelOutcome === 'applied'))
    ) {
      out.findings.push(reprocessed(k));
      continue;
    }
    if (
      input.orderKnown &&
      outcome === 'stale' &&
      rowBefore !== undefined &&
      compareOrderingKey(e, rowBefore) > 0
    ) {
      // Refused an event greater than its row: the comparison is wrong, not the stale handling.
      const tie = canonicalOr(rowBefore.source_ts) === canonicalOr(e.source_ts);
      out.findings.push({
        clauseId: tie ? 'CT-4.tie-break' : 'CT-4.guard',
        message: `event ${k} is recorded stale, but in stream order it is greater than its row${tie ? ' (equal source_ts: the greater event_id in byte order must win)' : ''}`,
      });
      continue;
    }
    if (isNewest && outcome === 'stale') {
      out.findings.push({
        clauseId: 'CT-4.stale',
        message: `event ${k} is the newest of its episode but recorded stale`,
      });
      continue;
    }
    if (!input.orderKnown || modelOutcome === undefined) continue;
    if (modelOutcome === 'stale') {
      addEvidence(out.evidence, 'CT-4.stale');
      if (outcome === 'stale') staleRecorded++;
    }
    if (outcome === 'applied' && modelOutcome === 'stale' && rowBefore !== undefined) {
      // Recorded applied at an equal instant though its event_id is not greater: the tie-break
      // took it for the winner (or, if the row did not change, the stale outcome is misrecorded).
      const tie = canonicalOr(rowBefore.source_ts) === canonicalOr(e.source_ts);
      if (tie) {
        out.findings.push({
          clauseId: 'CT-4.tie-break',
          message: `event ${k} is recorded applied, but at its row's equal source_ts its event_id is not greater in byte order: in stream order it is stale`,
        });
        continue;
      }
    }
    if (outcome !== modelOutcome) {
      out.findings.push({
        clauseId: 'CT-4.stale',
        message: `event ${k} is recorded ${outcome}, but in stream order it is ${modelOutcome}${modelOutcome === 'stale' ? ' (an event not greater than the row, and not a first delete)' : ''}`,
      });
    }
  }
  // The counting half of CT-4.stale: the counter rises at least once per stale event.
  if (input.staleCounted !== undefined && input.orderKnown && input.staleCounted < staleRecorded) {
    out.findings.push({
      clauseId: 'CT-4.stale',
      message: `${staleRecorded} stale events were recorded, but continuum_projector_events_total{outcome="stale"} rose by ${input.staleCounted}`,
    });
  }
  return out;
}
