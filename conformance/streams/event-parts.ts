import fc from 'fast-check';
import type { EpisodePayload } from '../../lib/index.js';
import { PAYLOAD_EDGES } from '../arbitraries/spec-edges.js';
import { validEventArb } from '../arbitraries/valid-event.js';
import { AGENTS, TENANTS } from './bind-schedule.js';

/** Planted in every generated event's metadata; finding it in any Valkey value is a body leak (CT-5.no-body). */
export const BODY_MARKER = 'ck-planted-body-marker-5f1c';

/** The payload of one event (full state, not a delta), drawn by the kit's valid-event arbitrary. */
export interface PayloadParts {
  payload: EpisodePayload;
  /** Adds an unknown field, which consumers must tolerate (CT-3.unknown-fields). */
  unknownField: boolean;
  /** Index into PAYLOAD_EDGES: the payload is moved onto that edge of its schema. */
  edge?: number;
}

/** Realistic payloads (200-1500 bytes) from `validEventArb`, plus an optional unknown field. */
export function payloadParts(): fc.Arbitrary<PayloadParts> {
  return fc.record({
    payload: validEventArb({ tenantIds: [TENANTS[0]], agentIds: [AGENTS[0]] }).map((e) => e.payload),
    unknownField: fc.boolean(),
    // One event in four sits on an edge of the payload schema; shrinking takes it off.
    edge: fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.nat(PAYLOAD_EDGES.length - 1) },
    ),
  });
}

/** An instant within 2026 as (seconds since 2026-01-01, microseconds). */
export interface Instant {
  seconds: number;
  micros: number;
}

export function instant(): fc.Arbitrary<Instant> {
  return fc.record({
    seconds: fc.integer({ min: 0, max: 364 * 86_400 }),
    // 123_456 / 123_457 and 1_000 / 1_001 are equal to the millisecond: a guard that truncates fails.
    micros: fc.constantFrom(0, 500_000, 123_456, 1_000, 999_999, 123_457, 1_001),
  });
}

/**
 * The instant spelled as source_ts. `spelling` picks how many fractional digits: the same
 * instant written '.5Z' and '.500000Z' must compare equal (CT-4.tie-break compares instants).
 */
export function spellInstant(at: Instant, spelling: number): string {
  const base = new Date(Date.UTC(2026, 0, 1) + at.seconds * 1000).toISOString().slice(0, 19);
  const full = String(at.micros).padStart(6, '0');
  const trimmed = full.replace(/0+$/, '');
  if (spelling % 3 === 0) return `${base}.${full}Z`;
  if (spelling % 3 === 1) return trimmed === '' ? `${base}Z` : `${base}.${trimmed}Z`;
  return trimmed.length <= 3 ? `${base}.${full.slice(0, 3)}Z` : `${base}.${full}Z`;
}

/** An event id: canonical ULID or canonical UUIDv7, mixed, so tie-breaks compare both shapes. */
export function eventId(): fc.Arbitrary<string> {
  return fc.oneof(fc.ulid(), fc.uuid({ version: 7 }));
}
