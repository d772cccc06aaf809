import {
  canonicalSourceTs,
  ProjectionModel,
  type ApplyOutcome,
  type ModelEvent,
  type OrderingKey,
} from 'continuum-contract';
import type { Schedule, ScheduleMessage } from '../streams/schedule.js';
import { scheduleMessages } from '../streams/schedule.js';

/** What a bound schedule implies: the model, and which message carried which event. */
export interface ScheduleFacts {
  model: ProjectionModel;
  /** Valid events by `tenant/agent/event_id`. */
  valid: Map<string, ModelEvent>;
  /** Valid events by `tenant/agent/episode_id`. */
  byKey: Map<string, ModelEvent[]>;
  /** Invalid and mismatch messages, with what could be parsed of them. */
  rejected: { message: ScheduleMessage; parsed?: Partial<ModelEvent> }[];
  hasBadInput: boolean;
  crashed: boolean;
  /** The model's outcome of each valid event's first delivery, in publish order. */
  firstOutcome: Map<string, Exclude<ApplyOutcome, 'duplicate'>>;
  /** The row's ordering key just before each valid event's first delivery, when it had a row. */
  rowBefore: Map<string, OrderingKey>;
  /** Deliveries of an event already delivered (copies and redeliveries that reached the stream). */
  duplicateDeliveries: number;
  /** Valid events delivered more than once, by `tenant/agent/event_id`. */
  deliveredAgain: Set<string>;
  /** Later bodies under an idempotency key already delivered with a different body, by key. */
  conflicts: Map<string, ModelEvent[]>;
  /**
   * Valid events whose event_id was first delivered earlier under another tenant or agent, by
   * `tenant/agent/event_id`, with that earlier event.
   */
  earlierTwin: Map<string, ModelEvent>;
}

export const eventKey = (t: string, a: string, id: string): string => `${t}/${a}/${id}`;

/** Facts of a bound schedule; `refused` lists steps the broker refused or deduplicated, which never reached the target. */
export function scheduleFacts(schedule: Schedule, refused: number[] = []): ScheduleFacts {
  const model = new ProjectionModel();
  const valid = new Map<string, ModelEvent>();
  const byKey = new Map<string, ModelEvent[]>();
  const rejected: ScheduleFacts['rejected'] = [];
  const firstOutcome: ScheduleFacts['firstOutcome'] = new Map();
  const rowBefore: ScheduleFacts['rowBefore'] = new Map();
  let duplicateDeliveries = 0;
  const deliveredAgain = new Set<string>();
  const conflicts: ScheduleFacts['conflicts'] = new Map();
  const earlierTwin = new Map<string, ModelEvent>();
  const firstWithId = new Map<string, ModelEvent>();
  const skip = new Set(refused);
  const kept: Schedule = { ...schedule, steps: schedule.steps.filter((_, i) => !skip.has(i)) };
  for (const m of scheduleMessages(kept)) {
    if (m.kind === 'valid') {
      const e = JSON.parse(m.data) as ModelEvent;
      const k = eventKey(e.tenant_id, e.agent_id, e.event_id);
      const before = model.row(e);
      if (before !== undefined && !firstOutcome.has(k))
        rowBefore.set(k, { source_ts: before.last_event_ts, event_id: before.last_event_id });
      const outcome = model.apply(e);
      if (outcome === 'duplicate') {
        duplicateDeliveries++;
        deliveredAgain.add(k);
        if (valid.has(k) && JSON.stringify(valid.get(k)) !== JSON.stringify(e))
          conflicts.set(k, [...(conflicts.get(k) ?? []), e]);
      } else if (!firstOutcome.has(k)) firstOutcome.set(k, outcome);
      if (!valid.has(k)) {
        valid.set(k, e);
        const first = firstWithId.get(e.event_id);
        if (first === undefined) firstWithId.set(e.event_id, e);
        else earlierTwin.set(k, first);
        const rk = eventKey(e.tenant_id, e.agent_id, e.episode_id);
        byKey.set(rk, [...(byKey.get(rk) ?? []), e]);
      }
    } else {
      let parsed: Partial<ModelEvent> | undefined;
      try {
        const v = JSON.parse(m.data) as unknown;
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) parsed = v as Partial<ModelEvent>;
      } catch {
        parsed = undefined;
      }
      rejected.push(parsed === undefined ? { message: m } : { message: m, parsed });
    }
  }
  return {
    model,
    valid,
    byKey,
    rejected,
    hasBadInput: rejected.length > 0,
    crashed: schedule.steps.some((s) => s.op === 'crash'),
    firstOutcome,
    rowBefore,
    duplicateDeliveries,
    deliveredAgain,
    conflicts,
    earlierTwin,
  };
}

/** Canonical source_ts, or the input when it is outside the format. */
export function canonicalOr(ts: string): string {
  try {
    return canonicalSourceTs(ts);
  } catch {
    return ts;
  }
}

/**
 * The earlier event under another tenant or agent whose event_id `e` shares, when the projector
 * dropped `e` as its duplicate: `e` and every other such later twin of the run are unrecorded
 * while the earlier one is recorded (a dedup keyed on event_id alone). A run in which some later
 * twin was recorded lost `e` for another reason.
 */
export function droppedAsEarlierTwin(
  facts: ScheduleFacts,
  isRecorded: (o: ModelEvent) => boolean,
  e: ModelEvent,
): ModelEvent | undefined {
  const twin = facts.earlierTwin.get(eventKey(e.tenant_id, e.agent_id, e.event_id));
  if (twin === undefined || isRecorded(e) || !isRecorded(twin)) return undefined;
  for (const k of facts.earlierTwin.keys()) {
    const later = facts.valid.get(k);
    if (later !== undefined && isRecorded(later)) return undefined;
  }
  return twin;
}
