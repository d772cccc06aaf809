import fc from 'fast-check';
import { ruleEdgeLabels } from '../arbitraries/rule-edges.js';
import type { RuleEvent } from '../arbitraries/rule-edges.js';
import { EDGE_LABEL_SEPARATOR } from '../arbitraries/spec-edges.js';
import { AGENTS, TENANTS } from './bind-schedule.js';
import { badInput } from './bad-input.js';
import type { BadInput } from './bad-input.js';
import { buildEvent, EDGE_OF, eventSpec, poolValues, resolveEvents } from './event-spec.js';
import type { EventObject, Pools } from './event-spec.js';
import { poisonMessages } from './poison-input.js';
import type { Schedule, ScheduleMessage, ScheduleStep } from './schedule.js';
import { SWEEP_KINDS, sweepMessage } from './validator-sweep.js';
import { generateRun } from '../core/seeded-random.js';
import { EPISODE_SUBJECT_PREFIX } from 'continuum-contract';

/** How a property's schedules are shaped. */
export interface Profile extends Pools {
  minEvents: number;
  maxEvents: number;
  /** Extra copies per event (same msg id: broker dedup; new msg id: forced redelivery). */
  maxCopies: number;
  /** 'shuffle': any permutation; 'window': each delivery moves at most `window` places. */
  reorder: 'shuffle' | 'window';
  window: number;
  /** Redeliver already-projected events after a settle, with new msg ids. */
  redeliveryPhase: boolean;
  maxMismatches: number;
  maxBadInputs: number;
  /** Insert kill -9 / restart steps of the projector under test. */
  crashes: boolean;
  /** Kinds of the corruption catalog (indexes into SWEEP_KINDS) every schedule carries. */
  sweepKinds?: readonly number[];
  /** Publish deep and wide poison (poison-input.ts) before every event of the schedule. */
  poison?: boolean;
  /** Draw the event count across the whole range (long schedules), not fast-check's small sizes. */
  long?: boolean;
}

/** Events per (tenant, agent, episode) a long schedule reaches. */
const LONG_EVENTS_PER_EPISODE = 20;

/**
 * The long twin of a profile: several episodes per tenant and agent, tens of events on each,
 * and more instants so guards see long timelines that still collide. It shrinks to the short
 * profile's lengths, so a failure found in a long run still shrinks to a few messages.
 */
export function longProfile(p: Profile): Profile {
  const episodes = Math.max(p.episodes, 3);
  return {
    ...p,
    episodes,
    instants: p.instants * 4,
    maxEvents: Math.max(p.maxEvents, p.tenants * p.agents * episodes * LONG_EVENTS_PER_EPISODE),
    long: true,
  };
}

/**
 * Short and long schedules, as many of each. Crash, sweep and poison schedules stay short:
 * each kill -9 waits for redelivery, and a sweep or poison run is about its one bad message.
 */
export function scheduleArbitrary(property: string, p: Profile): fc.Arbitrary<Schedule> {
  if (p.crashes || p.sweepKinds !== undefined || p.poison === true || p.long === true)
    return schedulesOf(property, p);
  return fc.oneof(
    { weight: 1, arbitrary: schedulesOf(property, p) },
    { weight: 1, arbitrary: schedulesOf(property, longProfile(p)) },
  );
}

/**
 * The corruption sweep as fixed schedules: for every consumer-rejected kind of the catalog, one
 * valid event, that kind's corruption of a forged copy of it, and the canary. A failure is
 * already a counterexample of a few messages: nothing random rides along to be shrunk away.
 */
export function sweepSchedules(property: string, p: Profile, seed: number): Schedule[] {
  return SWEEP_KINDS.map(
    (_, kind) =>
      generateRun(schedulesOf(property, { ...p, minEvents: 1, maxEvents: 1, sweepKinds: [kind] }), seed, kind)
        .value,
  );
}

const subjectOf = (t: string, a: string): string => `${EPISODE_SUBJECT_PREFIX}${t}.${a}`;
const msgIdOf = (e: EventObject): string => `${e.tenant_id}:${e.agent_id}:${e.event_id}`;

