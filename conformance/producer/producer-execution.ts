import type { JetStreamClient } from '@nats-io/jetstream';
import type pg from 'pg';
import { brokerMsgId, decodeEpisodeEvent, episodeSubject, PROJECTION_TABLES } from 'continuum-contract';
import type { Violation } from '../check/violation.js';
import { backfillChecks } from './backfill-checks.js';
import type { ProducerWrite } from './backfill-checks.js';
import { readBus } from './capture-subject.js';
import type { DriverClient } from './driver-client.js';
import { LOCAL_BODY_MARKER, REDACT_PATTERN, SECRET } from './producer-ops.js';
import type { ProducerOp } from './producer-ops.js';
import { clauseOr } from '../core/finding.js';

/** What one producer execution found. */
export interface ProducerVerdict {
  violations: Violation[];
  /** Clauses this execution actually exercised. */
  exercised: Set<string>;
  messages: number;
}

/**
 * Drives the producer through `ops` for a fresh tenant, then checks what reached the bus: every
 * message validates (producer mode), is on its own subject with the spec's Nats-Msg-Id, carries
 * no body and no redacted secret, sensitive episodes stay local, writes never block on the bus,
 * nothing is lost across outages; then dry-run and filtered backfills.
 */
export async function executeProducer(
  driver: DriverClient,
  js: JetStreamClient,
  db: pg.Pool | undefined,
  tenant: string,
  agents: string[],
  ops: ProducerOp[],
  /** The projector's database when a projector consumes this deployment (rows judge replays). */
  projectorDb?: pg.Pool,
): Promise<ProducerVerdict> {
  const v: Violation[] = [];
  const exercised = new Set<string>(['CT-3.topic', 'CT-3.msg-id', 'CT-7.redaction', 'CT-6.export-retry']);
  await driver.call('PUT', `/policy/${tenant}`, {
    allow_sensitive: false,
    redact_patterns: [REDACT_PATTERN],
  });
  const writes: ProducerWrite[] = [];
  const live: ProducerWrite[] = [];
  let busDown = false;
  const record = (
    reply: { status: number; body: Record<string, unknown> },
    base: Omit<ProducerWrite, 'eventId' | 'sourceTs' | 'busDown'>,
    what: string,
  ): void => {
    if (reply.status >= 300) {
      const message = `${what} answered ${reply.status}${busDown ? ' while the bus was away' : ''}: ${JSON.stringify(reply.body).slice(0, 200)}`;
      v.push({ clauseId: busDown ? 'CT-6.local-writes' : 'CT-6.export-retry', message });
      // The analytics path must fail open: a local write refused for want of a bus breaks it too.
      if (busDown) v.push({ clauseId: 'CT-6.fail-open', message });
      return;
    }
    const w = {
      ...base,
      eventId: String(reply.body.event_id),
      sourceTs: String(reply.body.source_ts),
      busDown,
    };
    writes.push(w);
    if (busDown) exercised.add('CT-6.local-writes').add('CT-6.fail-open');
  };
  for (const op of ops) {
    const t = live.length === 0 ? undefined : live[('target' in op ? op.target : 0) % live.length];
    const summary = (secret: boolean): string => (secret ? `call notes ${SECRET} here` : 'call notes');
    if (op.op === 'create') {
      const agent = agents[op.agent] ?? (agents[0] as string);
      const reply = await driver.call('POST', '/episodes', {
        tenant_id: tenant,
        agent_id: agent,
        body: `${LOCAL_BODY_MARKER} full text`,
        summary: summary(op.secret),
        tags: op.tags,
        metadata: { note: op.secret ? SECRET : 'plain' },
        sensitive: op.sensitive,
      });
      if (op.sensitive) exercised.add('CT-3.export-policy');
      record(
        reply,
        { tenant, agent, episodeId: String(reply.body.episode_id), sensitive: op.sensitive },
        'POST /episodes',
      );
      if (reply.status < 300) live.push(writes[writes.length - 1] as ProducerWrite);
    } else if ((op.op === 'update' || op.op === 'summarize' || op.op === 'delete') && t !== undefined) {
      const path = `/episodes/${t.tenant}/${t.agent}/${t.episodeId}`;
      const reply =
        op.op === 'update'
          ? await driver.call('PUT', path, {
              body: `${LOCAL_BODY_MARKER} edited`,
              summary: summary(op.secret),
            })
          : op.op === 'summarize'
            ? await driver.call('POST', `${path}/summarize`, { summary: summary(op.secret) })
            : await driver.call('DELETE', path);
      record(
        reply,
        { tenant: t.tenant, agent: t.agent, episodeId: t.episodeId, sensitive: t.sensitive },
        `${op.op} ${path}`,
      );
      if (op.op === 'delete' && reply.status < 300) live.splice(live.indexOf(t), 1);
    } else if (op.op === 'bus-down' && !busDown) {
      await driver.call('POST', '/bus/disconnect');
      busDown = true;
    } else if (op.op === 'bus-up' && busDown) {
      await driver.call('POST', '/bus/connect');
      busDown = false;
    }
  }
  if (busDown) await driver.call('POST', '/bus/connect');
  const waited = await driver.call('POST', '/export/wait', { timeout_ms: 20_000 });
  if (waited.body.idle !== true)
    v.push({
      clauseId: 'CT-6.export-retry',
      message: `export not idle 20 s after the bus came back: ${JSON.stringify(waited.body).slice(0, 300)}`,
    });

  const bus = await readBus(js, tenant);
  const seen = new Set<string>();
  for (const m of bus) {
    const decoded = decodeEpisodeEvent(m.data, 'producer');
    if (!decoded.ok) {
      // It reached the bus, invalid: that is its finding, not a lost export too.
      const eventId = eventIdOf(m.data);
      if (eventId !== undefined) seen.add(eventId);
      const e = decoded.errors[0];
      v.push({
        clauseId: clauseOr(e?.clauseId, 'CT-3.json'),
        message: `published event does not validate: ${e?.path ?? ''} ${e?.message ?? ''}`,
      });
      continue;
    }
    const e = decoded.value;
    seen.add(e.event_id);
    if (m.subject !== episodeSubject(e.tenant_id, e.agent_id))
      v.push({
        clauseId: 'CT-3.topic',
        message: `event ${e.event_id} of ${e.tenant_id}/${e.agent_id} published on ${m.subject}`,
      });
    if (m.msgId !== brokerMsgId(e.tenant_id, e.agent_id, e.event_id))
      v.push({
        clauseId: 'CT-3.msg-id',
        message: `event ${e.event_id}: Nats-Msg-Id ${JSON.stringify(m.msgId)}, expected ${brokerMsgId(e.tenant_id, e.agent_id, e.event_id)}`,
      });
    if (m.data.includes(LOCAL_BODY_MARKER))
      v.push({ clauseId: 'CT-7.redaction', message: `event ${e.event_id} carries the episode body` });
    if (m.data.includes(SECRET))
      v.push({
        clauseId: 'CT-7.redaction',
        message: `event ${e.event_id} carries text the tenant's redaction pattern matches`,
      });
  }
  for (const w of writes) {
    if (w.sensitive && seen.has(w.eventId))
      v.push({
        clauseId: 'CT-3.export-policy',
        message: `sensitive episode ${w.episodeId} was exported although the policy forbids it (event ${w.eventId})`,
      });
    if (!w.sensitive && !seen.has(w.eventId)) {
      const message = `write ${w.eventId} of episode ${w.episodeId}${w.busDown ? ' (made while the bus was away)' : ''} never reached the bus`;
      v.push({ clauseId: 'CT-6.export-retry', message });
      // Failing open means deferring the export, not dropping it.
      if (w.busDown) v.push({ clauseId: 'CT-6.fail-open', message });
    }
  }
  await backfillChecks(
    { driver, js, tenant, agents, writes, bus, ...(projectorDb === undefined ? {} : { projectorDb }) },
    v,
    exercised,
  );
  if (db !== undefined && writes.some((w) => w.agent === agents[0])) {
    // Every backfill, dry or not, writes an audit row (x-replay.audit, CT-7.audit).
    const audited = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${PROJECTION_TABLES.audit} WHERE action = 'backfill' AND tenant_id = $1`,
      [tenant],
    );
    exercised.add('CT-7.audit');
    const n = Number(audited.rows[0]?.n ?? 0);
    if (n < 2)
      v.push({
        clauseId: 'CT-7.audit',
        message: `2 backfills (dry and real) of tenant ${tenant} left ${n} rows in ${PROJECTION_TABLES.audit}`,
      });
  }
  return { violations: v, exercised, messages: bus.length };
}

function eventIdOf(data: string): string | undefined {
  try {
    const parsed = JSON.parse(data) as { event_id?: unknown } | null;
    return typeof parsed?.event_id === 'string' ? parsed.event_id : undefined;
  } catch {
    return undefined;
  }
}
