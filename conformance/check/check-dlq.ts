import {
  isClauseId,
  validateDlqEntry,
  PROJECTION_TABLES,
  parseEpisodeSubject,
  DLQ_SUBJECT_PREFIX,
  CONTRACT,
} from 'continuum-contract';
import { addEvidence } from '../core/finding.js';
import type { CheckOutcome, Finding } from '../core/finding.js';
import type { Observation, ObservedDlqRow } from '../target/observation.js';
import { unknownFieldOf } from '../streams/event-spec.js';
import { canonicalJson } from './canonical-json.js';
import type { ScheduleFacts } from './schedule-facts.js';

const RAW_LIMIT = 65_536;

/**
 * Whether a DLQ `raw` is this message's bytes (possibly truncated to 64 KiB). The table's text
 * column cannot hold U+0000, so the spec stores it there as U+FFFD (x-projection, raw).
 */
function rawMatches(raw: string | null | undefined, data: string): boolean {
  if (typeof raw !== 'string') return false;
  if (raw === data || raw === data.replaceAll('\u0000', '\uFFFD')) return true;
  return (
    raw.length > 0 && Buffer.byteLength(data) > RAW_LIMIT && data.startsWith(raw.slice(0, RAW_LIMIT - 8))
  );
}

/**
 * Canonical forms, computed once per stored event and per message body: every rejected message
 * is compared with every DLQ row, which is quadratic in canonicalisations otherwise.
 */
function canonicalForms(): { ofEvent: (e: object) => string; ofData: (d: string) => string | undefined } {
  const events = new WeakMap<object, string>();
  const bodies = new Map<string, string | undefined>();
  return {
    ofEvent(e) {
      let c = events.get(e);
      if (c === undefined) events.set(e, (c = canonicalJson(e)));
      return c;
    },
    ofData(d) {
      if (!bodies.has(d)) {
        try {
          bodies.set(d, canonicalJson(JSON.parse(d)));
        } catch {
          bodies.set(d, undefined);
        }
      }
      return bodies.get(d);
    },
  };
}

type Canonical = ReturnType<typeof canonicalForms>;

function eventMatches(canon: Canonical, event: unknown, data: string, present = false): boolean {
  // A body of `null` is storable as jsonb: the column holds JSON null, which reads back as null.
  if ((event === null && !present) || event === undefined) return false;
  const stored = event !== null && typeof event === 'object' ? canon.ofEvent(event) : canonicalJson(event);
  return stored === canon.ofData(data);
}

const rowMatches = (canon: Canonical, r: ObservedDlqRow, data: string): boolean =>
  rawMatches(r.raw, data) || eventMatches(canon, r.event, data, r.event_present === true);

/** Whether a DLQ row holds this valid event (by its idempotency key). */
export function deadLettered(
  rows: ObservedDlqRow[],
  e: { tenant_id: string; agent_id: string; event_id: string },
) {
  return rows.some((r) => {
    const ev = r.event as { tenant_id?: unknown; agent_id?: unknown; event_id?: unknown } | null;
    return ev?.tenant_id === e.tenant_id && ev.agent_id === e.agent_id && ev.event_id === e.event_id;
  });
}

const RESERVED = CONTRACT.dlqReservedScope;

function subjectScope(subject: string): [string, string] | undefined {
  const scope = parseEpisodeSubject(subject);
  return scope.ok ? [scope.tenantId, scope.agentId] : undefined;
}

/**
 * Bad input goes to the DLQ table and subject with a reason (CT-4.dlq, CT-6.dlq), scoped by the
 * original subject (CT-7.tenant-isolation); valid events never do.
 *
 * The entry's clause_id is not compared with the clause the kit expects: the contract requires
 * the DLQ entry and a reason, not a particular clause, and dlq-entry.schema.json's clause_id
 * pattern cannot even hold ids with '_' (CT-3.envelope.event_id), so projectors legitimately
 * record a parent (CT-3.envelope, CT-4.dlq) or a clause they checked first (CT-4.subject-match
 * for a bad tenant_id on a good subject). Failing them for it would fail conformant projectors.
 */