function valid(e: EventObject, msgId: string, redelivery = false): ScheduleMessage {
  const edge = EDGE_OF.get(e);
  return {
    kind: 'valid',
    subject: subjectOf(e.tenant_id, e.agent_id),
    msgId,
    data: JSON.stringify(e),
    ...(redelivery ? { redelivery } : {}),
    ...(edge === undefined ? {} : { label: edge }),
  };
}

interface Delivery {
  copies: number;
  newMsgId: boolean[];
  keys: number[];
}

/** Schedules for one profile: pools, events, deliveries, then bad input, mismatches and a canary. */
function schedulesOf(property: string, p: Profile): fc.Arbitrary<Schedule> {
  const copies = p.maxCopies + 1;
  const delivery: fc.Arbitrary<Delivery> = fc.record({
    copies: fc.nat(p.maxCopies),
    newMsgId: fc.array(fc.boolean(), { minLength: copies, maxLength: copies }),
    keys: fc.array(fc.nat(1000), { minLength: copies, maxLength: copies }),
  });
  return (
    fc
      // fc.record shrinks its fields in this order: what makes a schedule long (the events) goes
      // first, so a small shrink budget is spent on messages, not on pool values.
      .record({
        sweep: fc.constant<readonly number[]>(p.sweepKinds ?? []),
        specs: fc.array(fc.tuple(eventSpec(p), delivery), {
          minLength: p.minEvents,
          maxLength: p.maxEvents,
          ...(p.long === true ? { size: 'max' as const } : {}),
        }),
        bad: fc.array(fc.tuple(fc.nat(1000), fc.nat(1000)), {
          minLength: Math.min(1, p.maxBadInputs),
          maxLength: p.maxBadInputs,
        }),
        mismatches: fc.array(fc.tuple(fc.nat(1000), fc.boolean()), {
          minLength: Math.min(1, p.maxMismatches),
          maxLength: p.maxMismatches,
        }),
        redeliver: fc.array(fc.nat(1000), { maxLength: p.redeliveryPhase ? 6 : 0 }),
        crashAt: fc.array(fc.nat(1000), { minLength: p.crashes ? 1 : 0, maxLength: p.crashes ? 2 : 0 }),
        escape: fc.boolean(),
        pools: poolValues(p),
        // The canary's id never matters to a failure: shrinking it would spend the budget on nothing.
        canary: fc.noShrink(fc.ulid()),
      })
      .chain((g) => {
        const events = resolveEvents(
          g.specs.map(([s]) => s),
          g.pools,
        );
        // One draw of bad input per requested slot, built from an event of the schedule.
        const bases = g.bad
          .map(([i]) => events[i % Math.max(1, events.length)])
          .filter((e) => e !== undefined)
          .map((e) => forge(e, 'bad'));
        return fc.tuple(fc.constant(g), fc.constant(events), fc.tuple(...bases.map((b) => badInput(b))));
      })
      .map(([g, events, bads]) => build(property, p, g, events, bads as BadInput[]))
  );
}

/**
 * A copy of an event with a new id and the latest instant of the year: if the projector
 * wrongly projects it, it wins its row and shows up (dedup or the guard cannot hide it).
 */
export function forge(e: EventObject, summary: string): EventObject {
  const id = e.event_id;
  const last =
    id.at(-1) === 'Z' || id.at(-1) === 'f' ? (id.includes('-') ? 'e' : 'Y') : id.includes('-') ? 'f' : 'Z';
  return {
    ...e,
    event_id: `${id.slice(0, -1)}${last}`,
    source_ts: '2026-12-31T23:59:59.999999Z',
    payload: { ...(e.payload as object), summary },
  };
}

interface Generated {
  specs: [unknown, Delivery][];
  redeliver: number[];
  mismatches: [number, boolean][];
  bad: [number, number][];
  crashAt: number[];
  sweep: readonly number[];
  canary: string;
  escape: boolean;
  pools: { instants: { seconds: number; micros: number }[] };
}

