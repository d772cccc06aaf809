import { headers } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import type pg from 'pg';
import {
  brokerMsgId,
  CONTRACT,
  episodeSubjectFilter,
  isEventId,
  isScopedId,
  sourceTsToMicros,
} from 'continuum-contract';
import { canonicalJson } from '../check/canonical-json.js';
import type { Violation } from '../check/violation.js';
import { captureSubject, readBus } from './capture-subject.js';
import type { CapturedMessage } from './capture-subject.js';
import type { DriverClient } from './driver-client.js';
import { projectionSnapshot, projectorCaughtUp, snapshotDiff } from './projection-snapshot.js';

/** A local write the kit made through the driver, as the driver reported it. */
export interface ProducerWrite {
  tenant: string;
  agent: string;
  episodeId: string;
  eventId: string;
  sourceTs: string;
  sensitive: boolean;
  busDown: boolean;
}

/** What the backfill checks need from one producer execution. */
export interface BackfillInput {
  driver: DriverClient;
  js: JetStreamClient;
  /** Set when a projector consumes this deployment: replay idempotence is then judged on rows. */
  projectorDb?: pg.Pool;
  tenant: string;
  agents: string[];
  writes: ProducerWrite[];
  /** The tenant's stream before the backfills (the original exports). */
  bus: CapturedMessage[];
}

/**
 * Instants compare by value: '.5Z' and '.500Z' are the same instant (a driver may spell either).
 * A timestamp outside the contract's format (the bus check files it) compares by Date.parse.
 */
function compareTs(a: string, b: string): number {
  let x: bigint | number, y: bigint | number;
  try {
    [x, y] = [sourceTsToMicros(a), sourceTsToMicros(b)];
  } catch {
    [x, y] = [Date.parse(a), Date.parse(b)];
  }
  return x === y ? 0 : x < y ? -1 : 1;
}

