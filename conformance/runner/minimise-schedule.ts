import type { ClauseId } from 'continuum-contract';
import type { Finding } from '../core/finding.js';
import { settleAll } from '../core/settle-all.js';
import type { Schedule, ScheduleMessage, ScheduleSize, ScheduleStep } from '../streams/schedule.js';

/**
 * Minimises a failing schedule as data: fewer messages, then simpler payloads, every candidate a
 * real execution against the implementation. A generated schedule shrinks poorly through its
 * arbitrary (its messages are built by a `chain` away from the drawn values), so the
 * counterexample is cut down directly.
 *
 * What every candidate keeps: settle, idle and crash steps; the canary (the last message before the
 * first settle, where `build()` puts it); a message after the first settle (the redelivery
 * phase) only while its event is still delivered before that settle, or a correct projector
 * would be blamed for projecting a first delivery after the snapshot. A later settle with nothing
 * published since the previous one goes. Payloads keep every envelope field, and bodies that
 * differed under one event id (a conflicting redelivery) still differ.
 */

export interface MinimiseOptions {
  /** A candidate fails only if its findings name every one of these clauses. */
  target: readonly ClauseId[];
  /** Executions allowed. */
  budget: number;
  /** Candidates executed at once. */
  width: number;
  /** Wall-clock instant (ms since epoch) after which no candidate starts. */
  deadline: number;
}

/**
 * How a minimised schedule derives from the generated one: the removable steps kept (indexes into
 * its steps) and, when payloads were simplified, the payload fields kept as they were.
 */
export interface Reduction {
  kept: number[];
  fields?: string[];
}

export interface Minimised<O> {
  schedule: Schedule;
  /** Undefined when no candidate beat the start. */
  reduction?: Reduction;
  /** The outcome of the schedule returned; undefined when no candidate beat the start. */
  outcome?: O;
  executions: number;
  before: ScheduleSize;
  after: ScheduleSize;
}

type Outcome = { findings: readonly Finding[] };

export const scheduleSize = (s: Schedule): ScheduleSize => ({
  messages: s.steps.filter((x) => x.op === 'publish').length,
  steps: s.steps.length,
});

/** The smallest schedule found within the budget that still fails on every target clause. */
export async function minimiseSchedule<O extends Outcome>(
  start: Schedule,
  execute: (schedule: Schedule) => Promise<O>,
  options: MinimiseOptions,
): Promise<Minimised<O>> {
  const prober = new Prober(execute, options, start);
  const shape = analyse(start);
  // Payload simplification needs a window of its own: one candidate, then one per field.
  prober.cap = options.budget - Math.min(Math.floor(options.budget / 4), 1 + options.width);
  let kept = shape.removable;
  const groups = groupByRow(start, kept);
  if (groups.length > 1)
    kept = (await ddmin(prober, groups, groups.length, (g) => shape.build(g.flat()))).flat();
  // Messages rarely fail alone once their row is isolated: only dropping chunks is tried.
  const singles = kept.map((i) => [i]);
  kept = (await ddmin(prober, singles, options.width, (s) => shape.build(s.flat()), false)).flat();
  prober.cap = options.budget;
  const fields = await simplifyPayloads(prober, shape.build(kept), shape.canary);
  const reduction = { kept, ...(fields === undefined ? {} : { fields }) };
  const schedule = applyReduction(start, reduction);
  const outcome = prober.outcomeOf(schedule);
  const found = outcome !== undefined && JSON.stringify(schedule.steps) !== JSON.stringify(start.steps);
  return {
    schedule: found ? schedule : start,
    ...(found ? { reduction, outcome } : {}),
    executions: prober.executions,
    before: scheduleSize(start),
    after: scheduleSize(found ? schedule : start),
  };
}

/** The schedule a minimisation of `start` made: the same steps, payloads, and ids, every time. */
export function applyReduction(start: Schedule, m: Reduction): Schedule {
  const shape = analyse(start);
  const reduced = shape.build(m.kept);
  return m.fields === undefined ? reduced : simplified(reduced, shape.canary, new Set(m.fields));
}