function build(
  property: string,
  p: Profile,
  g: Generated,
  events: EventObject[],
  bads: BadInput[],
): Schedule {
  // Deliveries: every copy of every event, ordered by its sort key.
  const deliveries: { key: number; index: number; message: ScheduleMessage }[] = [];
  events.forEach((e, i) => {
    const d = g.specs[i]?.[1] ?? { copies: 0, newMsgId: [], keys: [] };
    for (let c = 0; c <= d.copies; c++) {
      const fresh = c > 0 && d.newMsgId[c] === true;
      const raw = d.keys[c] ?? 0;
      const key = p.reorder === 'window' ? i + (raw % (p.window + 1)) : raw;
      deliveries.push({
        key,
        index: deliveries.length,
        message: valid(e, fresh ? `${msgIdOf(e)}:r${c}` : msgIdOf(e), fresh),
      });
    }
  });
  // Bad input and mismatches are interleaved at positions drawn with them.
  bads.forEach((b, i) => {
    const at = g.bad[i]?.[1] ?? 0;
    const base = events[(g.bad[i]?.[0] ?? 0) % Math.max(1, events.length)];
    const subject =
      base === undefined ? subjectOf(TENANTS[0], AGENTS[0]) : subjectOf(base.tenant_id, base.agent_id);
    deliveries.push({
      key: at,
      index: deliveries.length,
      message: { kind: 'invalid', subject, data: b.data, expectClause: b.clause, label: b.label },
    });
    // A near miss's valid twin, before or after it.
    if (b.twin !== undefined)
      deliveries.push({
        key: (at + 500) % 1001,
        index: deliveries.length,
        message: valid(b.twin, msgIdOf(b.twin)),
      });
  });
  // The catalog sweep after the run's events (so it does not inflate their projection lag) and
  // before the canary (which shows consumption continued), each built from a forged event.
  g.sweep.forEach((kind, n) => {
    const base = events[n % Math.max(1, events.length)];
    if (base === undefined) return;
    const s = sweepMessage(kind, forge(base, 'swept'));
    if (s === undefined) return;
    deliveries.push({
      key: 1001 + n,
      index: deliveries.length,
      message: {
        kind: 'invalid',
        subject: subjectOf(base.tenant_id, base.agent_id),
        data: s.data,
        expectClause: s.clause,
        label: s.label,
        ...(s.credits.length > 0 ? { credits: s.credits } : {}),
      },
    });
  });
  g.mismatches.forEach(([i, agentOnly], n) => {
    const e = events[i % Math.max(1, events.length)];
    if (e === undefined) return;
    // Publish the envelope on a subject whose tenant (or agent) differs from its own.
    const tenant = agentOnly ? e.tenant_id : (TENANTS.find((t) => t !== e.tenant_id) ?? TENANTS[1]);
    const agent = agentOnly ? (AGENTS.find((a) => a !== e.agent_id) ?? AGENTS[1]) : e.agent_id;
    const forged = forge(e, 'forged');
    deliveries.push({
      key: i,
      index: deliveries.length,
      // The msg id names the forged event and its slot: two forgeries of events that share an
      // event_id (in different tenants) would otherwise share a msg id, and the broker's duplicate
      // window would drop the second before the projector under test ever saw it.
      message: {
        kind: 'mismatch',
        subject: subjectOf(tenant, agent),
        msgId: `${tenant}:${agent}:${forged.event_id}:m${n}`,
        data: JSON.stringify(forged),
        expectClause: 'CT-4.subject-match',
      },
    });
  });
  const first = events[0];
  if (p.maxMismatches > 0 && g.escape && first !== undefined) {
    // A tenant id that only a careless case-folding would map onto a real one: rejected, and
    // never projected into the lower-case tenant's rows.
    const upper = { ...forge(first, 'escaped'), tenant_id: first.tenant_id.toUpperCase() };
    deliveries.push({
      key: 0,
      index: deliveries.length,
      message: {
        kind: 'invalid',
        subject: subjectOf(upper.tenant_id, first.agent_id),
        data: JSON.stringify(upper),
        expectClause: 'CT-3.envelope.tenant_id',
      },
    });
  }
  if (p.poison === true && first !== undefined) {
    for (const message of poisonMessages(first, forge(first, 'wide')))
      deliveries.push({ key: -1, index: deliveries.length, message });
  }
  deliveries.sort((a, b) => a.key - b.key || a.index - b.index);
  const steps: ScheduleStep[] = deliveries.map((d) => ({ op: 'publish', message: d.message }));
  // The first kill aims at the message before it, published to an idle projector: it lands the
  // moment that message is acknowledged, before its commit if the projector acks first. Half the
  // time that is the first bad message: a DLQ entry is committed before its ack too.
  g.crashAt.forEach((at, n) => {
    const bad = steps.findIndex((s) => s.op === 'publish' && s.message.kind !== 'valid');
    const position =
      n === 0 && at % 2 === 1 && bad >= 0 ? bad + 1 : Math.min(steps.length, at % (steps.length + 1));
    const aimed = n === 0 && steps[position - 1]?.op === 'publish';
    steps.splice(position, 0, aimed ? { op: 'crash', aim: 'ack' } : { op: 'crash' });
    if (aimed) steps.splice(position - 1, 0, { op: 'idle' });
  });

  // A canary after everything: the consumer must still be consuming (CT-4.dlq, CT-4.consume).
  const instant = g.pools.instants[0] ?? { seconds: 0, micros: 0 };
  const ts = new Date(Date.UTC(2026, 0, 1) + instant.seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const canary = buildEvent(TENANTS[0], AGENTS[0], g.canary, ts, 'episode.created', g.canary, {
    payload: { content_ref: 'x:y', tags: ['canary'], metadata: {} },
  });
  steps.push({ op: 'publish', message: valid(canary, msgIdOf(canary)) });
  steps.push({ op: 'settle' });

  if (p.redeliveryPhase && g.redeliver.length > 0 && events.length > 0) {
    g.redeliver.forEach((r, n) => {
      const e = events[r % events.length] as EventObject;
      // Every other redelivery carries a different body under the same idempotency key: the
      // first projection must stand (x-delivery.conflicting_redelivery, CT-4.dedup).
      const body =
        n % 2 === 1 ? { ...e, payload: { ...(e.payload as object), summary: 'conflicting redelivery' } } : e;
      steps.push({ op: 'publish', message: valid(body, `${msgIdOf(e)}:d${n}`, true) });
    });
    steps.push({ op: 'settle' });
  }
  return { property, steps: withRuleEdges(steps) };
}

/**
 * Adds to each valid message's label the rule edges it sits on when it arrives (rule-edges.ts),
 * after its payload edge: `edge: summary.maxLength at-limit-astral; edge: CT-4.guard differs-below-ms`.
 * A copy under a msg id already sent is dropped by the broker, so it exercises nothing.
 */
function withRuleEdges(steps: ScheduleStep[]): ScheduleStep[] {
  const sentIds = new Set<string>();
  const arriving: { step: number; event: RuleEvent }[] = [];
  steps.forEach((s, i) => {
    if (s.op !== 'publish' || s.message.kind !== 'valid') return;
    if (s.message.msgId !== undefined && sentIds.has(s.message.msgId)) return;
    if (s.message.msgId !== undefined) sentIds.add(s.message.msgId);
    arriving.push({ step: i, event: JSON.parse(s.message.data) as RuleEvent });
  });
  const labels = ruleEdgeLabels(arriving.map((a) => a.event));
  const out = [...steps];
  arriving.forEach(({ step }, n) => {
    const s = out[step];
    const rules = labels[n] ?? [];
    if (s?.op !== 'publish' || rules.length === 0) return;
    const label = [...(s.message.label === undefined ? [] : [s.message.label]), ...rules].join(
      EDGE_LABEL_SEPARATOR,
    );
    out[step] = { op: 'publish', message: { ...s.message, label } };
  });
  return out;
}