export function checkDlq(facts: ScheduleFacts, obs: Observation): CheckOutcome {
  const out: Finding[] = [];
  const evidence = new Map() as CheckOutcome['evidence'];
  const canon = canonicalForms();
  const entries = obs.dlqMessages.map((m) => {
    let entry: Record<string, unknown> | undefined;
    try {
      entry = JSON.parse(m.data) as Record<string, unknown>;
    } catch {
      entry = undefined;
    }
    return { subject: m.subject, data: m.data, entry };
  });
  for (const e of entries) {
    const result = validateDlqEntry(e.entry);
    if (!result.ok) {
      const first = result.errors[0];
      out.push({
        clauseId: 'CT-6.dlq',
        message: `DLQ message on ${e.subject} does not validate: ${first?.path ?? ''} ${first?.message ?? ''}`,
      });
    }
  }
  for (const { message: sent } of facts.rejected) {
    // Compared as the broker carried it: a lone surrogate (text cut inside an astral character)
    // goes out as U+FFFD.
    const message = { ...sent, data: Buffer.from(sent.data, 'utf8').toString('utf8') };
    const clause = message.kind === 'mismatch' ? 'CT-4.subject-match' : 'CT-4.dlq';
    const what = `${message.kind} message (${message.expectClause ?? ''}${message.label === undefined ? '' : `, ${message.label}`}) on ${message.subject}: ${JSON.stringify(message.data.slice(0, 80))}`;
    // The same bytes may be sent on several subjects: an entry belongs to the one it names.
    const rows = obs.dlqRows.filter(
      (r) => rowMatches(canon, r, message.data) && (r.subject === null || r.subject === message.subject),
    );
    const before = out.length;
    if (rows.length === 0)
      out.push(
        facts.crashed
          ? {
              clauseId: 'CT-4.ack-after-commit',
              message: `${what} is not in ${PROJECTION_TABLES.dlq} after a kill -9 and restart: acknowledged before its DLQ entry was committed`,
            }
          : { clauseId: clause, message: `${what} is not in ${PROJECTION_TABLES.dlq}` },
      );
    else addEvidence(evidence, clause);
    for (const r of rows)
      if (r.reason.trim() === '')
        out.push({ clauseId: 'CT-4.dlq', message: `DLQ row ${r.dlq_id} has no reason` });
    const onSubject = entries.filter(
      (e) =>
        rawMatches(e.entry?.raw as string | undefined, message.data) &&
        (e.entry?.subject === undefined || e.entry.subject === message.subject),
    );
    if (onSubject.length === 0) {
      out.push(
        facts.crashed && rows.length === 0
          ? {
              clauseId: 'CT-4.ack-after-commit',
              message: `${what} is not on ${DLQ_SUBJECT_PREFIX}* after a kill -9 and restart (nor in ${PROJECTION_TABLES.dlq}): lost`,
            }
          : {
              clauseId: message.kind === 'mismatch' ? clause : 'CT-6.dlq',
              message: `${what} is not on ${DLQ_SUBJECT_PREFIX}*`,
            },
      );
    } else addEvidence(evidence, 'CT-6.dlq');
    const scope = subjectScope(message.subject);
    const expected = scope === undefined ? RESERVED : `${scope[0]}.${scope[1]}`;
    for (const e of onSubject) {
      if (
        !e.subject.endsWith(`.${expected}`) &&
        !(scope === undefined && e.subject.includes(`.${RESERVED}.`))
      ) {
        out.push({
          clauseId: 'CT-7.tenant-isolation',
          message: `${what} was dead-lettered on ${e.subject}, not under its subject's scope ${expected}`,
        });
      } else addEvidence(evidence, 'CT-7.tenant-isolation');
    }
    // Bad input breaking a validator clause that reached the projector and was dead-lettered
    // correctly is that clause's evidence (a message the broker refused is not in `facts`).
    if (out.length === before && message.kind !== 'mismatch')
      for (const c of [message.expectClause, ...(message.credits ?? [])])
        if (c !== undefined && isClauseId(c)) addEvidence(evidence, c);
  }
  for (const [, event] of facts.valid) {
    const data = JSON.stringify(event);
    const dead = obs.dlqRows.some((r) => rowMatches(canon, r, data) || eventMatches(canon, r.event, data));
    if (dead) {
      const unknown = unknownFieldOf(event);
      out.push({
        clauseId: unknown !== undefined ? 'CT-3.unknown-fields' : 'CT-4.dlq',
        message: `valid event ${event.tenant_id}/${event.agent_id}/${event.event_id} was dead-lettered${unknown !== undefined ? ` (it carries an unknown field in its ${unknown}, which consumers must ignore)` : ''}`,
      });
    } else if (unknownFieldOf(event) !== undefined) addEvidence(evidence, 'CT-3.unknown-fields');
  }
  return { findings: out, evidence };
}
