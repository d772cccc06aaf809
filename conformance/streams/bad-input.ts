import fc from 'fast-check';
import { decodeEpisodeEvent } from 'continuum-contract';
import type { EventObject } from './event-spec.js';

/** A message that must go to the DLQ, with the clause the kit expects it to break. */
export interface BadInput {
  data: string;
  clause: string;
  label: string;
  /** A valid event published in the same schedule, whose event_id the bad input nearly is. */
  twin?: EventObject;
}

const swapLast = (id: string, to: string): string => `${id.slice(0, -1)}${id.at(-1) === to ? '0' : to}`;

/**
 * Ids one step off a valid id's format: case, length, a ULID's first char or ambiguous letter,
 * a UUIDv7's version or variant nibble. A projector that normalises or loosely matches ids
 * accepts them, or takes one for its valid twin.
 */
export function nearMissIds(id: string): { label: string; value: string }[] {
  const length = [
    { label: 'one char short', value: id.slice(0, -1) },
    { label: 'one char long', value: `${id}0` },
  ];
  if (id.includes('-'))
    return [
      {
        label: 'upper-case UUIDv7',
        value: /[a-f]/.test(id) ? id.toUpperCase() : swapLast(id, 'A'),
      },
      ...length,
      { label: 'UUID version 4 nibble', value: `${id.slice(0, 14)}4${id.slice(15)}` },
      { label: 'UUID variant 11xx', value: `${id.slice(0, 19)}c${id.slice(20)}` },
    ];
  return [
    { label: 'lower-case ULID', value: /[A-Z]/.test(id) ? id.toLowerCase() : swapLast(id, 'a') },
    ...length,
    { label: 'ULID first char above 7', value: `8${id.slice(1)}` },
    { label: 'ULID ambiguous letter', value: swapLast(id, 'U') },
  ];
}

/** The valid twin of a bad input's base: its own event id, so it never dedups against the base. */
function twinOf(base: EventObject): EventObject {
  const id = base.event_id;
  const second = id[1] === '0' ? '1' : '0';
  return {
    ...base,
    event_id: `${id[0] ?? ''}${second}${id.slice(2)}`,
    payload: { ...(base.payload as object), summary: 'near-miss twin' },
  };
}

type Corrupt = (e: EventObject) => { value: unknown; clause: string; label: string };

function withField(e: EventObject, path: string[], value: unknown): EventObject {
  const copy = structuredClone(e) as Record<string, unknown>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  const last = path[path.length - 1] as string;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return copy as EventObject;
}

/** Single-field corruptions, each breaking one validator clause. */
const CORRUPTIONS: Corrupt[] = [
  (e) => ({
    value: withField(e, ['event_type'], 'episode.Created'),
    clause: 'CT-3.envelope.event_type',
    label: 'event_type case',
  }),
  (e) => ({
    value: withField(e, ['schema_version'], '1'),
    clause: 'CT-3.envelope.schema_version',
    label: 'schema_version string',
  }),
  (e) => ({
    value: withField(e, ['source_ts'], e.source_ts.replace('Z', '+00:00')),
    clause: 'CT-3.envelope.source_ts',
    label: 'offset timestamp',
  }),
  (e) => ({
    value: withField(e, ['source_ts'], '2026-02-30T10:00:00Z'),
    clause: 'CT-3.envelope.source_ts',
    label: 'impossible date',
  }),
  (e) => ({
    value: withField(e, ['episode_id'], e.episode_id.toLowerCase()),
    clause: 'CT-3.envelope.episode_id',
    label: 'lower-case ULID',
  }),
  (e) => ({
    value: withField(e, ['event_id'], e.event_id.toUpperCase().replace(/^[0-7]/, '8')),
    clause: 'CT-3.envelope.event_id',
    label: 'non-canonical event_id',
  }),
  (e) => ({
    value: withField(e, ['payload', 'summary'], null),
    clause: 'CT-3.payload.summary',
    label: 'null summary',
  }),
  (e) => ({
    value: withField(e, ['payload', 'tags'], ['a', 'a']),
    clause: 'CT-3.payload.tags',
    label: 'duplicate tags',
  }),
  (e) => ({
    value: withField(e, ['payload', 'metadata'], { nested: { body: 'x' } }),
    clause: 'CT-3.payload.metadata',
    label: 'nested metadata',
  }),
  (e) => ({
    value: withField(e, ['payload', 'content_ref'], 'the full episode body, as prose'),
    clause: 'CT-3.payload.content_ref',
    label: 'body as content_ref',
  }),
  (e) => ({
    value: withField(e, ['payload', 'content_ref'], undefined),
    clause: 'CT-3.payload',
    label: 'missing content_ref',
  }),
  (e) => ({
    value: withField(e, ['tenant_id'], undefined),
    clause: 'CT-3.envelope.tenant_id',
    label: 'missing tenant_id',
  }),
];

/** Bad input built from a valid event: corruption, oversize, non-JSON, truncated JSON, non-object JSON. */
export function badInput(base: EventObject): fc.Arbitrary<BadInput> {
  const json = JSON.stringify(base);
  return fc.oneof(
    // Corruptions carry most of the weight: there are many validator clauses to cover.
    {
      weight: 8,
      arbitrary: fc.nat(CORRUPTIONS.length - 1).map((i) => {
        let c = (CORRUPTIONS[i] as Corrupt)(base);
        // Some corruptions are no-ops on some values (lower-casing an all-digit ULID): never send
        // a valid event labelled invalid.
        if (decodeEpisodeEvent(JSON.stringify(c.value)).ok) c = (CORRUPTIONS[1] as Corrupt)(base);
        return { data: JSON.stringify(c.value), clause: c.clause, label: c.label };
      }),
    },
    // An event_id one step off its valid twin, which the schedule also publishes.
    {
      weight: 2,
      arbitrary: fc.nat(7).map((i) => {
        const twin = twinOf(base);
        const misses = nearMissIds(twin.event_id);
        const miss = misses[i % misses.length] as { label: string; value: string };
        return {
          data: JSON.stringify({ ...twin, event_id: miss.value }),
          clause: 'CT-3.envelope.event_id',
          label: `near-miss event_id: ${miss.label}`,
          twin,
        };
      }),
    },
    fc.constant({
      // Valid in every field, but more than 65536 bytes of UTF-8 (CT-3.size).
      data: JSON.stringify({ ...base, ck_padding: 'x'.repeat(66_000) }),
      clause: 'CT-3.size',
      label: 'oversize',
    }),
    fc.integer({ min: 1, max: Math.max(1, json.length - 1) }).map((cut) => ({
      data: json.slice(0, cut),
      clause: 'CT-3.json',
      label: 'truncated JSON',
    })),
    fc.constantFrom('not json', '\u0000\u0001', '', '{"event_id":').map((data) => ({
      data: `${data}${base.episode_id}`,
      clause: 'CT-3.json',
      label: 'non-JSON',
    })),
    fc.constant({ data: JSON.stringify([base]), clause: 'CT-3.json', label: 'JSON array, not an object' }),
  );
}