/** `~kept,steps[~kept,fields]`: appended to a run's path, it names a minimised schedule. */
export function formatReduction(m: Reduction): string {
  return `~${m.kept.join(',')}${m.fields === undefined ? '' : `~${m.fields.join(',')}`}`;
}

/** The run's own path and the minimisation after it, if any; undefined for a malformed suffix. */
export function parseMinimisedPath(path: string): { run: string; reduction?: Reduction } | undefined {
  const [run = '', kept, fields, ...rest] = path.split('~');
  if (kept === undefined) return { run };
  const steps = kept === '' ? [] : kept.split(',').map(Number);
  if (rest.length > 0 || steps.some((n) => !Number.isInteger(n) || n < 0)) return undefined;
  const reduction: Reduction = { kept: steps };
  if (fields !== undefined) reduction.fields = fields === '' ? [] : fields.split(',');
  return { run, reduction };
}

/** Runs candidates a window at a time and remembers every outcome. */
class Prober<O extends Outcome> {
  executions = 0;
  cap: number;
  private readonly seen = new Map<string, O | undefined>();

  constructor(
    private readonly execute: (schedule: Schedule) => Promise<O>,
    private readonly o: MinimiseOptions,
    start: Schedule,
  ) {
    this.cap = o.budget;
    this.seen.set(JSON.stringify(start.steps), undefined);
  }

  left(): boolean {
    return this.executions < this.cap && Date.now() < this.o.deadline;
  }

  /**
   * The failing candidates, by index. With `firstOnly`, windows stop at the first one holding a
   * failure and only its first failure is returned; otherwise every candidate runs (budget
   * permitting). Either way the answer does not depend on the width.
   */
  async failing(candidates: Schedule[], firstOnly: boolean): Promise<number[]> {
    const keys = candidates.map((c) => JSON.stringify(c.steps));
    const hits: number[] = [];
    for (let at = 0; at < candidates.length;) {
      const window: number[] = [];
      const room = Math.max(1, this.o.width);
      for (; at < candidates.length && window.length < room; at++) {
        const key = keys[at] as string;
        if (this.seen.has(key) || window.some((i) => keys[i] === key)) continue;
        if (this.executions + window.length >= this.cap || Date.now() >= this.o.deadline) break;
        window.push(at);
      }
      if (window.length === 0 && at < candidates.length) break;
      this.executions += window.length;
      const outcomes = await settleAll(window.map((i) => this.execute(candidates[i] as Schedule)));
      window.forEach((i, n) => this.seen.set(keys[i] as string, outcomes[n]));
      for (let i = 0; i < at; i++) {
        const outcome = this.seen.get(keys[i] as string);
        if (!hits.includes(i) && outcome !== undefined && this.fails(outcome)) hits.push(i);
      }
      if (firstOnly && hits.length > 0) break;
    }
    hits.sort((x, y) => x - y);
    return firstOnly ? hits.slice(0, 1) : hits;
  }

  /** The outcome of a failing schedule that ran (or the start's: undefined). */
  outcomeOf(schedule: Schedule): O | undefined {
    const outcome = this.seen.get(JSON.stringify(schedule.steps));
    return outcome !== undefined && this.fails(outcome) ? outcome : undefined;
  }

  private fails(outcome: O): boolean {
    const named = new Set(outcome.findings.map((f) => f.clauseId));
    return this.o.target.every((c) => named.has(c));
  }
}

/**
 * Delta debugging over atoms, `n0` chunks to start with: keep only one chunk if one fails alone
 * (the first in order, when `tryAlone`); else drop every chunk whose removal still fails, together if that fails
 * too, else the first; refine the chunks when nothing fails. Returns the atoms kept.
 */
