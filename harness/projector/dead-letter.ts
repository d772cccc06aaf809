import { createHash } from 'node:crypto';
import { CONTRACT, dlqSubject, nestingExceeds, type DlqEntry } from 'continuum-contract';
import type { DlqRecord } from './projection-writer.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MAX_RAW_BYTES = 65536;
const MAX_DEPTH = CONTRACT.limits.max_nesting_depth;
const MAX_ENTRY_BYTES = CONTRACT.limits.max_dlq_entry_bytes;

/**
 * A ULID whose time is the message's stream timestamp and whose randomness is a hash of its
 * stream sequence: a redelivered message gets the same dlq_id, so the DLQ table and the DLQ
 * stream's duplicate window absorb the retry.
 */
export function dlqIdFor(stream: string, seq: number, timeMs: number): string {
  let t = BigInt(Math.max(0, Math.floor(timeMs)));
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = (CROCKFORD[Number(t % 32n)] ?? '0') + time;
    t /= 32n;
  }
  const h = createHash('sha256').update(`${stream}:${seq}`).digest();
  let r = BigInt(`0x${h.subarray(0, 10).toString('hex')}`);
  let rand = '';
  for (let i = 0; i < 16; i++) {
    rand = (CROCKFORD[Number(r % 32n)] ?? '0') + rand;
    r /= 32n;
  }
  return time + rand;
}

/** The original bytes as UTF-8 (invalid sequences replaced), cut at a character boundary. */
function rawText(data: Uint8Array): string {
  let end = Math.min(data.length, MAX_RAW_BYTES);
  // Do not cut inside a multi-byte sequence (continuation bytes are 10xxxxxx).
  if (end < data.length) while (end > 0 && ((data[end] ?? 0) & 0xc0) === 0x80) end--;
  return new TextDecoder('utf-8').decode(data.subarray(0, end));
}

/** The clause_id a DLQ entry carries for `clause`: the clause itself when the spec defines it. */
export function dlqClauseId(clause: string): string {
  return clause in CONTRACT.clauses ? clause : 'CT-4.dlq';
}

/** What is known about a message that cannot be projected. */
export interface DeadLetterInput {
  subject: string;
  data: Uint8Array;
  stream: string;
  seq: number;
  /** Stream timestamp of the message (ms). */
  timeMs: number;
  /** Scope from the subject, or undefined when the subject is malformed ('_invalid'). */
  scope?: { tenantId: string; agentId: string };
  reason: string;
  clauseId: string;
  /** The parsed JSON, when it parsed. */
  parsed?: unknown;
}

/** Builds the DLQ entry (schemas/dlq-entry.schema.json) and its table row. */
export function deadLetter(input: DeadLetterInput, now = new Date()): DlqRecord {
  const reserved = CONTRACT.dlqReservedScope;
  const parsed = input.parsed as { event_id?: unknown } | undefined;
  const eventId = typeof parsed?.event_id === 'string' ? parsed.event_id.slice(0, 64) : undefined;
  const entry: DlqEntry = {
    dlq_id: dlqIdFor(input.stream, input.seq, input.timeMs),
    reason: input.reason.slice(0, 1024) || 'unprojectable',
    clause_id: dlqClauseId(input.clauseId),
    stage: 'projector',
    subject: input.subject.slice(0, 256),
    tenant_id: input.scope?.tenantId ?? reserved,
    agent_id: input.scope?.agentId ?? reserved,
    ...(eventId !== undefined ? { event_id: eventId } : {}),
    queued_at: now.toISOString(),
    raw: rawText(input.data),
  };
  fitRaw(entry);
  return { entry, eventJson: storableJson(input.parsed) };
}

/**
 * The parsed message as jsonb text, or null when it is not an object or cannot be stored:
 * deeper than the contract's nesting bound (serialising it could overflow the stack, and
 * PostgreSQL's jsonb parser recurses too), or holding U+0000 or lone surrogates. Raw keeps it.
 */
function storableJson(parsed: unknown): string | null {
  // Only an object is an event; a JSON scalar or array is kept as raw text, like non-JSON.
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  if (nestingExceeds(parsed, MAX_DEPTH)) return null;
  let json: string;
  try {
    json = JSON.stringify(parsed);
  } catch {
    return null;
  }
  // jsonb refuses U+0000 and lone surrogates (JSON.stringify escapes the latter as \udXXX).
  // (A false positive on a literal backslash only keeps the raw text instead.)
  return /\\u0000|\\ud[89a-f]/i.test(json) ? null : json;
}

/**
 * Cuts raw until the serialised entry fits the DLQ stream's max_msg_size: JSON escaping can
 * turn one control byte into six, and a dead letter the stream refuses would be retried for ever.
 */
function fitRaw(entry: DlqEntry): void {
  for (let size = Buffer.byteLength(JSON.stringify(entry)); size > MAX_ENTRY_BYTES && entry.raw !== '';) {
    const keep = Math.floor((entry.raw.length * MAX_ENTRY_BYTES) / size) - 64;
    let cut = Math.max(0, keep);
    // Never split a surrogate pair: the entry's JSON would then carry a lone surrogate.
    if (cut > 0 && /[\uD800-\uDBFF]/.test(entry.raw.charAt(cut - 1))) cut--;
    entry.raw = entry.raw.slice(0, cut);
    size = Buffer.byteLength(JSON.stringify(entry));
  }
}

/** The DLQ subject for an entry: the original subject's scope, or '_invalid'. */
export function deadLetterSubject(entry: DlqEntry): string {
  return dlqSubject(entry.tenant_id, entry.agent_id);
}
