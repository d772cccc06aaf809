import { isUtf8 } from 'node:buffer';
import type {
  AuditEntry,
  BackfillRequest,
  DlqEntry,
  EpisodeCacheEntry,
  EpisodeEvent,
} from '../generated/types.js';
import { validators, type GeneratedError, type GeneratedValidatorSet } from '../generated/validators.js';
import { CONTRACT } from './contract.js';
import { ContractUsageError, ERROR_CODES } from './errors.js';
import { nestingExceeds } from './json-depth.js';
import { compareOrderingKey } from './ordering.js';
import { isRealCalendarDate, isRealCalendarDateOfPatternValid } from './source-ts.js';
import {
  DEFAULT_VALIDATION_MODE,
  type ValidationMode,
  type ValidationResult,
  type Violation,
} from './violation.js';

const MAX_BYTES = CONTRACT.limits.max_message_bytes;
const MAX_DEPTH = CONTRACT.limits.max_nesting_depth;
const SIZE_CLAUSE = CONTRACT.limits['x-clause'];
const JSON_CLAUSE = 'CT-3.json';

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function clauseAt(set: GeneratedValidatorSet, path: string, rootClause: string): string {
  for (let p = path; ; p = p.slice(0, p.lastIndexOf('/'))) {
    const clause = set.clauses[p];
    if (clause !== undefined) return clause;
    if (p === '') return rootClause;
  }
}

function toViolation(set: GeneratedValidatorSet, error: GeneratedError, rootClause: string): Violation {
  const params = error.params;
  let path = error.instancePath;
  if (error.keyword === 'required') path += `/${escapePointer(String(params.missingProperty))}`;
  if (error.keyword === 'additionalProperties')
    path += `/${escapePointer(String(params.additionalProperty))}`;
  if (error.keyword === 'propertyNames') path += `/${escapePointer(String(params.propertyName))}`;
  const clauseId =
    error.keyword === 'additionalProperties' ? set.unknownFieldsClause : clauseAt(set, path, rootClause);
  return { clauseId, path, keyword: error.keyword, message: error.message ?? error.keyword };
}

const SEGMENTS = new Map<string, string[]>();