async function ddmin<A>(
  prober: Prober<Outcome>,
  atoms: A[],
  n0: number,
  build: (atoms: A[]) => Schedule,
  tryAlone = true,
): Promise<A[]> {
  let current = atoms;
  let n = Math.max(2, Math.min(n0, current.length));
  const take = (kept: A[], chunks: number): void => {
    current = kept;
    n = Math.max(2, Math.min(chunks, current.length));
  };
  while (current.length >= 2 && prober.left()) {
    const chunks = split(current, n);
    // With two chunks, keeping one is dropping the other.
    if (tryAlone && chunks.length > 2) {
      const [alone] = await prober.failing(chunks.map(build), true);
      if (alone !== undefined) {
        take(chunks[alone] as A[], n0);
        continue;
      }
    }
    const without = (drop: number[]): A[] => chunks.filter((_, j) => !drop.includes(j)).flat();
    const droppable = await prober.failing(
      chunks.map((_, i) => build(without([i]))),
      false,
    );
    const [first] = droppable;
    if (first === undefined) {
      if (n >= current.length) break;
      n = Math.min(2 * n, current.length);
    } else if (droppable.length > 1 && (await prober.failing([build(without(droppable))], true)).length > 0)
      take(without(droppable), n0);
    else take(without([first]), n - 1);
  }
  return current;
}

function split<A>(items: A[], n: number): A[][] {
  const out: A[][] = [];
  let from = 0;
  for (let i = 1; i <= n; i++) {
    const to = Math.round((i * items.length) / n);
    if (to > from) out.push(items.slice(from, to));
    from = to;
  }
  return out;
}

interface Shape {
  /** Indexes of the publish steps a candidate may drop. */
  removable: number[];
  canary: ScheduleMessage | undefined;
  /** The schedule keeping these removable steps, and only what the invariants let stay with them. */
  build: (kept: number[]) => Schedule;
}

function analyse(schedule: Schedule): Shape {
  const steps = schedule.steps;
  const firstSettle = steps.findIndex((s) => s.op === 'settle');
  let canary = -1;
  steps.forEach((s, i) => {
    if (s.op === 'publish' && (firstSettle < 0 || i < firstSettle)) canary = i;
  });
  const canaryStep = steps[canary];
  return {
    removable: steps.flatMap((s, i) => (s.op === 'publish' && i !== canary ? [i] : [])),
    canary: canaryStep?.op === 'publish' ? canaryStep.message : undefined,
    build: (kept) => {
      const keep = new Set(kept);
      const delivered = new Set<string>();
      const out: ScheduleStep[] = [];
      let settled = false;
      let publishedSinceSettle = false;
      steps.forEach((step, i) => {
        if (step.op === 'settle') {
          if (!settled || publishedSinceSettle) out.push(step);
          settled = true;
          publishedSinceSettle = false;
          return;
        }
        if (step.op === 'publish' && i !== canary) {
          if (!keep.has(i)) return;
          const key = step.message.kind === 'valid' ? eventKeyOf(parseObject(step.message.data)) : undefined;
          if (key !== undefined && settled && !delivered.has(key)) return;
          if (key !== undefined && !settled) delivered.add(key);
        }
        out.push(step);
        if (step.op === 'publish') publishedSinceSettle = true;
      });
      return { property: schedule.property, steps: out };
    },
  };
}

