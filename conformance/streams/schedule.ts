import type { ScheduleTarget } from './schedule-target.js';

/**
 * A schedule: what the kit publishes, in order, and where it stops to observe. Schedules are
 * written with placeholder tenant/agent ids (see `bind-schedule.ts`) so that every execution,
 * including each shrink step and a replay, runs under fresh ids no earlier run has touched.
 */

/** What the kit expects the projector to do with one message. */
export type MessageKind =
  /** A valid event on its own subject: projected per the model. */
  | 'valid'
  /** Fails validation (schema, size, JSON): DLQ, never projected (CT-4.dlq). */
  | 'invalid'
  /** A valid envelope on another tenant's or agent's subject: DLQ (CT-4.subject-match). */
  | 'mismatch';

/** One message as published. `data` is the exact body, possibly not JSON at all. */
export interface ScheduleMessage {
  kind: MessageKind;
  subject: string;
  /** Nats-Msg-Id header; absent publishes without one. */
  msgId?: string;
  data: string;
  /** The clause a DLQ entry for this message should name (invalid and mismatch only). */
  expectClause?: string;
  /** Marks a forced redelivery of an event already published (different msg id). */
  redelivery?: boolean;
  /** What the message is (bad input: the corruption kind), for reports. */
  label?: string;
  /** Further clauses a correct rejection of this message exercises (e.g. CT-11.reflex-refs). */
  credits?: string[];
}

/** One step of a schedule. */
export type ScheduleStep =
  | { op: 'publish'; message: ScheduleMessage }
  /** Wait until the target is quiescent and snapshot its state (duplicate checks compare snapshots). */
  | { op: 'settle' }
  /**
   * kill -9 the projector under test and start it again (needs --projector-cmd); with `aim:
   * 'ack'`, the kill waits until the consumer has acknowledged the message published last, and
   * lands at once: between that ack and the commit, if the projector acknowledges first.
   */
  | { op: 'crash'; aim?: 'ack' }
  /**
   * Wait until the projector has acknowledged everything published so far, observing nothing:
   * the message published next is then the one it handles when a kill -9 follows at once.
   */
  | { op: 'idle' };

/** A schedule, as generated (placeholders) or as executed (concrete ids). */
export interface Schedule {
  /** The property that generated it. */
  property: string;
  steps: ScheduleStep[];
}

/** The placeholder-to-id binding an execution used. */
export interface IdBinding {
  token: string;
  ids: Record<string, string>;
}

/** What `replay` reads: the schedule with placeholders, the binding it ran with, and context. */
export interface ScheduleFile {
  kind: 'continuum-kit.schedule';
  version: 1;
  property: string;
  clauses: string[];
  seed: number;
  path?: string;
  schedule: Schedule;
  executed: Schedule;
  binding: IdBinding;
  violations?: { clauseId: string; message: string }[];
  /** The target it ran against, for `conformance replay` (absent in files of older kits). */
  target?: ScheduleTarget;
  /**
   * Present when `schedule` was minimised from the failing run that `seed` and `path` name:
   * `replay` reruns `schedule` as recorded, and regenerating from the seed gives the larger run.
   */
  minimised?: Minimisation;
}

export interface ScheduleSize {
  messages: number;
  steps: number;
}

/** What minimising a failing schedule took, and its sizes before and after. */
export interface Minimisation {
  executions: number;
  before: ScheduleSize;
  after: ScheduleSize;
}

/** The messages of a schedule, in publish order. */
export function scheduleMessages(schedule: Schedule): ScheduleMessage[] {
  const out: ScheduleMessage[] = [];
  for (const step of schedule.steps) if (step.op === 'publish') out.push(step.message);
  return out;
}