function valueAt(doc: unknown, path: string): unknown {
  let segments = SEGMENTS.get(path);
  if (segments === undefined) SEGMENTS.set(path, (segments = path.split('/').slice(1)));
  let node = doc;
  for (const key of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

// The schema pattern admits 2026-02-30; the calendar is checked here, for every timestamp path.
const NONE: Violation[] = [];

function calendarViolations(
  set: GeneratedValidatorSet,
  value: unknown,
  rootClause: string,
  schemaValid: boolean,
): Violation[] {
  let out = NONE;
  for (const path of set.timestampPaths) {
    const ts = valueAt(value, path);
    if (typeof ts !== 'string' || ts.length < 20) continue;
    if (!(schemaValid ? isRealCalendarDateOfPatternValid(ts) : isRealCalendarDate(ts))) {
      if (out === NONE) out = [];
      out.push({
        clauseId: clauseAt(set, path, rootClause),
        path,
        keyword: 'calendar',
        message: 'must be a real calendar date (day exists in that month and year)',
      });
    }
  }
  return out;
}

function run<T>(
  set: GeneratedValidatorSet,
  value: unknown,
  rootClause: string,
  extra?: (value: T) => Violation[],
): ValidationResult<T> {
  // check walks each object once; ajv's fast code stays the reference when it says no.
  if (set.check(value) || (set.check !== set.fast && set.fast(value))) {
    // Fast path: the schema holds; only the calendar (and cross-field rules) remain.
    const calendar = calendarViolations(set, value, rootClause, true);
    const more = calendar.length === 0 && extra ? extra(value as T) : NONE;
    if (calendar.length === 0 && more.length === 0) return { ok: true, value: value as T };
    return { ok: false, errors: [...calendar, ...more] };
  }
  // Invalid: re-run with allErrors to report every violation, not just the first.
  set.all(value);
  const errors = (set.all.errors ?? []).map((e) => toViolation(set, e, rootClause));
  const calendar = calendarViolations(set, value, rootClause, false).filter(
    (c) => !errors.some((e) => e.path === c.path),
  );
  return { ok: false, errors: [...errors, ...calendar] };
}

/**
 * Validates a parsed episode event against the contract. 'producer' mode (the default,
 * DEFAULT_VALIDATION_MODE) rejects unknown fields (CT-3.unknown-fields); 'consumer' ignores them. Every violation carries its clause.
 */
export function validateEpisodeEvent(
  value: unknown,
  mode: ValidationMode = DEFAULT_VALIDATION_MODE,
): ValidationResult<EpisodeEvent> {
  if (mode === 'producer') return run(validators.episodeEventProducer, value, JSON_CLAUSE);
  if (mode === 'consumer') return run(validators.episodeEventConsumer, value, JSON_CLAUSE);
  throw new ContractUsageError(
    ERROR_CODES.INVALID_ARGUMENT,
    `unknown validation mode ${JSON.stringify(mode)}`,
  );
}

function fail<T>(clauseId: string, keyword: string, message: string): ValidationResult<T> {
  return { ok: false, errors: [{ clauseId, path: '', keyword, message }] };
}

/**
 * Decodes and validates one message body: size (CT-3.size, UTF-8 bytes), UTF-8 JSON object
 * (CT-3.json), nesting depth (CT-3.size), then the schema and calendar checks of
 * validateEpisodeEvent.
 */
export function decodeEpisodeEvent(
  bytes: Uint8Array | string,
  mode: ValidationMode = DEFAULT_VALIDATION_MODE,
): ValidationResult<EpisodeEvent> {
  let text: string;
  if (typeof bytes === 'string') {
    // A UTF-16 string is at most 3 UTF-8 bytes per unit: count exactly only when it may matter.
    if (bytes.length * 3 > MAX_BYTES && Buffer.byteLength(bytes, 'utf8') > MAX_BYTES) {
      return fail(
        SIZE_CLAUSE,
        'size',
        `message is ${Buffer.byteLength(bytes, 'utf8')} bytes; at most ${MAX_BYTES}`,
      );
    }
    text = bytes;
  } else {
    if (bytes.byteLength > MAX_BYTES) {
      return fail(SIZE_CLAUSE, 'size', `message is ${bytes.byteLength} bytes; at most ${MAX_BYTES}`);
    }
    const buffer = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    text = buffer.toString('utf8');
    // Decoding replaces invalid sequences with U+FFFD; only then can the bytes be invalid UTF-8.
    if (text.includes('\uFFFD') && !isUtf8(bytes))
      return fail(JSON_CLAUSE, 'json', 'message body is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(JSON_CLAUSE, 'json', `not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail(JSON_CLAUSE, 'json', 'message body must be a JSON object');
  }
  // Before the schema: nothing downstream (validators, storage, DLQ) has to recurse deeper.
  if (nestingExceeds(value, MAX_DEPTH)) {
    return fail(SIZE_CLAUSE, 'depth', `message nests objects/arrays more than ${MAX_DEPTH} deep`);
  }
  return validateEpisodeEvent(value, mode);
}

/** Validates a DLQ entry (schemas/dlq-entry.schema.json); violations cite CT-6.dlq. */
export function validateDlqEntry(value: unknown): ValidationResult<DlqEntry> {
  return run(validators.dlqEntry, value, validators.dlqEntry.unknownFieldsClause);
}

/** Validates a Valkey cache value (schemas/cache-entry.schema.json). */
export function validateCacheEntry(value: unknown): ValidationResult<EpisodeCacheEntry> {
  return run(validators.cacheEntry, value, validators.cacheEntry.unknownFieldsClause);
}

/** Validates replay/backfill parameters, including from_ts strictly before to_ts. */
export function validateBackfillRequest(value: unknown): ValidationResult<BackfillRequest> {
  const set = validators.backfillRequest;
  return run<BackfillRequest>(set, value, set.unknownFieldsClause, (request) =>
    compareOrderingKey(
      { source_ts: request.from_ts, event_id: '' },
      { source_ts: request.to_ts, event_id: '' },
    ) < 0
      ? []
      : [
          {
            clauseId: set.unknownFieldsClause,
            path: '/to_ts',
            keyword: 'range',
            message: 'to_ts must be after from_ts (the range is half-open)',
          },
        ],
  );
}

/** Validates an audit row (schemas/audit-entry.schema.json). */
export function validateAuditEntry(value: unknown): ValidationResult<AuditEntry> {
  return run(validators.auditEntry, value, validators.auditEntry.unknownFieldsClause);
}