function parseObject(data: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(data) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const eventKeyOf = (e: Record<string, unknown> | undefined): string | undefined =>
  e === undefined ? undefined : `${String(e.tenant_id)}/${String(e.agent_id)}/${String(e.event_id)}`;

/**
 * The removable steps grouped by the row their event addresses (tenant/agent/episode), all bad
 * input in one group: most defects need the messages of one row, or one bad message.
 */
function groupByRow(schedule: Schedule, removable: number[]): number[][] {
  const groups = new Map<string, number[]>();
  for (const i of removable) {
    const step = schedule.steps[i];
    if (step?.op !== 'publish') continue;
    const e = step.message.kind === 'invalid' ? undefined : parseObject(step.message.data);
    const key =
      e === undefined ? 'bad input' : `${String(e.tenant_id)}/${String(e.agent_id)}/${String(e.episode_id)}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  return [...groups.values()];
}

/** A payload field a candidate keeps as it was; 'metadata.ck_body' is the planted marker alone. */
type Field = string;

const SIMPLE_CONTENT_REF = 'x:y';

/**
 * Every valid and mismatch payload but the canary's at its simplest (`{content_ref: 'x:y',
 * tags: [], metadata: {}}`) if that still fails, else the fewest fields kept as they were.
 */
async function simplifyPayloads(
  prober: Prober<Outcome>,
  schedule: Schedule,
  canary: ScheduleMessage | undefined,
): Promise<Field[] | undefined> {
  const fields = new Set<Field>();
  for (const step of schedule.steps) {
    const payload = step.op === 'publish' ? payloadOf(step.message, canary)?.payload : undefined;
    for (const [k, v] of Object.entries(payload ?? {})) {
      if (k !== 'metadata') fields.add(k);
      else for (const m of Object.keys(asObject(v))) fields.add(metadataField(m));
    }
  }
  if (fields.size === 0 || !prober.left()) return undefined;
  const build = (keep: Field[]): Schedule => simplified(schedule, canary, new Set(keep));
  if ((await prober.failing([build([])], true)).length > 0) return [];
  if (fields.size < 2) return undefined;
  const kept = await ddmin(prober, [...fields], fields.size, build);
  return kept.length < fields.size ? kept : undefined;
}

const metadataField = (key: string): Field => (key === 'ck_body' ? 'metadata.ck_body' : 'metadata');

const asObject = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** The event of a valid or mismatch message (not the canary) and its payload object. */
function payloadOf(
  message: ScheduleMessage,
  canary: ScheduleMessage | undefined,
): { event: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  if (message === canary || message.kind === 'invalid') return undefined;
  const event = parseObject(message.data);
  const payload = event?.payload;
  if (event === undefined || payload === null || typeof payload !== 'object' || Array.isArray(payload))
    return undefined;
  return { event, payload: payload as Record<string, unknown> };
}

/** The schedule with each payload reduced to the fields in `keep`, the others at their simplest. */
function simplified(schedule: Schedule, canary: ScheduleMessage | undefined, keep: Set<Field>): Schedule {
  // Per event id, each distinct original body and the simple body standing for it.
  const standIns = new Map<string, Map<string, string>>();
  const steps = schedule.steps.map((step): ScheduleStep => {
    const parts = step.op === 'publish' ? payloadOf(step.message, canary) : undefined;
    if (step.op !== 'publish' || parts === undefined) return step;
    const bodies = standIns.get(eventKeyOf(parts.event) ?? '') ?? new Map<string, string>();
    standIns.set(eventKeyOf(parts.event) ?? '', bodies);
    const original = JSON.stringify(parts.payload);
    let text = bodies.get(original);
    if (text === undefined) {
      const simple = simplePayload(parts.payload, keep);
      text = JSON.stringify(simple);
      if ([...bodies.values()].includes(text))
        text = JSON.stringify({ ...simple, summary: `v${bodies.size}` });
      bodies.set(original, text);
    }
    if (text === original) return step;
    const message: ScheduleMessage = {
      ...step.message,
      data: JSON.stringify({ ...parts.event, payload: JSON.parse(text) as unknown }),
    };
    // An edge label describes the original payload.
    if (message.label?.startsWith('edge:') === true) delete message.label;
    return { op: 'publish', message };
  });
  return { property: schedule.property, steps };
}

function simplePayload(payload: Record<string, unknown>, keep: Set<Field>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (k === 'metadata')
      out.metadata = Object.fromEntries(
        Object.entries(asObject(v)).filter(([m]) => keep.has(metadataField(m))),
      );
    else if (keep.has(k)) out[k] = v;
    else if (k === 'content_ref') out.content_ref = SIMPLE_CONTENT_REF;
    else if (k === 'tags') out.tags = [];
  }
  return out;
}