const parse = (data: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(data) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

/**
 * Dry-run and real backfill of a sub-range of one agent's writes. A dry run publishes nothing
 * (seen on core NATS, so even republishing inside the duplicate window counts) and reports the
 * exact count (CT-8.dry-run, CT-8.backfill-params). The real one republishes exactly the
 * change-log entries in range, byte-for-byte the events first exported under the same ids
 * (CT-8.replay-source); it adds nothing to the stream, and, with a projector present, the
 * replayed events change no projection row or event record (CT-8.replay-idempotent).
 */
export async function backfillChecks(
  input: BackfillInput,
  v: Violation[],
  exercised: Set<string>,
): Promise<void> {
  const { driver, js, tenant, agents, writes, bus } = input;
  const mine = writes.filter((w) => w.agent === agents[0]).sort((a, b) => compareTs(a.sourceTs, b.sourceTs));
  if (mine.length === 0) return;
  const from = (mine[Math.floor(mine.length / 3)] as ProducerWrite).sourceTs;
  const last = mine[mine.length - 1] as ProducerWrite;
  // The range is half-open: ending it exactly at the last write leaves that write out, which a
  // backfill that takes to_ts inclusively would republish.
  const to =
    compareTs(last.sourceTs, from) > 0
      ? last.sourceTs
      : new Date(Date.parse(last.sourceTs) + 1000).toISOString();
  const inRange = (ts: string): boolean => compareTs(ts, from) >= 0 && compareTs(ts, to) < 0;
  const expected = mine.filter((w) => !w.sensitive && inRange(w.sourceTs));
  const request = { from_ts: from, to_ts: to, tenant_id: tenant, agent_id: agents[0], dry_run: true };
  const subject = episodeSubjectFilter(tenant);
  exercised.add('CT-8.dry-run').add('CT-8.backfill-params').add('CT-8.replay-idempotent');

  const dryCapture = await captureSubject(js, subject);
  const dry = await driver.call('POST', '/backfill', request);
  const dryPublished = await dryCapture.stop();
  if (dry.status !== 200) {
    v.push({
      clauseId: 'CT-8.dry-run',
      message: `dry-run backfill answered ${dry.status}: ${JSON.stringify(dry.body).slice(0, 200)}`,
    });
    return;
  }
  if (dry.body.published !== 0)
    v.push({ clauseId: 'CT-8.dry-run', message: `dry run reports ${String(dry.body.published)} published` });
  if (dryPublished.length > 0)
    v.push({
      clauseId: 'CT-8.dry-run',
      message: `a dry run published ${dryPublished.length} messages on ${subject} (first ${dryPublished[0]?.data.slice(0, 120)})`,
    });
  if (dry.body.to_publish !== expected.length)
    v.push({
      clauseId: 'CT-8.backfill-params',
      message: `backfill of ${from}..${to} for ${tenant}/${agents[0]} would send ${String(dry.body.to_publish)} events; the kit wrote ${expected.length} exportable ones in that range`,
    });

  const before = input.projectorDb === undefined ? undefined : await settledSnapshot(input, v);
  const capture = await captureSubject(js, subject);
  const real = await driver.call('POST', '/backfill', { ...request, dry_run: false });
  const replayed = await capture.stop();
  if (real.status !== 200)
    v.push({ clauseId: 'CT-8.replay-idempotent', message: `backfill answered ${real.status}` });
  checkReplaySource(input, { from, to, expected }, replayed, v);
  exercised.add('CT-8.replay-source');
  // Within the stream's duplicate window the replay is deduplicated by Nats-Msg-Id: nothing new.
  const afterReal = (await readBus(js, tenant)).length;
  if (afterReal !== bus.length)
    v.push({
      clauseId: 'CT-8.replay-idempotent',
      message: `replaying ${from}..${to} added ${afterReal - bus.length} messages to the stream (Nats-Msg-Id must make it idempotent)`,
    });
  if (before !== undefined && input.projectorDb !== undefined) {
    // A replay later than the duplicate window reaches the projector: deliver the captured replay
    // again under fresh msg ids, as the broker would after the window, and compare the rows.
    for (const m of replayed) {
      const h = headers();
      h.set(CONTRACT.headers.msgId, `${m.msgId ?? 'none'}:ck-replay`);
      await js.publish(m.subject, m.data, { headers: h });
    }
    await projectorCaughtUp(js, 15_000);
    const diff = snapshotDiff(before, await projectionSnapshot(input.projectorDb, tenant));
    if (diff.length > 0)
      v.push({
        clauseId: 'CT-8.replay-idempotent',
        message: `replaying ${from}..${to} (${replayed.length} events, delivered past the duplicate window) changed the projection: ${diff.slice(0, 3).join('; ')}`,
      });
  }
}

async function settledSnapshot(input: BackfillInput, v: Violation[]) {
  if (!(await projectorCaughtUp(input.js, 15_000)))
    v.push({
      clauseId: 'CT-8.replay-idempotent',
      message: 'the projector did not catch up within 15 s before the replay (rows are compared anyway)',
    });
  return projectionSnapshot(input.projectorDb as pg.Pool, input.tenant);
}

/** The replay is exactly the change-log entries in range, as first exported, under the same ids. */
function checkReplaySource(
  input: BackfillInput,
  range: { from: string; to: string; expected: ProducerWrite[] },
  replayed: CapturedMessage[],
  v: Violation[],
): void {
  const byId = new Map(input.writes.map((w) => [w.eventId, w]));
  const original = new Map<string, string>();
  for (const m of input.bus) {
    const e = parse(m.data);
    if (typeof e?.event_id === 'string') original.set(e.event_id, canonicalJson(e));
  }
  const got = new Set<string>();
  for (const m of replayed) {
    const e = parse(m.data);
    const id = typeof e?.event_id === 'string' ? e.event_id : undefined;
    const w = id === undefined ? undefined : byId.get(id);
    if (e === undefined || id === undefined || w === undefined) {
      v.push({
        clauseId: 'CT-8.replay-source',
        message: `the backfill published an event the kit never wrote (event_id ${String(id)}): a replay republishes change-log entries, it does not mint new events`,
      });
      continue;
    }
    got.add(id);
    if (w.sensitive)
      v.push({ clauseId: 'CT-3.export-policy', message: `the backfill exported sensitive event ${id}` });
    else if (
      w.agent !== input.agents[0] ||
      compareTs(w.sourceTs, range.from) < 0 ||
      compareTs(w.sourceTs, range.to) >= 0
    )
      v.push({
        clauseId: 'CT-8.backfill-params',
        message: `the backfill of ${w.tenant}/${input.agents[0]} ${range.from}..${range.to} republished ${id} of ${w.agent} at ${w.sourceTs}, outside the parameters`,
      });
    const first = original.get(id);
    if (first !== undefined && first !== canonicalJson(e))
      v.push({
        clauseId: 'CT-8.replay-source',
        message: `event ${id} was republished with other content than first exported (the change-log entry, not the current episode, is the replay source)`,
      });
    // An id outside the contract's format has no spec msg id; the bus check files the event itself.
    if (!isScopedId(e.tenant_id) || !isScopedId(e.agent_id) || !isEventId(id)) continue;
    const msgId = brokerMsgId(e.tenant_id, e.agent_id, id);
    if (m.msgId !== msgId)
      v.push({
        clauseId: 'CT-8.replay-idempotent',
        message: `replayed event ${id} carries Nats-Msg-Id ${JSON.stringify(m.msgId)}, not ${msgId}: the broker cannot drop it as a duplicate`,
      });
  }
  const missing = range.expected.filter((w) => !got.has(w.eventId));
  if (missing.length > 0)
    v.push({
      clauseId: 'CT-8.replay-source',
      message: `the backfill of ${range.from}..${range.to} did not republish ${missing.length} of the ${range.expected.length} change-log entries in range (first ${missing[0]?.eventId})`,
    });
}
