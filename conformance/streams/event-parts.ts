import fc from 'fast-check';
import type { EpisodePayload } from 'continuum-contract';
import { PAYLOAD_EDGES } from '../arbitraries/spec-edges.js';
import { payloadArb } from '../arbitraries/valid-event.js';
import { TENANTS } from './bind-schedule.js';

/** Planted in every generated event's metadata; finding it in any Valkey value is a body leak (CT-5.no-body). */
export const BODY_MARKER = 'ck-planted-body-marker-5f1c';

/** The payload of one event (full state, not a delta), drawn by the kit's valid-event arbitrary. */
export interface PayloadParts {
  payload: EpisodePayload;
  /** Adds an unknown field there, which consumers must tolerate at any level (CT-3.unknown-fields). */
  unknownField?: 'payload' | 'envelope';
  /** Index into PAYLOAD_EDGES: the payload is moved onto that edge of its schema. */
  edge?: number;
}

/** Realistic payloads (200-1500 bytes) from the kit's valid-event arbitrary, plus an optional unknown field. */
export function payloadParts(): fc.Arbitrary<PayloadParts> {
  return fc.record({
    payload: payloadArb(TENANTS[0], 'episode', false),
    unknownField: fc.oneof(
      { weight: 2, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constant('payload' as const) },
      { weight: 1, arbitrary: fc.constant('envelope' as const) },
    ),
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
    micros: fc.constantFrom(0, 500_000, 123_456, 1_000, 999_999, 123_457, 1_001),
  });
}

/** How a pool instant relates to the one before it. */
const TWINS = ['apart', 'same-ms', 'same-second'] as const;

/**
 * `n` instants, each apart from the one before it or its twin: equal to the millisecond but
 * not the microsecond (a guard that truncates to milliseconds fails), or in the same second.
 */
export function instantPool(n: number): fc.Arbitrary<Instant[]> {
  return fc
    .tuple(
      fc.array(instant(), { minLength: n, maxLength: n }),
      fc.array(fc.constantFrom(...TWINS), { minLength: n, maxLength: n }),
    )
    .map(([drawn, twins]) => {
      const out: Instant[] = [];
      drawn.forEach((at, i) => {
        const prev = out[i - 1];
        const twin = twins[i];
        if (prev === undefined || twin === 'apart') out.push(at);
        // Flipping the lowest bit moves by one microsecond and never crosses a millisecond.
        else if (twin === 'same-ms') out.push({ seconds: prev.seconds, micros: prev.micros ^ 1 });
        else
          out.push({
            seconds: prev.seconds,
            micros: (prev.micros + 1_000 * (1 + (at.micros % 7))) % 1_000_000,
          });
      });
      return out;
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

/**
 * Valid event ids whose byte order (the spec's tie-break) differs from a collation's:
 * - a ULID and a UUIDv7 that share a digit prefix, then an upper-case ULID letter after the
 *   UUID's lower-case one: bytes put the ULID first (upper case sorts before lower case), a
 *   locale collation (JS localeCompare, PostgreSQL "en-x-icu") puts the UUID first;
 * - a UUIDv7 whose first group is all digits and a ULID starting with that group and a digit:
 *   bytes put the UUID first ('-' sorts before digits), a collation that skips punctuation at
 *   the first level (glibc locales) compares the ULID's digit with a hex letter and puts it first.
 */
export function collationTrapIds(): fc.Arbitrary<string[]> {
  const str = (units: string, n: number) =>
    fc.string({ unit: fc.constantFrom(...units.split('')), minLength: n, maxLength: n });
  const digits = '0123456789';
  const hex = '0123456789abcdef';
  const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const uuid = (group: string, rest: string, variant: string) =>
    `${group}-${rest.slice(0, 4)}-7${rest.slice(4, 7)}-${variant}${rest.slice(7, 10)}-${rest.slice(10, 22)}`;
  return fc
    .record({
      group: fc.tuple(str('01234567', 1), str(digits, 7)).map(([a, b]) => a + b),
      cut: fc.integer({ min: 1, max: 7 }),
      ulidLetter: fc.constantFrom(...'GHJKMNPQRSTVWXYZ'.split('')),
      uuidLetter: fc.constantFrom(...'abcdef'.split('')),
      ulidTail: str(crockford, 25),
      uuidTail: str(hex, 30),
      variant: fc.constantFrom('8', '9', 'a', 'b'),
    })
    .map((d) => {
      const prefix = d.group.slice(0, d.cut);
      const caseUuidGroup = `${prefix}${d.uuidLetter}${d.uuidTail.slice(0, 7 - d.cut)}`;
      return [
        `${prefix}${d.ulidLetter}${d.ulidTail.slice(0, 25 - d.cut)}`,
        uuid(caseUuidGroup, d.uuidTail.slice(8), d.variant),
        uuid(d.group, `${d.uuidLetter}${d.uuidTail.slice(8, 29)}`, d.variant),
        `${d.group}${d.ulidTail.slice(0, 18).replace(/^[^0-9]/, '0')}`,
      ];
    });
}

/** An event id: canonical ULID or canonical UUIDv7, mixed, so tie-breaks compare both shapes. */
export function eventId(): fc.Arbitrary<string> {
  return fc.oneof(fc.ulid(), fc.uuid({ version: 7 }));
}
