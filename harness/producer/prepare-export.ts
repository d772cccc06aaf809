import { monotonicFactory } from 'ulid';
import { brokerMsgId, decodeEpisodeEvent, dlqSubject, episodeSubject, type DlqEntry } from './contract.js';
import type { ChangeLogEntry } from './episode-store.js';
import { applyExportPolicy, type ExportPolicy } from './export-policy.js';
import type { ExportDecision } from './export-state.js';
import { formatMicros } from './micro-clock.js';

/** What leaves the process for one change-log entry, if anything. */
export type PreparedExport =
  | { kind: 'publish'; subject: string; msgId: string; data: Uint8Array }
  | { kind: 'dlq'; subject: string; msgId: string; data: Uint8Array; decision: ExportDecision }
  | { kind: 'blocked'; decision: ExportDecision };

const encoder = new TextEncoder();
const dlqIds = monotonicFactory();
const MAX_RAW_BYTES = 65536;

/**
 * Runs the gate (policy, redaction), then producer-mode validation with the size limit, on one
 * change-log entry. Validation runs after redaction because what is checked must be exactly what
 * is sent. An event that can never pass becomes a DLQ entry (stage 'producer') instead.
 */
export function prepareExport(
  entry: ChangeLogEntry,
  policy: ExportPolicy,
  nowMicros = Date.now() * 1000,
  /** An earlier event of this episode went out (see ExportState.exportedBefore): a sensitive delete leaves as refs only. */
  exportedBefore = false,
): PreparedExport {
  const { tenant_id: t, agent_id: a, event_id: e } = entry;
  const at = formatMicros(nowMicros);
  const gate = applyExportPolicy(entry.event, entry.sensitive, policy, exportedBefore);
  if (gate.action === 'blocked') {
    return {
      kind: 'blocked',
      decision: {
        event_id: e,
        tenant_id: t,
        agent_id: a,
        decision: 'blocked',
        clause_id: gate.clauseId,
        reason: gate.reason,
        at,
      },
    };
  }
  const json = JSON.stringify(gate.event);
  const checked = decodeEpisodeEvent(json, 'producer');
  if (checked.ok) {
    return {
      kind: 'publish',
      subject: episodeSubject(t, a),
      msgId: brokerMsgId(t, a, e),
      data: encoder.encode(json),
    };
  }
  const first = checked.errors[0]!;
  const reason = checked.errors.map((v) => `${v.path}: ${v.message} (${v.clauseId})`).join('; ');
  return deadLetter(entry, encoder.encode(json), first.clauseId, reason, nowMicros);
}

/**
 * The DLQ message for an entry whose event can never be published (stage 'producer'): invalid
 * after redaction, or refused by the stream itself. `raw` is the event as it would have been sent.
 */
export function deadLetter(
  entry: ChangeLogEntry,
  data: Uint8Array,
  clauseId: string,
  reason: string,
  nowMicros = Date.now() * 1000,
): Extract<PreparedExport, { kind: 'dlq' }> {
  const { tenant_id: t, agent_id: a, event_id: e } = entry;
  const at = formatMicros(nowMicros);
  const short = reason.slice(0, 1024);
  const dlq: DlqEntry = {
    dlq_id: dlqIds(),
    reason: short,
    clause_id: clauseId,
    stage: 'producer',
    subject: episodeSubject(t, a),
    tenant_id: t,
    agent_id: a,
    event_id: e,
    queued_at: at,
    raw: truncateUtf8(new TextDecoder().decode(data), MAX_RAW_BYTES),
  };
  return {
    kind: 'dlq',
    subject: dlqSubject(t, a),
    msgId: brokerMsgId(t, a, e),
    data: encoder.encode(JSON.stringify(dlq)),
    decision: {
      event_id: e,
      tenant_id: t,
      agent_id: a,
      decision: 'dlq',
      clause_id: clauseId,
      reason: short,
      at,
    },
  };
}

function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  // Decoding a cut multi-byte sequence yields U+FFFD, which may itself be 3 bytes: trim until it fits.
  let cut = maxBytes;
  let out = bytes.subarray(0, cut).toString('utf8');
  while (Buffer.byteLength(out, 'utf8') > maxBytes) out = bytes.subarray(0, --cut).toString('utf8');
  return out;
}
